// Builds the bundles users run: one CommonJS file per entry point, for Node 20
// (the ADO Node20_1 handler) and up. `--check` rebuilds into a temp folder and
// fails when the committed dist/ differs, so a stale bundle cannot ship.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const entries = {
  'action/main': 'action/main.ts',
  'action/post': 'action/post.ts',
  'task/main': 'task/main.ts',
  'task/post': 'task/post.ts',
  'cli/main': 'cli/main.ts',
};

const check = process.argv.includes('--check');
const outdir = check ? mkdtempSync(join(tmpdir(), 'jit-dist-')) : 'dist';

const present = Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(src)));
await build({
  entryPoints: present,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Only the CLI is run directly from a shell.
  banner: { js: '' },
});

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

if (check) {
  const fresh = files(outdir)
    .map((f) => relative(outdir, f))
    .sort();
  const committed = files('dist')
    .map((f) => relative('dist', f))
    .sort();
  const differ = [...new Set([...fresh, ...committed])].filter(
    (f) =>
      !existsSync(join(outdir, f)) ||
      !existsSync(join('dist', f)) ||
      !readFileSync(join(outdir, f)).equals(readFileSync(join('dist', f))),
  );
  rmSync(outdir, { recursive: true, force: true });
  if (differ.length > 0) {
    console.error(
      `dist/ is stale: ${differ.join(', ')} differ from a fresh build. Run 'npm run build' and commit dist/.`,
    );
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${fresh.length} files).`);
}
