/**
 * A compile cache for the bundles: the entry files turn it on before they
 * load the bundle, so V8 compiles the bundle once and later runs read the
 * compiled code back (main's compile is reused by post; the CLI's first run
 * is reused by its next ones).
 *
 * Where it lives: in a pipeline, the runner's or agent's temp folder, which
 * the job owns and which is emptied after the job. Outside one, the CLI keeps
 * it in the user's own cache folder (XDG_CACHE_HOME or ~/.cache,
 * ~/Library/Caches, %LOCALAPPDATA%), used only when it is a directory of this
 * user's that no one else can write: V8 checks a cached entry against little
 * more than the source's length, so a cache another user could write into is
 * code they could run as us. The steps outside a pipeline (Node >= 22.1) use
 * Node's default folder, as before.
 *
 * Node >= 22.1 has one built in (`module.enableCompileCache()`). Node 20
 * (the Azure Pipelines Node20_1 handler) does not: there V8's code cache is
 * used through `vm.Script` `cachedData` by v8-compile-cache-lib (ts-node's),
 * loaded only on that Node, with one cache file per bundle (`prefix`) so that
 * post reads what main wrote. `NODE_DISABLE_COMPILE_CACHE` turns either off.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type * as V8CompileCacheLib from 'v8-compile-cache-lib';

type EnableCompileCache = (directory?: string) => unknown;

export interface CompileCacheOptions {
  /** The bundle the entry loads: the Node 20 cache's file name (main and post share `steps`). */
  readonly bundle?: 'steps' | 'program';
  /** Outside a pipeline, use the user's own cache folder (the CLI), not Node's machine-wide default. */
  readonly userCache?: boolean;
}

export function enableCompileCache(
  env: NodeJS.ProcessEnv = process.env,
  options: CompileCacheOptions = {},
): void {
  if (env.NODE_DISABLE_COMPILE_CACHE) return;
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  try {
    const directory = cacheDirectory(env, options.userCache === true);
    if (typeof enable === 'function') {
      // The CLI outside a pipeline with no folder of its own to trust: no cache rather than /tmp's.
      if (directory || !options.userCache) enable(directory);
    } else if (directory) enableV8CompileCache(directory, options.bundle ?? 'steps');
  } catch {
    // Only an optimisation: a folder that cannot be written costs the compile, nothing else.
  }
}

function cacheDirectory(env: NodeJS.ProcessEnv, userCache: boolean): string | undefined {
  const temp = env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY;
  if (temp) return join(temp, 'azure-jit-access-compile-cache');
  return userCache ? ownedUserCache(env) : undefined;
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

function enableV8CompileCache(directory: string, prefix: string): void {
  // Required here, not imported: Node 22.1+ never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('v8-compile-cache-lib') as typeof V8CompileCacheLib;
  lib.install({
    // Per V8 version: a cache written by another Node would only be rejected and rewritten.
    cacheDir: join(directory, `v8-${process.versions.v8}`),
    prefix,
  });
}
