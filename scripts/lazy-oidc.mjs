// @actions/core loads its OIDC client (and with it @actions/http-client and
// undici, ~0.45 MB) when it is loaded, though only `getIDToken` uses it. This
// esbuild plugin turns that one top-level `require` into a require of a
// separate bundle (dist/action/oidc.js, built by OIDC_ENTRY) made on first
// use: runs that sign in another way never read it, and steps.js stays small.
// The build fails if @actions/core changes shape, rather than silently
// loading it eagerly again.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

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

// @actions/http-client, which the OIDC client sends its request with, loads undici (0.43 MB, most
// of oidc.js) at start-up, though it needs it only to build a ProxyAgent for
// `getAgentDispatcher`, which the OIDC client never calls: it sends through Node's https. This
// edit moves undici to dist/action/undici.js (built by UNDICI_ENTRY), read on that first use, so a
// run that signs in with OIDC reads and compiles 0.05 MB instead of 0.49 MB.
const EAGER_UNDICI = 'const undici_1 = require("undici");';
const LAZY_UNDICI =
  'let undici_loaded;\n' +
  'const undici_1 = { get ProxyAgent() { return (undici_loaded ??= require("./undici.js")).ProxyAgent; } };';
const HTTP_CLIENT = /[\\/]@actions[\\/]http-client[\\/]lib[\\/]index\.js$/;

/** The separate bundle: the undici that @actions/http-client requires, beside oidc.js. */
export const UNDICI_ENTRY = {
  'action/undici': createRequire(createRequire(import.meta.url).resolve('@actions/http-client')).resolve(
    'undici',
  ),
};

export function lazyUndici() {
  return {
    name: 'lazy-undici',
    setup(build) {
      build.onResolve({ filter: /^\.\/undici\.js$/ }, (args) =>
        HTTP_CLIENT.test(args.importer) ? { path: args.path, external: true } : undefined,
      );
      build.onLoad({ filter: HTTP_CLIENT }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(EAGER_UNDICI)) {
          throw new Error(
            `lazy-undici: '${EAGER_UNDICI}' not found in ${args.path}; update scripts/lazy-oidc.mjs`,
          );
        }
        return { contents: source.replace(EAGER_UNDICI, LAZY_UNDICI), loader: 'js' };
      });
    },
  };
}
