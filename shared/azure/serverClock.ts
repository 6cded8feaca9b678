/**
 * Azure's idea of "now", learned from the ARM `Date` response header.
 *
 * JIT compares `endTimeUtc` with ITS clock: an agent whose clock runs 10
 * minutes fast would ask for 10 minutes less than requested (or be refused for
 * exceeding maxRequestAccessDuration when it runs slow). So end times are
 * computed from server time, and a skew beyond SKEW_WARN_MS is reported.
 */

/** Skew worth telling the user about: Date has 1 s resolution, and a couple of minutes is harmless noise elsewhere. */
export const SKEW_WARN_MS = 2 * 60 * 1000;

export class ServerClock {
  private offset: number | undefined;

  constructor(private readonly localNow: () => Date = () => new Date()) {}

  /** Records a response's `Date` header, read at local time `receivedAt`. */
  observe(dateHeader: string | undefined, receivedAt: Date = this.localNow()): void {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (!Number.isFinite(server)) return;
    // The header is truncated to whole seconds: add half a second so the
    // estimate is centred rather than always early.
    this.offset = server + 500 - receivedAt.getTime();
  }

  /** Server time minus local time in ms; undefined until a response was seen. */
  get skewMs(): number | undefined {
    return this.offset;
  }

  /** Whether the skew is large enough to mention. */
  get skewed(): boolean {
    return this.offset !== undefined && Math.abs(this.offset) > SKEW_WARN_MS;
  }

  /** Local time corrected by the observed skew (only when it matters; sub-threshold noise is ignored). */
  now(): Date {
    const local = this.localNow().getTime();
    return new Date(this.skewed && this.offset !== undefined ? local + this.offset : local);
  }

  localTime(): Date {
    return this.localNow();
  }
}
