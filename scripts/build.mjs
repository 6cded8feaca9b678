// Builds the bundles users run, CommonJS for Node 20 (the ADO Node20_1 handler) and up. For the
// Action and the task, one bundle holds the code (`steps.js`) and each step's entry file
// (`main.js`, `post.js`) is a few lines that load it through the compile cache (shared/compileCache.ts): main
// and post share one compiled file. The CLI is the `.js` files of dist/cli (users copy that folder).
// Every file has its source map beside it (linked, not inlined: Node reads it only with
// --enable-source-maps). `--check` builds in memory and fails when the committed dist/ differs, so
// a stale bundle cannot ship.
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { azureApiPaths } from './azure-api-paths.mjs';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';
import { lazyActionsCore, OIDC_ENTRY } from './lazy-actions-core.mjs';
import { DEFERRED_ENTRIES, startupPatches } from './startup-patches.mjs';

/** The code: one bundle per front-end. */
const bundles = {
  'action/steps': 'action/steps.ts',
  'task/steps': 'task/steps.ts',
  'cli/program': 'cli/program.ts',
};
/** The entry files action.yml, task.json and package.json `bin` name. */
const entries = {
  'action/main': 'action/main.ts',
  'action/post': 'action/post.ts',
  'task/main': 'task/main.ts',
  'task/post': 'task/post.ts',
  'cli/main': 'cli/main.ts',
};

const check = process.argv.includes('--check');
const outdir = 'dist';
const common = {
  ...BUNDLE_OPTIONS,
  outdir,
  write: !check,
  metafile: true,
  // Every file gets its map, linked, not inlined: Node reads it only with --enable-source-maps.
  // Names and line numbers are what a stack trace needs; the sources are in the repository.
  sourcemap: 'linked',
  sourcesContent: false,
};
const present = (map) => Object.fromEntries(Object.entries(map).filter(([, src]) => existsSync(src)));

const results = await Promise.all([
  build({
    ...common,
    entryPoints: present(bundles),
    legalComments: 'linked',
    plugins: [azureApiPaths(), lazyActionsCore(), startupPatches()],
  }),
  // The entry files load their bundle by path at run time (loadCompiled), so it is not bundled in.
  build({ ...common, entryPoints: present(entries) }),
  // Loaded by steps.js only when the Action signs in with GitHub OIDC (see lazy-actions-core.mjs).
  build({
    ...common,
    entryPoints: present(OIDC_ENTRY),
    legalComments: 'linked',
    plugins: [lazyActionsCore({ oidc: false }), startupPatches()],
  }),
  // What only some runs need, read on first use (undici.js, jwt.js: see startup-patches.mjs).
  build({ ...common, entryPoints: DEFERRED_ENTRIES, legalComments: 'linked' }),
]);

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

if (check) {
  const fresh = new Map(
    results.flatMap((r) =>
      r.outputFiles.map((f) => [relative(outdir, relative(process.cwd(), f.path)), f.contents]),
    ),
  );
  const committed = files(outdir).map((f) => relative(outdir, f));
  const differ = [...new Set([...fresh.keys(), ...committed])]
    .filter((f) => {
      const built = fresh.get(f);
      const path = join(outdir, f);
      return !built || !existsSync(path) || !readFileSync(path).equals(Buffer.from(built));
    })
    .sort();
  if (differ.length > 0) {
    console.error(
      `dist/ is stale: ${differ.join(', ')} differ from a fresh build. Run 'npm run build' and commit dist/.`,
    );
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${fresh.size} files).`);
} else {
  // Files of bundles that are no longer built (e.g. after a rename) must not linger in dist/.
  const written = new Set(results.flatMap((r) => Object.keys(r.metafile.outputs)).map((f) => resolve(f)));
  for (const f of files(outdir)) if (!written.has(resolve(f))) rmSync(f);
}
