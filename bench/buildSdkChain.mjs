// Bundles bench/sdkChain.ts as dist/ bundles are built (scripts/bundle-options.mjs: esbuild, CommonJS
// for Node 20, minified; the same plugins that pick arm-network's and arm-compute's per-operation files
// and trim start-up work), into the folder given, as sdkChain.js (with the deferred jwt.js beside
// it, as each front-end has), and sdkChainCached.js, which loads it through the compile cache. A
// benchmark yardstick only: never part of dist/.
//
// Usage: node bench/buildSdkChain.mjs <out dir>
import { build } from 'esbuild';
import { azureApiPaths } from '../scripts/azure-api-paths.mjs';
import { BUNDLE_OPTIONS } from '../scripts/bundle-options.mjs';
import { DEFERRED_ENTRIES, startupPatches } from '../scripts/startup-patches.mjs';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node bench/buildSdkChain.mjs <out dir>');
const common = { ...BUNDLE_OPTIONS, outdir };
await Promise.all([
  build({
    ...common,
    entryPoints: { sdkChain: 'bench/sdkChain.ts' },
    plugins: [azureApiPaths(), startupPatches()],
  }),
  build({ ...common, entryPoints: { jwt: DEFERRED_ENTRIES['cli/jwt'] } }),
  // The same loaded through the compile cache, as dist/'s entry files load their bundle.
  build({ ...common, entryPoints: { sdkChainCached: 'bench/sdkChainCached.ts' } }),
]);
