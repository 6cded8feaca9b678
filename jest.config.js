// Three projects so CI can run and report them separately; all use ts-jest in
// transpile-only mode (type checking is `npm run typecheck`, once, not per file).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // @azure/arm-security's JIT operation group is imported from its ESM build (see
  // shared/azure/armSecurity.ts): jest needs it as CommonJS.
  // Either path separator: jest matches transform keys against native paths as written (on Windows,
  // `\`), unlike the *IgnorePatterns below, where it turns `/` into the native separator itself.
  '[/\\\\]node_modules[/\\\\]@azure[/\\\\]arm-security[/\\\\]dist-esm[/\\\\].+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
  ],
};
const transformIgnorePatterns = ['/node_modules/(?!@azure/arm-security/dist-esm/)'];
// The modular Azure SDKs' operation groups are not in their `exports` map; see scripts/azure-api-paths.mjs.
const moduleNameMapper = {
  '^@azure/(arm-network|arm-compute)/api/([A-Za-z]+)$':
    '<rootDir>/node_modules/@azure/$1/dist/commonjs/api/$2/index.js',
};
const base = {
  // Node, with a temp folder per test file that is removed afterwards (tests/jest/environment.js).
  testEnvironment: '<rootDir>/tests/jest/environment.js',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/tests/helpers/fastClose.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  testSequencer: '<rootDir>/tests/jest/sequencer.js',
  // Jest's 5 s default fails tests that do real TLS, sign-in and child processes on a loaded
  // 2-core machine; no test proves a duration, so the default only has to catch a hang.
  testTimeout: 60_000,
  // `npm test` passes --coverage and gates on shared/ (scripts/test.mjs). Istanbul instruments
  // only these files; V8 coverage was measured slower here (a worker's coverage result grows
  // with every test file it has run: unit suites went from 28 s to 412 s in total).
  collectCoverageFrom: ['<rootDir>/shared/**/*.ts'],
  coverageProvider: 'babel',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
