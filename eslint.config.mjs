// Flat config: typed linting for all TypeScript, plus the one architectural rule
// that keeps the core portable: shared/ may not import any CI runner library.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ciLibraries = {
  patterns: [
    {
      group: ['@actions/*', 'azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'],
      message: 'shared/ is the runner-agnostic core: go through the Platform interface instead.',
    },
    {
      group: ['**/emulator/**', '../emulator', '../../emulator'],
      message: "The emulator is Azure's twin, not part of the product: shipped code never imports it.",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'out/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts', 'action/**/*.ts', 'task/**/*.ts', 'cli/**/*.ts'],
    ignores: ['cli/demo.ts'],
    rules: { 'no-restricted-imports': ['error', ciLibraries] },
  },
  {
    files: ['action/**/*.ts', 'task/**/*.ts', 'cli/**/*.ts'],
    ignores: ['cli/demo.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ciLibraries.patterns[1]] }],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'emulator/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
