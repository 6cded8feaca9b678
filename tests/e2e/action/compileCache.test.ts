/**
 * The step bundles' compile cache (shared/compileCache.ts), as the runner leaves it: main and post
 * run in one job and share RUNNER_TEMP, so post must find the compiled steps.js that main left
 * there, one cache for both, on every Node the bundles run on (Node 22.1+ through Node's built-in
 * cache, Node 20 through v8-compile-cache-lib). A step without inputs or state is enough: loading
 * the bundle is what is cached.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { NODE_BINARIES } from '../../helpers/nodes';
import { REPO_ROOT } from '../../helpers/githubRunner';

jest.setTimeout(60_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function runEntry(node: string, entry: 'main' | 'post', runnerTemp: string): void {
  spawnSync(node, [join(REPO_ROOT, 'dist', 'action', `${entry}.js`)], {
    // Only what a step without inputs or state needs: it fails or does nothing, having loaded steps.js.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RUNNER_TEMP: runnerTemp },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe.each(NODE_BINARIES.map((n) => [n.name, n.path] as const))('compile cache on %s', (_name, node) => {
  let runnerTemp: string;
  beforeEach(() => {
    runnerTemp = mkdtempSync(join(tmpdir(), 'jit-compile-cache-'));
  });
  afterEach(() => rmSync(runnerTemp, { recursive: true, force: true }));

  it('main leaves the compiled bundle in RUNNER_TEMP and post uses that cache, not one of its own', () => {
    const cache = join(runnerTemp, 'azure-jit-access-compile-cache');
    runEntry(node, 'main', runnerTemp);
    const afterMain = filesUnder(cache).map((f) => relative(cache, f));
    expect(afterMain.length).toBeGreaterThan(0);
    runEntry(node, 'post', runnerTemp);
    expect(filesUnder(cache).map((f) => relative(cache, f))).toEqual(afterMain);
  });
});
