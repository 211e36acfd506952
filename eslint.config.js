// Process boundaries, checked rather than remembered (STYLE.md). The tier rule (scripts/lint/
// tier-imports.mjs) says which folder may import which folder and which packages (common/: zod
// only; renderer/: no Node module); on top of it only main/electron may import electron. Types
// are checked per tier as well (tsconfig.json), so each boundary is held by two tools.
import tseslint from 'typescript-eslint';
import tiers from './scripts/lint/tier-imports.mjs';

const electron = { group: ['electron', 'electron/*'], message: 'Only main/electron/ may import electron; put the logic in a plain Node module.' };

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-results/', 'e2e/artifacts/', 'bench/results/', '.tsbuild/', '**/*.d.ts'] },
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    // Other rules' disable comments are not ours to judge: this config checks boundaries only.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { benchtop: tiers },
    rules: { 'no-restricted-imports': ['error', { patterns: [electron] }], 'benchtop/tier-imports': 'error' },
  },
  {
    files: ['main/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
