// Runs a TypeScript entry (emulator, demo, bench) without a separate compile
// step: esbuild bundles our own sources into .cache/ (node_modules stay
// external) and node runs the result with the remaining arguments.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { azureApiPaths } from './azure-api-paths.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/ts-run.mjs <entry.ts> [args...]');
  process.exit(2);
}
const outfile = join('.cache', 'ts-run', basename(entry).replace(/\.ts$/, '.js'));
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [azureApiPaths(process.cwd(), { packagesExternal: true })],
});
const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
