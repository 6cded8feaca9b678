// Flat config: typed linting for all TypeScript, plus the architectural rules: shared/ may not
// import any CI runner library (the core stays portable), and the front-ends import the core only
// through its public surface, shared/index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

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

/**
 * The front-ends (action/, task/, cli/) use the core only through its public surface, shared/index.ts
 * (`import { ... } from '../shared'`); tests may reach inside. `allowed` names a module an entry file
 * may load directly.
 */
function coreSurface(...allowed) {
  return {
    group: ['**/shared/*', '!**/shared/index', ...allowed.map((m) => `!**/shared/${m}`)],
    message: "Front-ends import the core from its public surface only: '../shared' (shared/index.ts).",
  };
}

/**
 * The entry files (steps and CLI) load their bundle through the compile cache, and are bundled
 * alone (scripts/build.mjs): they may load shared/compileCache and nothing else of the core.
 */
const entryFiles = ['action/main.ts', 'action/post.ts', 'task/main.ts', 'task/post.ts', 'cli/main.ts'];

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
    ignores: ['cli/demo.ts', ...entryFiles],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ciLibraries.patterns[1], coreSurface()] }],
    },
  },
  {
    files: entryFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [ciLibraries.patterns[1], coreSurface('compileCache')] },
      ],
    },
  },
  {
    files: ['cli/demo.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [coreSurface()] }] },
  },
  {
    // The product's inside: no import cycles, and functions short enough to read at once.
    files: ['shared/**/*.ts', 'action/**/*.ts', 'task/**/*.ts', 'cli/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // A cycle can only run through our own files: packages are not followed.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
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
