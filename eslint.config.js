// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/lint/layers.js';

/** The layer rules of DESIGN.md, as import restrictions per folder. */
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/electron/ may import electron.',
};
/** Sockets, HTTP, the file system, V8 and VM: what pure wire code never touches. */
const NOT_PURE =
  /^(node:)?(net|tls|dgram|http|https|http2|fs|fs\/promises|child_process|v8|vm|worker_threads)$|^ws$/;
const NODE_API = /^node:/;

/**
 * One row per folder: which of our folders it may import besides itself (scripts/lint/layers.js).
 * @type {Record<string, import('./scripts/lint/layers.js').Layer>}
 */
const LAYERS = {
  shared: {
    imports: [],
    forbiddenModules: NODE_API,
    why: 'shared/ imports nothing of ours and no Node APIs.',
  },
  renderer: {
    imports: ['shared'],
    forbiddenModules: NODE_API,
    why: 'renderer/ imports only shared/: it reaches the core through the RPC bridge.',
  },
  'main/pgwire': {
    imports: [],
    forbiddenModules: NOT_PURE,
    why: 'pgwire/ is pure wire code: bytes in, bytes out, nothing of ours, no sockets.',
  },
  'main/http': {
    imports: [],
    why: 'http/ reads HTTP input for every listener: it needs nothing of ours.',
  },
  'main/relay': { imports: ['main/pgwire'], why: 'relay/ is the byte path both ends share.' },
  'main/failure': {
    imports: ['main/pgwire', 'shared'],
    why: 'failure/ words failures as ErrorResponses and sentences; it knows no socket.',
  },
  'main/config': {
    imports: [],
    why: 'config/ words the faults of the files people edit; it needs nothing of ours.',
  },
  'main/tls': {
    imports: ['shared'],
    why: 'tls/ (the local CA) is used by the CLI and the core alike.',
  },
  'main/upstream': {
    imports: ['main/pgwire', 'main/relay', 'main/failure', 'shared'],
    why: 'upstream/ is the Postgres client both ends use.',
  },
  'main/engine': {
    imports: ['main/pgwire', 'main/relay', 'main/failure', 'main/upstream', 'main/tls', 'shared'],
    why: 'engine/ and gateway/ meet only in relay/, upstream/ and below.',
  },
  'main/gateway': {
    imports: [
      'main/pgwire',
      'main/relay',
      'main/failure',
      'main/upstream',
      'main/http',
      'main/config',
      'shared',
    ],
    why: 'engine/ and gateway/ meet only in relay/, upstream/ and below.',
  },
  'main/service': {
    imports: [
      'main/engine',
      'main/gateway',
      'main/upstream',
      'main/tls',
      'main/pgwire',
      'main/relay',
      'main/failure',
      'main/http',
      'main/config',
      'shared',
    ],
    why: 'service/ is the app core: the shells (cli/, electron/) use it, never the other way.',
  },
  'main/electron': {
    imports: ['main/service', 'main/failure', 'shared'],
    why: 'electron/ is a shell over the app core.',
  },
  'main/cli': {
    imports: [
      'main/service',
      'main/engine',
      'main/gateway',
      'main/upstream',
      'main/tls',
      'main/failure',
      'main/relay',
      'main/pgwire',
      'shared',
    ],
    why: 'cli/ is a shell: it composes the layers below.',
  },
  'main/testing': { imports: [], why: 'main/testing/ starts real servers for the tests.' },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      curly: 'error',
      eqeqeq: 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Node scripts (icon generation, Electron binary fetch, the container's health check).
    files: ['scripts/**/*.mjs', 'deploy/**/*.mjs'],
    languageOptions: {
      globals: { Buffer: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }],
    },
  },
  {
    // Playwright fixtures that use no other fixture are written `async ({}, use) => …`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // The layer table: each folder of ours and the folders it may import (DESIGN.md, "Layout").
    // A folder with no row may import none of ours. Tests and main/testing/ start real servers
    // of every layer, so they may import any; they keep the electron rule above.
    files: ['main/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { layers: layersPlugin },
    rules: {
      'layers/allowed-imports': [
        'error',
        {
          exempt: /(^main\/testing\/|\.test\.tsx?$|^renderer\/vite\.config\.ts$)/,
          indexFolders: ['main/engine', 'main/gateway', 'main/tls', 'main/service/playground'],
          table: LAYERS,
        },
      ],
    },
  },
  {
    // The IPC surface is the two bridge files (GitHub Desktop's rule): the rest of the shell goes
    // through their typed wrappers.
    files: ['main/electron/**/*.ts'],
    ignores: [
      'main/electron/ipc-bridge.ts',
      'main/electron/preload.ts',
      'main/electron/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'IPC goes through main/electron/ipc-bridge.ts and preload.ts.',
            },
          ],
        },
      ],
    },
  },
);
