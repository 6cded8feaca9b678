// @actions/core loads its OIDC client (and with it @actions/http-client and
// undici, ~0.45 MB) when it is loaded, though only `getIDToken` uses it. This
// esbuild plugin turns that one top-level `require` into a require of a
// separate bundle (dist/action/oidc.js, built by OIDC_ENTRY) made on first
// use: runs that sign in another way never read it, and steps.js stays small.
// The build fails if @actions/core changes shape, rather than silently
// loading it eagerly again.
import { readFile } from 'node:fs/promises';

const EAGER = 'const oidc_utils_1 = require("./oidc-utils");';
const LAZY =
  'let oidc_utils_cache;\n' +
  'const oidc_utils_1 = { get OidcClient() { return (oidc_utils_cache ??= require("./oidc.js")).OidcClient; } };';

/** The separate bundle: @actions/core's OIDC client, beside steps.js. */
export const OIDC_ENTRY = { 'action/oidc': 'node_modules/@actions/core/lib/oidc-utils.js' };

export function lazyOidc() {
  return {
    name: 'lazy-oidc',
    setup(build) {
      build.onResolve({ filter: /^\.\/oidc\.js$/ }, (args) =>
        /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/.test(args.importer)
          ? { path: args.path, external: true }
          : undefined,
      );
      build.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(EAGER)) {
          throw new Error(`lazy-oidc: '${EAGER}' not found in ${args.path}; update scripts/lazy-oidc.mjs`);
        }
        return { contents: source.replace(EAGER, LAZY), loader: 'js' };
      });
    },
  };
}
