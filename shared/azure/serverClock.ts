/**
 * Azure's idea of "now", learned from the ARM `Date` response header.
 *
 * JIT compares `endTimeUtc` with ITS clock: an agent whose clock runs 90 s
 * fast would get 90 s more access than requested, one running slow would get
 * less (or be refused for exceeding maxRequestAccessDuration). So end times
 * are ALWAYS computed from the server-time estimate, whatever the skew; only
 * the warning has a threshold (SKEW_WARN_MS).
 */
import { addMilliseconds, differenceInMilliseconds } from 'date-fns';

/** Skew worth telling the user about: below it the correction is silent. */
export const SKEW_WARN_MS = 2 * 60 * 1000;

export class ServerClock {
  private offset: number | undefined;

  constructor(private readonly localNow: () => Date = () => new Date()) {}

  /** Records a response's `Date` header, read at local time `receivedAt`. */
  observe(dateHeader: string | undefined, receivedAt: Date = this.localNow()): void {
    if (!dateHeader) return;
    const server = new Date(dateHeader);
    if (Number.isNaN(server.getTime())) return;
    // The header is truncated to whole seconds and written before the
    // response reached us, so at `receivedAt` Azure's clock read AT LEAST
    // `server`. Using that lower bound keeps the estimate at or before the
    // true server time: an end time computed from it can only make access
    // (up to ~1 s) SHORTER than asked, never longer.
    this.offset = differenceInMilliseconds(server, receivedAt);
  }

  /** Server time minus local time in ms (lower bound); undefined until a response was seen. */
  get skewMs(): number | undefined {
    return this.offset;
  }

  /** Whether the skew is large enough to mention. */
  get skewed(): boolean {
    return this.offset !== undefined && Math.abs(this.offset) > SKEW_WARN_MS;
  }

  /** Estimated server time: local time corrected by the observed offset (local time until a response was seen). */
  now(): Date {
    return addMilliseconds(this.localNow(), this.offset ?? 0);
  }

  localTime(): Date {
    return this.localNow();
  }
}
