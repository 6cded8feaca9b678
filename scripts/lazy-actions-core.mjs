// @actions/core loads, when it is loaded, two parts that only some calls use. This esbuild plugin
// defers each to its first use; the build fails if @actions/core changes shape, rather than
// silently loading them eagerly again.
//
// - Its OIDC client (and with it @actions/http-client and undici, ~0.45 MB), which only
//   `getIDToken` uses: the top-level `require` becomes a require of a separate bundle
//   (dist/action/oidc.js, built by OIDC_ENTRY) made on first use, so runs that sign in another
//   way never read it, and steps.js stays small.
// - `core.platform` (runner OS details), which we never read: it loads @actions/exec and
//   @actions/io, and with them Node's assert and child_process (2-3 ms of every step).
import { readFile } from 'node:fs/promises';

const OIDC_EDIT = [
  'const oidc_utils_1 = require("./oidc-utils");',
  'let oidc_utils_cache;\n' +
    'const oidc_utils_1 = { get OidcClient() { return (oidc_utils_cache ??= require("./oidc.js")).OidcClient; } };',
];
const PLATFORM_EDIT = [
  'exports.platform = __importStar(require("./platform"));',
  'let platform_cache;\n' +
    'Object.defineProperty(exports, "platform", { enumerable: true, get: function () { return (platform_cache ??= __importStar(require("./platform"))); } });',
];

/** The separate bundle: @actions/core's OIDC client, beside steps.js. */
export const OIDC_ENTRY = { 'action/oidc': 'node_modules/@actions/core/lib/oidc-utils.js' };

/**
 * `oidc: false` for oidc.js itself: it carries a copy of @actions/core (its OIDC client logs and
 * masks through it), whose `platform` is deferred the same way.
 */
export function lazyActionsCore({ oidc = true } = {}) {
  const edits = oidc ? [OIDC_EDIT, PLATFORM_EDIT] : [PLATFORM_EDIT];
  return {
    name: 'lazy-actions-core',
    setup(build) {
      if (oidc)
        build.onResolve({ filter: /^\.\/oidc\.js$/ }, (args) =>
          /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/.test(args.importer)
            ? { path: args.path, external: true }
            : undefined,
        );
      build.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        for (const [eager, lazy] of edits) {
          if (!source.includes(eager)) {
            throw new Error(
              `lazy-actions-core: '${eager}' not found in ${args.path}; update scripts/lazy-actions-core.mjs`,
            );
          }
          source = source.replace(eager, lazy);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}
