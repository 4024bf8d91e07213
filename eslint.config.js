// Lint: TypeScript rules, a security plugin, and the dependency direction of the code base
// (routes → agents → tools → clients; only entry points read process.env).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

const ENTRY_POINTS = ['src/server.ts', 'src/cli/**', 'scripts/**', 'evals/**', 'test/**', '**/*-cli.ts', 'vitest.config.ts'];

// Import bans per band (gitignore-style patterns on the import path).
const FASTIFY = { group: ['fastify', 'fastify-*', '@fastify/*'], message: 'Only the HTTP layer knows about Fastify.' };
const HTTP_LAYER = {
  group: ['**/routes/**', '**/plugins/**', '**/http/**'],
  message: 'The HTTP layer (src/routes, src/plugins, src/http) sits above agents, tools and libraries: dependencies point one way.',
};
const COMPOSITION_ROOT = {
  group: ['**/wiring/**', '**/app.js', '**/server.js', '**/cli/**'],
  message: 'Only the composition root builds and wires things.',
};
const AGENTS = { group: ['**/agents/**'], message: 'Agents sit above tools and src libraries: dependencies point one way.' };
const TOOLS = { group: ['**/tools/**'], message: 'Tools sit above the src libraries: dependencies point one way.' };
// Clients are the bottom band: transport only, plus the generic resilience and budget helpers.
const SRC_LIBRARIES = {
  group: ['../*', '!../resilience', '!../resilience/*', '!../budget', '!../budget/*'],
  message: 'Clients are the bottom band: they import no src library except resilience/ and budget/.',
};
const NO_IO = { group: ['node:*', 'fs', 'http', 'https', 'net'], message: 'src/analytics is pure computation: no I/O.' };
const ABOVE_THE_LIBRARIES = [
  'src/app.ts',
  'src/server.ts',
  'src/wiring/**',
  'src/cli/**',
  'src/routes/**',
  'src/plugins/**',
  'src/http/**',
];

function bands(list) {
  return list.map(({ files, ignores = [], banned }) => ({
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { patterns: banned }] },
  }));
}

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
          'setInterval',
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
  // The bands, one way: routes → agents (graphs, nodes) → tools → src libraries → clients. Only the
  // composition root (src/app.ts, src/wiring/, src/server.ts, src/cli/) and the HTTP layer (src/routes/,
  // src/plugins/, src/http/) sit above; nothing below imports them, and no src library imports agents/ or tools/.
  ...bands([
    { files: ['agents/**'], banned: [FASTIFY, HTTP_LAYER, COMPOSITION_ROOT] },
    { files: ['tools/**'], banned: [FASTIFY, HTTP_LAYER, COMPOSITION_ROOT, AGENTS] },
    { files: ['src/**'], ignores: ABOVE_THE_LIBRARIES, banned: [FASTIFY, HTTP_LAYER, COMPOSITION_ROOT, AGENTS, TOOLS] },
    { files: ['src/clients/**'], banned: [FASTIFY, HTTP_LAYER, COMPOSITION_ROOT, AGENTS, TOOLS, SRC_LIBRARIES] },
    // The analytics library is pure computation (its *-cli.ts entry points aside).
    {
      files: ['src/analytics/**'],
      ignores: ['src/analytics/**/*-cli.ts'],
      banned: [FASTIFY, HTTP_LAYER, COMPOSITION_ROOT, AGENTS, TOOLS, NO_IO],
    },
  ]),
  // Layout is prettier's (npm run format): no lint rule argues with it.
  prettier,
);
