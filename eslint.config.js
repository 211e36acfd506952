// Process boundaries, checked rather than remembered (STYLE.md): only main/electron imports
// electron; the renderer imports no Node module and, of main/ and agents/, only the pure
// contracts; the contracts themselves import nothing that needs Node.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'worker_threads', 'zlib'];
const electron = { group: ['electron', 'electron/*'], message: 'Only main/electron/ may import electron; put the logic in a plain Node module.' };
const nodeInBrowser = { group: NODE_BUILTINS, message: 'The renderer runs in a browser page: no Node modules. Ask main through the API contract.' };

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-results/', 'e2e/artifacts/', 'bench/results/', '**/*.d.ts'] },
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    // Other rules' disable comments are not ours to judge: this config checks boundaries only.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { 'no-restricted-imports': ['error', { patterns: [electron] }] },
  },
  {
    files: ['main/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electron,
            nodeInBrowser,
            {
              regex: '^(\\.\\./)+main/(?!api/)',
              message: 'The renderer may import only the pure contracts of main/api/.',
            },
            {
              regex: '^(\\.\\./)+agents/(?!protocol/)',
              message: 'The renderer may import only agents/protocol/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/api/**', 'agents/protocol/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electron,
            { group: NODE_BUILTINS, message: 'Contracts are shared with the renderer: zod and types only.' },
            { group: ['fastify', '@fastify/*', '@aws-sdk/*', 'better-sqlite3', 'conf'], message: 'Contracts are shared with the renderer: zod and types only.' },
          ],
        },
      ],
    },
  },
);
