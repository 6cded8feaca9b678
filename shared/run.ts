/**
 * Orchestration entry points: the only functions front-ends call.
 * CONTRACT (front-ends code against this): neither function throws; each
 * reports through `platform` (setFailed / warning) and resolves to whether the
 * step succeeded, so entry files only map it to an exit code.
 */
import { describeError, toJitError, type JitError } from './errors';
import type { FrontEnd } from './frontEnd';
import { openAccess } from './jit/mainFlow';
import { closeFromState } from './jit/postFlow';
import type { Platform } from './platform';
import type { Connect } from './session';
import { problemsOf } from './problems';
import type { Summary } from './summary';

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
  /** Between two "waiting for the allow rule" lines (default 10 s); injectable for tests. */
  readonly progressIntervalMs?: number;
}

/** Opens JIT access and waits until it is live. State for post is saved as soon as a request is accepted. */
export async function runMain(options: RunOptions): Promise<boolean> {
  return report(options, 'main', (o) => openAccess(o));
}

/** Closes what main opened, from the saved state. Missing state is a notice, not a failure. */
export async function runPost(options: RunOptions): Promise<boolean> {
  return report(options, 'post', (o) => closeFromState(o));
}

async function report(
  options: RunOptions,
  kind: Summary['kind'],
  step: (options: RunOptions) => Promise<void>,
): Promise<boolean> {
  const { platform } = options;
  let summarized = false;
  // Notes whether the step wrote a summary, so a failure before that still gets one.
  const watched = new Proxy(platform, {
    get(target, property, receiver) {
      if (property === 'appendSummary')
        return (summary: Summary) => {
          summarized = true;
          return target.appendSummary(summary);
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  try {
    await step({ ...options, platform: watched });
    return true;
  } catch (e) {
    try {
      options.onFailure?.(toJitError(e));
      if (!summarized) await platform.appendSummary(failureSummary(kind, e, platform.frontEnd));
    } catch {
      // A summary that cannot be written must not hide the failure itself.
    }
    try {
      platform.setFailed(describeError(e, platform.frontEnd));
    } catch {
      // A broken adapter must not turn a failure into a crash.
    }
    return false;
  }
}

function failureSummary(kind: Summary['kind'], e: unknown, fe: FrontEnd): Summary {
  const at = new Date().toISOString();
  const problems = problemsOf(e, fe);
  return kind === 'main'
    ? { kind, outcome: 'failed', at, rows: [], problems }
    : { kind, at, closed: [], remaining: [], problems };
}
