// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The layer rules of DESIGN.md, as import restrictions per folder. */
const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/electron/ may import electron.',
};
const restrict = (patterns, message) => ({ group: patterns, message });

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
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            restrict(['../gateway/*', '../gateway'], 'engine/ and gateway/ meet only in pgwire/.'),
          ],
        },
      ],
    },
  },
  {
    files: ['main/gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            restrict(['../engine/*', '../engine'], 'engine/ and gateway/ meet only in pgwire/.'),
          ],
        },
      ],
    },
  },
);
