/**
 * The step bundles' compile cache (shared/compileCache.ts), as the runner leaves it: main and post
 * run in one job and share RUNNER_TEMP, so post must find the compiled steps.js that main left
 * there, one cache for both, on every Node the bundles run on. A step without inputs or state is enough: loading
 * the bundle is what is cached.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { NODE24_SKIPPED, NODE_BINARIES } from '../../helpers/nodes';
import { REPO_ROOT } from '../../helpers/githubRunner';
import { childEnvironment } from '../../helpers/childProcess';

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
    env: childEnvironment({ RUNNER_TEMP: runnerTemp }),
    encoding: 'utf8',
    timeout: 30_000,
  });
}

// Where no Node 24 runs the bundles here, jest's own report says so too (scripts/test.mjs prints it first).
if (NODE24_SKIPPED !== undefined) it.skip(`compile cache on node24: ${NODE24_SKIPPED}`, () => undefined);

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

/**
 * The CLI's cache (loadCompiled): a command is run again and again, so its next runs read the
 * program back compiled, with what the earlier run compiled while it ran. Outside a pipeline it lives in the user's own cache folder, and only one that no
 * other user can write (a planted cache entry would be code run as this user).
 */
describe.each(NODE_BINARIES.map((n) => [n.name, n.path] as const))(
  'the CLI compile cache on %s',
  (_name, node) => {
    let home: string;
    beforeEach(() => {
      home = mkdtempSync(join(tmpdir(), 'jit-cli-cache-'));
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    const runCli = (env: Record<string, string>, args: readonly string[] = ['--version']): void => {
      const run = spawnSync(node, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], {
        env: childEnvironment({ HOME: home, ...env }),
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (args[0] === '--version') expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      else expect(run.stderr).toContain('Invalid --vms = "not/a/vm"');
    };
    const cacheOf = (base: string): string => join(base, 'azure-jit-access', 'compile-cache');
    /** Where the CLI keeps its cache for a user whose folders are under `base` (the test's home by default). */
    const userCache = (base = home): string =>
      process.platform === 'win32'
        ? cacheOf(base)
        : process.platform === 'darwin'
          ? cacheOf(join(base, 'Library', 'Caches'))
          : cacheOf(join(base, 'xdg'));
    const env = (base = home): Record<string, string> =>
      process.platform === 'win32'
        ? { LOCALAPPDATA: base }
        : { HOME: base, XDG_CACHE_HOME: join(base, 'xdg') };

    it("keeps the compiled program in the user's cache folder, and the next run reuses it", () => {
      const cache = userCache();
      runCli(env());
      const afterFirst = filesUnder(cache).map((f) => relative(cache, f));
      expect(afterFirst.length).toBeGreaterThan(0);
      runCli(env());
      expect(filesUnder(cache).map((f) => relative(cache, f))).toEqual(afterFirst);
    });

    // A cache made at load (Node's own, v8-compile-cache-lib) is the same whatever the run did next.
    it('holds what the run compiled, not only what loading compiled', () => {
      const sizeAfter = (args: readonly string[]): number => {
        const base = mkdtempSync(join(home, 'run-'));
        runCli(env(base), args);
        return filesUnder(userCache(base)).reduce((total, f) => total + statSync(f).size, 0);
      };
      // Both stop before Azure; `request` has parsed and rejected its inputs by then.
      const loadedOnly = sizeAfter(['--version']);
      expect(loadedOnly).toBeGreaterThan(1000);
      expect(sizeAfter(['request', '--vms', 'not/a/vm', '--ports', '22'])).toBeGreaterThan(
        loadedOnly + 10_000,
      );
    });

    it("rewrites a cache it cannot use, and removes an earlier bundle's", () => {
      const cache = userCache();
      runCli(env());
      const [file] = readdirSync(cache);
      if (file === undefined) throw new Error('no cache file after the first run');
      writeFileSync(join(cache, file), 'not a code cache');
      writeFileSync(join(cache, 'program.js.0123456789abcdef01234567.v8cache'), 'an older bundle');
      runCli(env());
      expect(readdirSync(cache)).toEqual([file]);
      expect(readFileSync(join(cache, file)).length).toBeGreaterThan(1000);
    });

    it('in a pipeline uses the job temp folder, not the user cache', () => {
      const runnerTemp = join(home, 'runner-temp');
      mkdirSync(runnerTemp);
      runCli({ ...env(), RUNNER_TEMP: runnerTemp });
      expect(filesUnder(join(runnerTemp, 'azure-jit-access-compile-cache')).length).toBeGreaterThan(0);
      expect(existsSync(userCache())).toBe(false);
    });

    it('runs without a cache where the cache folder cannot be made (a read-only home)', () => {
      const blocked = join(home, 'not-a-folder');
      writeFileSync(blocked, '');
      // runCli asserts the command still ran.
      runCli(process.platform === 'win32' ? { LOCALAPPDATA: blocked } : { XDG_CACHE_HOME: blocked });
      expect(readFileSync(blocked, 'utf8')).toBe('');
    });

    it('writes nothing when NODE_DISABLE_COMPILE_CACHE is set', () => {
      runCli({ ...env(), NODE_DISABLE_COMPILE_CACHE: '1' });
      expect(existsSync(userCache())).toBe(false);
    });

    (process.platform === 'win32' ? it.skip : it)(
      'leaves a cache folder that other users can write alone (POSIX modes)',
      () => {
        const cache = userCache();
        mkdirSync(cache, { recursive: true });
        chmodSync(cache, 0o777);
        runCli(env());
        expect(readdirSync(cache)).toEqual([]);
      },
    );
  },
);
