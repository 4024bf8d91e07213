// Lint: TypeScript rules, a security plugin, and the dependency direction of the code base
// (routes → agents → tools → clients; only entry points read process.env).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

const ENTRY_POINTS = ['src/server.ts', 'src/cli/**', 'scripts/**', 'evals/**', 'test/**', '**/*-cli.ts', 'vitest.config.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'reports/**', 'data/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Object-injection flags every obj[key]; our keys come from typed unions and zod-validated input.
      'security/detect-object-injection': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only entry points read the environment: take a Config instead.' },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } } },
  // The web console runs in the browser, not in Node: browser globals only.
  {
    files: ['ui/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'Node',
          'fetch',
          'setTimeout',
          'URLSearchParams',
          'TextDecoder',
          'TextDecoderStream',
          'sessionStorage',
          'atob',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  // Entry points, tests and offline tools read paths the operator gives them, by design.
  { files: ENTRY_POINTS, rules: { 'no-restricted-properties': 'off', 'security/detect-non-literal-fs-filename': 'off' } },
  {
    files: ['agents/**', 'tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'agents/ and tools/ do not know about HTTP.' },
            {
              group: ['**/src/routes/**', '**/src/plugins/**', '**/src/app.js'],
              message: 'Dependencies point one way: routes → agents → tools → clients.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'tools/ do not know about HTTP.' },
            {
              group: ['**/agents/**', '**/src/routes/**', '**/src/plugins/**', '**/src/app.js'],
              message: 'tools/ sit below agents/ and routes.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/analytics/**'],
    ignores: ['src/analytics/**/*-cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['node:*', 'fs', 'http', 'https', 'net'], message: 'src/analytics is pure computation: no I/O.' }],
        },
      ],
    },
  },
  // Layout is prettier's (npm run format): no lint rule argues with it.
  prettier,
);
