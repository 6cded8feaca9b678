// bench/sdkChain.ts loaded as the entry files load their bundle: through the compile cache
// (shared/compileCache.ts, in XDG_CACHE_HOME), so a second run reads the compiled code back. The
// warm-cache floor of any build on the design's Azure packages. Bundled beside sdkChain.js by
// bench/buildSdkChain.mjs.
import { join } from 'node:path';
import { loadCompiled } from '../shared/compileCache';

loadCompiled(join(__dirname, 'sdkChain.js'));
