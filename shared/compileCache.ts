/**
 * A compile cache for the bundles: each entry file (the Action's and the
 * task's main.js and post.js, the CLI's main.js) loads its front-end's bundle
 * through `loadCompiled`, so V8 compiles the bundle once and later runs read
 * the compiled code back: post reuses main's, the CLI's next runs its first.
 *
 * Where it lives: in a pipeline, the runner's or agent's temp folder, which
 * the job owns and which is emptied after the job. Outside one, the user's
 * own cache folder (XDG_CACHE_HOME or ~/.cache, ~/Library/Caches,
 * %LOCALAPPDATA%), used only when it is a directory of this user's that no
 * one else can write: V8 checks a cached entry against little more than the
 * source's length, so a cache another user could write into is code they
 * could run as us. `NODE_DISABLE_COMPILE_CACHE` (Node's own switch) turns it off.
 *
 * How: `loadCompiled` compiles the bundle as a `vm.Script` with V8's code cache, made when the
 * process exits, so that it also holds every function the run compiled. A cache made at load holds
 * only the bundle's outline, and a run then compiles each function it calls all over again: that is
 * what v8-compile-cache-lib stores, and what Node's own (`module.enableCompileCache()`, Node >= 22.1)
 * stores, so it is not used. Measured on Node 24 (CLI `request`, 1 VM, median of 25, alternating):
 * with the cache an earlier run left, 185 ms and 180 ms of CPU with Node's, 146 ms and 140 ms with
 * this one; a first run pays ~10 ms of CPU to write it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { constants as vmConstants, Script } from 'node:vm';

/**
 * Loads a CommonJS bundle through a compile cache, as `require` would load it. The cache is
 * written when the process exits, when it was missing or V8 rejected it; its file is named by a
 * hash of the bundle and the V8 version, so an upgraded bundle or Node never meets an old cache.
 */
export function loadCompiled<T>(file: string, env: NodeJS.ProcessEnv = process.env): T {
  let directory: string | undefined;
  try {
    directory = env.NODE_DISABLE_COMPILE_CACHE ? undefined : cacheDirectory(env);
  } catch {
    // A folder that cannot be made or read costs the compile, nothing else.
  }
  // With --enable-source-maps, Node maps stack traces of what it loads itself, not of a vm.Script.
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!directory || sourceMaps) return require(file) as T;
  // The key hashes the file's bytes, not the decoded string: the same digest (the string would be
  // hashed as its UTF-8), without encoding 0.7-0.9 MB back: 1.3 ms less on Node 20 and 0.7 ms on Node 24
  // (read and hash of the CLI bundle, medians of 30 fresh processes each).
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const key = createHash('sha256').update(process.versions.v8).update(bytes).digest('hex').slice(0, 24);
  const cacheFile = join(directory, `${basename(file)}.${key}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // First run with this bundle on this V8.
  }
  // The wrapper on a line of its own (lineOffset -1): positions in stack traces are the file's own.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    ...(cachedData ? { cachedData } : {}),
  });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => saveCache(script, cacheFile));
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, nodeModule.createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** Writes the code cache (once, at exit) and removes the caches of earlier bundles. */
function saveCache(script: Script, cacheFile: string): void {
  try {
    const directory = dirname(cacheFile);
    const prefix = `${basename(cacheFile).split('.').slice(0, 2).join('.')}.`;
    for (const old of readdirSync(directory))
      if (old.startsWith(prefix) && old !== basename(cacheFile))
        rmSync(join(directory, old), { force: true });
    // Written whole, then renamed: a run starting meanwhile reads the old file or the new one.
    const partial = `${cacheFile}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, cacheFile);
  } catch {
    // Only an optimisation.
  }
}

function cacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  const temp = env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY;
  if (temp) {
    const directory = join(temp, 'azure-jit-access-compile-cache');
    mkdirSync(directory, { recursive: true });
    return directory;
  }
  return ownedUserCache(env);
}

/** The user's cache folder for this tool, created if need be; undefined unless only this user can write it. */
function ownedUserCache(env: NodeJS.ProcessEnv): string | undefined {
  const base = userCacheBase(env);
  if (!base) return undefined;
  const directory = join(base, 'azure-jit-access', 'compile-cache');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const stat = lstatSync(directory);
  if (!stat.isDirectory()) return undefined;
  // Windows: %LOCALAPPDATA% is the user's profile, which other users cannot write by default.
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return directory;
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0 ? directory : undefined;
}

function userCacheBase(env: NodeJS.ProcessEnv): string | undefined {
  // Relative values are ignored, as the XDG base directory specification says.
  const absolute = (p: string | undefined): string | undefined => (p && isAbsolute(p) ? p : undefined);
  if (process.platform === 'win32') return absolute(env.LOCALAPPDATA);
  const home = absolute(env.HOME) ?? absolute(homedir());
  if (process.platform === 'darwin') return home && join(home, 'Library', 'Caches');
  return absolute(env.XDG_CACHE_HOME) ?? (home && join(home, '.cache'));
}
