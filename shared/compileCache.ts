/**
 * Node's on-disk compile cache (Node >= 22.1): the entry files turn it on
 * before they load the bundle, so V8 compiles the bundle once and later runs
 * read the compiled code back (main's compile is reused by post). The cache
 * lives in the runner's or agent's temp folder, which the job owns and which
 * is emptied after the job; elsewhere (the CLI) in Node's default folder.
 * Node 20 (the Azure Pipelines Node20_1 handler) has no such cache: nothing
 * happens there.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';

type EnableCompileCache = (directory?: string) => unknown;

export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function') return;
  const temp = env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY;
  try {
    enable(temp ? join(temp, 'azure-jit-access-compile-cache') : undefined);
  } catch {
    // Only an optimisation: a folder that cannot be written costs the compile, nothing else.
  }
}
