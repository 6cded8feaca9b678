// The esbuild options every shipped bundle is built with (scripts/build.mjs), and the benchmark's
// yardstick too (bench/buildSdkChain.mjs), so that "bundled like dist/" stays true.
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  // CommonJS for Node 20 (the ADO Node20_1 handler) and up.
  target: 'node20',
  format: 'cjs',
  minify: true,
  // No keepNames: it wraps every function and class in a `__name(fn, "name")` call that runs at
  // load (~1,700 in the CLI bundle, 48 KB): 3-5% of a cold CLI `request`'s instructions (bench/
  // RESULTS.md). Our error classes spell their names out (shared/errors.ts); the Azure SDKs set
  // their errors' names too, and use class names only in their own log lines (AZURE_LOG_LEVEL)
  // and tracing spans, which then show minified names. Stack traces map back with the source maps.
  keepNames: false,
  logLevel: 'warning',
};
