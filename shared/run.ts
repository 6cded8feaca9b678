/**
 * Orchestration entry points: the only functions front-ends call.
 * CONTRACT (front-ends code against this): neither function throws; each
 * reports through `platform` (setFailed / warning) and resolves to whether the
 * step succeeded, so entry files only map it to an exit code.
 *
 * PLACEHOLDER: the implementation lands with the core (issue 3).
 */
import type { Platform } from './platform';
import type { Connect } from './session';

export interface RunOptions {
  readonly platform: Platform;
  readonly connect: Connect;
  /** Aborted when the runner cancels the step (SIGINT / SIGTERM), see `shared/cancel.ts`. */
  readonly signal?: AbortSignal;
  /** Extra trusted CA certificate (PEM) for every HTTPS call; in-process tests use the emulator's. */
  readonly tlsCa?: string;
  /** Clock, injectable for tests. */
  readonly now?: () => Date;
}

export async function runMain(options: RunOptions): Promise<boolean> {
  options.platform.setFailed('runMain is not implemented yet');
  return Promise.resolve(false);
}

export async function runPost(options: RunOptions): Promise<boolean> {
  options.platform.setFailed('runPost is not implemented yet');
  return Promise.resolve(false);
}
