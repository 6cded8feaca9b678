/**
 * A compile cache for the step bundles: the entry files turn it on before
 * they load the bundle, so V8 compiles the bundle once and later runs read
 * the compiled code back (main's compile is reused by post). The cache lives
 * in the runner's or agent's temp folder, which the job owns and which is
 * emptied after the job; elsewhere (Node >= 22.1) in Node's default folder.
 *
 * Node >= 22.1 has one built in (`module.enableCompileCache()`). Node 20
 * (the Azure Pipelines Node20_1 handler) does not: there V8's code cache is
 * used through `vm.Script` `cachedData` by v8-compile-cache-lib (ts-node's),
 * loaded only on that Node, with one cache file for main and post (`prefix`)
 * so that post reads what main wrote.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import type * as V8CompileCacheLib from 'v8-compile-cache-lib';

type EnableCompileCache = (directory?: string) => unknown;

/** The file name main and post share in the Node 20 cache folder: the bundle they both load. */
const NODE20_PREFIX = 'steps';

export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const temp = env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY;
  const directory = temp ? join(temp, 'azure-jit-access-compile-cache') : undefined;
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  try {
    if (typeof enable === 'function') enable(directory);
    // Node 20: only in the job's own temp folder. V8 checks a cached entry against little more
    // than the source's length, so a cache in a machine-wide temp folder could be planted by
    // another user of the machine.
    else if (directory) enableV8CompileCache(directory);
  } catch {
    // Only an optimisation: a folder that cannot be written costs the compile, nothing else.
  }
}

function enableV8CompileCache(directory: string): void {
  // Required here, not imported: Node 22.1+ never loads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('v8-compile-cache-lib') as typeof V8CompileCacheLib;
  lib.install({
    // Per V8 version: a cache written by another Node would only be rejected and rewritten.
    cacheDir: join(directory, `v8-${process.versions.v8}`),
    prefix: NODE20_PREFIX,
  });
}
