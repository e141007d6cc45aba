// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** The layer rules of DESIGN.md, as import restrictions per folder. */
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/electron/ may import electron.',
};
const restrict = (patterns, message) => ({ group: patterns, message });
/**
 * A folder of main/ that may not import `patterns`; `message` says why. With `testsExempt`, its
 * tests may (they start real servers with main/testing/).
 */
const layer = (folder, patterns, message, { testsExempt = false } = {}) => ({
  files: [`${folder}/**/*.ts`],
  ...(testsExempt ? { ignores: [`${folder}/**/*.test.ts`] } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      { paths: [electronOnlyInShell], patterns: [restrict(patterns, message)] },
    ],
  },
});

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            restrict(
              ['../main/*', '../renderer/*', 'node:*'],
              'shared/ imports nothing of ours and no Node APIs.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            restrict(
              ['**/main/**', '**/main', 'node:*'],
              'renderer/ imports only shared/: it reaches the core through the RPC bridge.',
            ),
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures that use no other fixture are written `async ({}, use) => …`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  layer(
    'main/engine',
    ['../gateway/*', '../gateway'],
    'engine/ and gateway/ meet only in pgwire/ and upstream/.',
  ),
  layer(
    'main/gateway',
    ['../engine/*', '../engine'],
    'engine/ and gateway/ meet only in pgwire/ and upstream/.',
  ),
  layer(
    'main/upstream',
    ['../engine/*', '../gateway/*', '../service/*', '../cli/*'],
    'upstream/ is used by both ends: it imports only pgwire/ and shared/.',
    { testsExempt: true },
  ),
  layer('main/pgwire', ['../*', '../../*'], 'pgwire/ imports nothing of ours.', {
    testsExempt: true,
  }),
  layer(
    'main/tls',
    ['../engine/*', '../gateway/*', '../upstream/*', '../pgwire/*', '../service/*', '../cli/*'],
    'tls/ (the local CA) is used by the CLI and the core alike: it imports only shared/.',
    { testsExempt: true },
  ),
);
