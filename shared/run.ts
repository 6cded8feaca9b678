/**
 * Orchestration entry points: the only functions front-ends call.
 * CONTRACT (front-ends code against this): neither function throws; each
 * reports through `platform` (setFailed / warning) and resolves to whether the
 * step succeeded, so entry files only map it to an exit code.
 */
import { describeError, toJitError, type JitError } from './errors';
import { openAccess } from './jit/mainFlow';
import { closeFromState } from './jit/postFlow';
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
  /**
   * Told the typed error before the step is marked failed, so a front-end can
   * choose an exit code by kind instead of parsing the failure text.
   */
  readonly onFailure?: (error: JitError) => void;
}

/** Opens JIT access and waits until it is live. State for post is saved as soon as a request is accepted. */
export async function runMain(options: RunOptions): Promise<boolean> {
  return report(options, () => openAccess(options));
}

/** Closes what main opened, from the saved state. Missing state is a notice, not a failure. */
export async function runPost(options: RunOptions): Promise<boolean> {
  return report(options, () => closeFromState(options));
}

async function report(options: RunOptions, step: () => Promise<void>): Promise<boolean> {
  const { platform } = options;
  try {
    await step();
    return true;
  } catch (e) {
    try {
      options.onFailure?.(toJitError(e));
      platform.setFailed(describeError(e));
    } catch {
      // A broken adapter must not turn a failure into a crash.
    }
    return false;
  }
}
