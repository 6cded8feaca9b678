// Three projects so CI can run and report them separately; all use ts-jest in
// transpile-only mode (type checking is `npm run typecheck`, once, not per file).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // @azure/arm-security's JIT operation group is imported from its ESM build (see
  // shared/azure/armSecurity.ts): jest needs it as CommonJS.
  '/node_modules/@azure/arm-security/dist-esm/.+\\.js$': [
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
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/tests/helpers/fastClose.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
