/**
 * What a step did, as data: `runMain` and `runPost` resolve to these, so a
 * front-end chooses its exit code, its next-step hints and its rendering from
 * typed fields, never from log text, outputs or the state it saved.
 */
import type { JitError } from './errors';
import type { CloseReport } from './jit/close';
import type { Target } from './jit/targets';
import type { MainSummary, PostSummary } from './summary';

interface MainFields {
  /**
   * The state saved for post records a request: something this run sent may
   * be open, and post (or the CLI's `close`) closes it.
   */
  readonly recorded: boolean;
}

export interface MainSuccess extends MainFields {
  readonly ok: true;
  /** Checked against the policies only; nothing was requested. */
  readonly dryRun: boolean;
  /** Per VM: where to connect and what is open (empty for a dry run). */
  readonly targets: readonly Target[];
  /** The earliest end time of the access opened (absent for a dry run). */
  readonly expiresAt?: string;
  readonly summary: MainSummary;
}

export interface MainFailure extends MainFields {
  readonly ok: false;
  readonly error: JitError;
  readonly summary: MainSummary;
}

export type MainOutcome = MainSuccess | MainFailure;

/**
 * How post ended when it did not fail:
 * - `nothing-to-close`: main opened nothing (no state, or no request accepted);
 * - `closed`: everything this run opened is closed (the state is cleared);
 * - `incomplete`: something of ours may still be open; the report says what and why, the state is kept;
 * - `left-open`: `close-on-post: none`, access stays until its end time on purpose;
 * - `state-unreadable`: the saved state could not be read; nothing was closed.
 */
export type PostResult = 'nothing-to-close' | 'closed' | 'incomplete' | 'left-open' | 'state-unreadable';

export interface PostSuccess {
  readonly ok: true;
  readonly result: PostResult;
  /** Per rule: what was done and why (present when post looked at Azure). */
  readonly report?: CloseReport;
  readonly summary?: PostSummary;
}

export interface PostFailure {
  readonly ok: false;
  readonly error: JitError;
  readonly summary: PostSummary;
}

export type PostOutcome = PostSuccess | PostFailure;

/** Whether post left something of this run open (its state is kept so that a retry can close it). */
export function leftOpen(outcome: PostOutcome): boolean {
  return outcome.ok && outcome.result !== 'closed' && outcome.result !== 'nothing-to-close';
}
