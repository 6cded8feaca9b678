// The modular Azure SDKs (@azure/arm-network >= 37, @azure/arm-compute >= 24)
// keep each operation group's functions in `dist/<format>/api/<group>/`, but
// their `exports` map only publishes the client context under `./api`. We
// import `@azure/arm-<name>/api/<group>` and map it here to the package's own
// ESM file, so esbuild bundles only the operations we call (the classic
// clients pulled in every operation group of the provider: ~1.9 MB).
// tsconfig.json `paths` (types) and jest.config.js `moduleNameMapper`
// (CommonJS build) map the same specifiers. The same plugin keeps the ESM
// file of @azure/arm-security's JIT operation group in bundles that leave
// node_modules external (scripts/ts-run.mjs): Node cannot load it alone.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const AZURE_API_SPECIFIER = /^@azure\/(arm-network|arm-compute)\/api\/([A-Za-z]+)$/;
const SECURITY_ESM = /^@azure\/arm-security\/dist-esm\/[A-Za-z/]+$/;

/**
 * esbuild plugin: `@azure/arm-network/api/<group>` -> the package's ESM `api/<group>/index.js`.
 * `packagesExternal`: for builds that leave packages to Node at run time, the packages those
 * files import are required from THEIR folder (arm-network's own @azure/core-lro 3, not the
 * root's core-lro 2 that arm-security uses).
 */
export function azureApiPaths(root = process.cwd(), { packagesExternal = false } = {}) {
  return {
    name: 'azure-api-paths',
    setup(build) {
      build.onResolve({ filter: AZURE_API_SPECIFIER }, (args) => {
        const [, pkg, group] = AZURE_API_SPECIFIER.exec(args.path);
        return { path: join(root, 'node_modules', '@azure', pkg, 'dist', 'esm', 'api', group, 'index.js') };
      });
      build.onResolve({ filter: SECURITY_ESM }, (args) => ({
        path: join(root, 'node_modules', `${args.path}.js`),
      }));
      if (packagesExternal) {
        build.onResolve({ filter: /^[^./]/ }, (args) =>
          /[\\/]node_modules[\\/]@azure[\\/]arm-/.test(args.importer)
            ? { path: createRequire(args.importer).resolve(args.path), external: true }
            : undefined,
        );
      }
    },
  };
}
