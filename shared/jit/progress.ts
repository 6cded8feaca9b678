/**
 * Progress while waiting for the JIT allow rules: the wait can take minutes
 * and a silent log looks hung. A line at each change (a rule shows up in an
 * NSG, a rule is `Succeeded`), a first "waiting" line per VM/NSG at once, and
 * otherwise one line per pending VM/NSG every `intervalMs` (10 s):
 *
 *   web-01: waiting for the allow rule in web-01-nsg (NIC), 20 s of 300 s
 *   web-01: rule SecurityCenter-JITRule-… is Updating in web-01-nsg
 *   web-01: rule SecurityCenter-JITRule-… live in web-01-nsg after 4.1 s
 *
 * The wait calls the three hooks; this module decides what to say and when,
 * and remembers how long each rule took (for the summary).
 */
import { nameFromId, normalizeId } from '../azure/resourceId';
import { formatSeconds } from '../summary';
import type { Expectation } from './expectation';

export const PROGRESS_INTERVAL_MS = 10_000;

/** What the wait tells progress; all optional for callers that need no progress. */
export interface WaitProgress {
  /** A rule for `e` is present but not live yet (provisioning state, e.g. `Updating`). */
  ruleSeen(e: Expectation, rule: string, state: string): void;
  /** The rule for `e` is live. */
  ruleLive(e: Expectation, rule: string): void;
  /** After each round of NSG reads, with the expectations still pending. */
  round(pending: readonly Expectation[]): void;
}

export interface ProgressOptions {
  readonly timeoutMs: number;
  /** Where the lines go (the platform's info). */
  readonly report: (line: string) => void;
  /**
   * A terminal's updating status line: told the pending VM/NSGs at every round, and then the
   * periodic "waiting" lines are not reported (the status line shows them).
   */
  readonly status?: (text: string) => void;
  /** Between two "waiting" lines for the same VM/NSG; injectable for tests. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

function nsgLabel(e: Expectation): string {
  const level = e.vm.nsgs.find((n) => normalizeId(n.id) === normalizeId(e.nsgId))?.level;
  return `${nameFromId(e.nsgId)}${level ? ` (${level === 'nic' ? 'NIC' : level})` : ''}`;
}

/** One VM/NSG pair: several ports share an NSG and are reported as one line. */
const slot = (e: Expectation): string => `${e.vm.name.toLowerCase()}|${normalizeId(e.nsgId)}`;

export class ProgressTracker implements WaitProgress {
  private readonly started: number;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private lastWaitingLine: number | undefined;
  private readonly seen = new Map<Expectation, string>();
  /** How many expectations of a slot are in each state (`slot|rule|state`): a lookup, not a scan of all. */
  private readonly seenPerSlot = new Map<string, number>();
  private readonly liveAfter = new Map<Expectation, number>();
  private readonly liveSlots = new Set<string>();

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  ruleSeen(e: Expectation, rule: string, state: string): void {
    const key = `${rule.toLowerCase()}|${state}`;
    const before = this.seen.get(e);
    if (before === key) return;
    const at = slot(e);
    if (before !== undefined) this.count(`${at}|${before}`, -1);
    // Several ports of one VM in one NSG share a rule: say it once.
    const sameSlot = (this.seenPerSlot.get(`${at}|${key}`) ?? 0) > 0;
    this.seen.set(e, key);
    this.count(`${at}|${key}`, 1);
    if (!sameSlot) this.options.report(`${e.vm.name}: rule ${rule} is ${state} in ${nsgLabel(e)}`);
  }

  ruleLive(e: Expectation, rule: string): void {
    if (this.liveAfter.has(e)) return;
    const after = this.now() - this.started;
    const at = slot(e);
    const sameSlot = this.liveSlots.has(at);
    this.liveAfter.set(e, after);
    this.liveSlots.add(at);
    if (!sameSlot)
      this.options.report(
        `${e.vm.name}: rule ${rule} live in ${nameFromId(e.nsgId)} after ${formatSeconds(after)}`,
      );
  }

  round(pending: readonly Expectation[]): void {
    const t = this.now();
    if (pending.length === 0) return;
    const elapsed = Math.round((t - this.started) / 1000);
    const total = Math.round(this.options.timeoutMs / 1000);
    const slots = new Map<string, Expectation>();
    for (const e of pending) if (!slots.has(slot(e))) slots.set(slot(e), e);
    const lines = [...slots.values()].map(
      (e) => `${e.vm.name}: waiting for the allow rule in ${nsgLabel(e)}, ${elapsed} s of ${total} s`,
    );
    if (this.options.status) {
      const [first = '', ...rest] = lines;
      this.options.status(rest.length === 0 ? first : `${first} (and ${rest.length} more NSG(s))`);
      return;
    }
    if (this.lastWaitingLine !== undefined && t - this.lastWaitingLine < this.intervalMs) return;
    this.lastWaitingLine = t;
    for (const line of lines) this.options.report(line);
  }

  private count(key: string, by: number): void {
    const n = (this.seenPerSlot.get(key) ?? 0) + by;
    if (n > 0) this.seenPerSlot.set(key, n);
    else this.seenPerSlot.delete(key);
  }

  /** How long after the wait started `e`'s rule was seen live. */
  liveAfterMs(e: Expectation): number | undefined {
    return this.liveAfter.get(e);
  }
}
