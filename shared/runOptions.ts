/**
 * What a front-end hands `runMain`/`runPost` (shared/run.ts). In a file of its
 * own so that the phases (jit/mainFlow.ts, jit/postFlow.ts) can take it
 * without importing run.ts, which imports them.
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
  /** Between two "waiting for the allow rule" lines (default 10 s); injectable for tests. */
  readonly progressIntervalMs?: number;
}
