/**
 * Waits until every NSG on every VM's path holds a live JIT allow rule for our
 * source, port and the VM's private IP. Polls the NSGs (the Network provider's
 * read budget is large), never the JIT policy; the policy is read once, only
 * to confirm a suspected supersession.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { AzureClients } from '../azure/clients';
import { isNotFound } from '../azure/call';
import { nsgReadCalls, readNsgs } from '../azure/nsg';
import { nameFromId, normalizeId } from '../azure/resourceId';
import { AzureApiError, PolicyError, SupersededError, TimeoutError, toJitError } from '../errors';
import type { Expectation, FoundRule } from './expectation';
import {
  destinationAddresses,
  hasSource,
  isLive,
  matchesTarget,
  ruleSources,
  sameIgnoringCase,
  sameSlot,
} from './nsgRules';
import type { WaitProgress } from './progress';
import type { RuleSnapshot } from './snapshot';
import { samePrefix } from './sourcePrefix';
import { describeNewer, findSupersession, newerWhileOursIsGone, readPolicy } from './supersede';
import { sleep, withDeadline } from '../abort';

export interface WaitOptions {
  /** Our prefix; undefined for `source: azure` (learnt from the first new rule). */
  readonly source?: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number | 'auto';
  readonly signal?: AbortSignal;
  readonly snapshot: RuleSnapshot;
  readonly debug: (message: string) => void;
  readonly info: (message: string) => void;
  /** Told each change and each round, to show progress (`progress.ts`). */
  readonly progress?: WaitProgress;
}

export interface WaitResult {
  readonly rules: readonly FoundRule[];
  readonly source: string;
}

/**
 * Automatic polling: the allow rule usually lands within seconds, so poll
 * fast at first and back off later; and never exceed AUTO_READS_PER_SECOND
 * NSG read calls across all NSGs (the Network provider allows ~33 reads/s per
 * subscription and principal, shared with everything else in the pipeline).
 * A round's calls are its GETs and lists (one list reads a resource group's
 * NSGs: 55 NSGs in 5 groups are 5 calls a round, not 55).
 */
const FAST_POLL_MS = 500;
const FAST_PHASE_MS = 30_000;
const MEDIUM_POLL_MS = 2_000;
const MEDIUM_PHASE_MS = 120_000;
const SLOW_POLL_MS = 5_000;
const AUTO_READS_PER_SECOND = 10;

export function autoPollInterval(elapsedMs: number, readsPerRound: number): number {
  const byPhase =
    elapsedMs < FAST_PHASE_MS ? FAST_POLL_MS : elapsedMs < MEDIUM_PHASE_MS ? MEDIUM_POLL_MS : SLOW_POLL_MS;
  return Math.max(byPhase, Math.ceil((readsPerRound * 1000) / AUTO_READS_PER_SECOND));
}
/** Policy reads allowed per policy to confirm supersession (the Security read budget is small). */
const MAX_CONFIRMATIONS = 2;

export async function waitForRules(
  clients: AzureClients,
  expectations: readonly Expectation[],
  options: WaitOptions,
): Promise<WaitResult> {
  const state = new WaitState(expectations, options);
  const deadline = withDeadline(options.signal, options.timeoutMs, () => state.timeoutError());
  const started = Date.now();
  const nsgIds = [...new Map(expectations.map((e) => [normalizeId(e.nsgId), e.nsgId])).values()];
  try {
    for (;;) {
      const nsgs = await Promise.all(
        readNsgs(clients, nsgIds, deadline.signal).map(({ id, read }) =>
          read.catch((e: unknown) => transient(e, id, options)),
        ),
      );
      const suspects = state.evaluate(
        new Map(
          nsgIds.flatMap((id, i) => {
            const nsg = nsgs[i];
            return nsg ? [[normalizeId(id), nsg.securityRules ?? []] as const] : [];
          }),
        ),
      );
      // One policy read per policy per round, whatever the number of suspect rules.
      const byPolicy = new Map<string, Expectation[]>();
      for (const e of suspects)
        byPolicy.set(e.request.plan.policy.id, [...(byPolicy.get(e.request.plan.policy.id) ?? []), e]);
      for (const group of byPolicy.values()) await state.confirmSuperseded(clients, group, deadline.signal);
      if (state.done) return state.result();
      options.progress?.round(state.missing);
      const interval =
        options.pollIntervalMs === 'auto'
          ? autoPollInterval(Date.now() - started, nsgReadCalls(clients, nsgIds))
          : options.pollIntervalMs;
      await sleep(interval, deadline.signal, 'waiting for the JIT rules');
    }
  } finally {
    deadline.dispose();
  }
}

/** The bookkeeping of one wait: which expectations are met, and by which rule. */
class WaitState {
  private readonly found = new Map<Expectation, FoundRule>();
  private readonly pending = new Map<Expectation, string>();
  private readonly confirmations = new Map<string, number>();
  private learnedSource: string | undefined;

  constructor(
    private readonly expectations: readonly Expectation[],
    private readonly options: WaitOptions,
  ) {
    this.learnedSource = options.source;
  }

  get missing(): Expectation[] {
    return this.expectations.filter((e) => !this.found.has(e));
  }

  get done(): boolean {
    return this.found.size === this.expectations.length;
  }

  result(): WaitResult {
    return {
      rules: this.expectations.map((e) => this.found.get(e) as FoundRule),
      source: this.learnedSource ?? '',
    };
  }

  /**
   * Updates the found rules from a fresh read of the NSGs (an NSG whose read
   * failed this round is absent and keeps its state); returns expectations
   * that look superseded.
   */
  evaluate(rulesByNsg: ReadonlyMap<string, readonly SecurityRule[]>): Expectation[] {
    const suspects: Expectation[] = [];
    if (this.learnedSource === undefined) this.learn(rulesByNsg);
    for (const e of this.expectations) {
      const key = normalizeId(e.nsgId);
      const read = rulesByNsg.get(key);
      if (!read) continue;
      const rules = read.filter((r) => sameSlot(r, e.target));
      const isNew = this.isNew(key);
      const had = this.found.get(e);
      if (had && !rules.some((r) => sameIgnoringCase(r.name, had.name))) {
        this.found.delete(e);
        suspects.push(e);
        continue;
      }
      if (had) continue;
      const source = this.learnedSource;
      const target = source === undefined ? undefined : { ...e.target, source };
      const ours = target ? rules.filter((r) => matchesTarget(r, target)) : [];
      const pick = ours.find((r) => isNew(r) && isLive(r));
      if (pick) {
        this.found.set(e, {
          expectation: e,
          name: pick.name ?? '',
          source: source ?? '',
          destination:
            destinationAddresses(pick).find((d) => e.target.destinations.includes(d)) ??
            e.target.destinations[0] ??
            '',
        });
        this.pending.delete(e);
        this.options.progress?.ruleLive(e, pick.name ?? '');
        continue;
      }
      const notLive = ours.find((r) => !isLive(r));
      if (notLive) {
        const stateText = notLive.provisioningState ?? 'not provisioned';
        this.pending.set(e, `rule ${notLive.name ?? '?'} is ${stateText}`);
        this.options.progress?.ruleSeen(e, notLive.name ?? '?', stateText);
      } else if (ours.length > 0)
        this.pending.set(e, `only rule ${ours[0]?.name ?? '?'}, which existed before this request`);
      // A new JIT rule for the same VM port but another source: someone else's request took the slot.
      if (source !== undefined && rules.some((r) => isNew(r) && !hasSource(r, source))) suspects.push(e);
    }
    return suspects;
  }

  private isNew(nsgKey: string): (r: SecurityRule) => boolean {
    const before = this.options.snapshot.get(nsgKey) ?? new Set<string>();
    return (r) => !before.has((r.name ?? '').toLowerCase());
  }

  /**
   * `source: azure` when neither the 202 nor our history entry said which
   * address Azure allowed: learn it from the new live rules of our slots, but
   * only when they all carry the same one source. Two candidates mean
   * another job opened the same VM port meanwhile; guessing could adopt
   * (and later delete) its rule.
   */
  private learn(rulesByNsg: ReadonlyMap<string, readonly SecurityRule[]>): void {
    const sources: string[] = [];
    for (const e of this.expectations) {
      const key = normalizeId(e.nsgId);
      const isNew = this.isNew(key);
      for (const r of rulesByNsg.get(key) ?? []) {
        if (!sameSlot(r, e.target) || !isNew(r) || !isLive(r)) continue;
        const s = ruleSources(r);
        if (s.length !== 1) continue;
        if (!sources.some((x) => samePrefix(x, s[0] as string))) sources.push(s[0] as string);
      }
    }
    if (sources.length === 0) return;
    if (sources.length > 1) {
      throw new PolicyError(
        (fe) =>
          `${fe.setting('source', 'azure')}: this run's request did not say which address Azure allowed, and new JIT rules for the same VM ports allow several (${sources.join(', ')}), so this run cannot tell which is its own`,
        (fe) =>
          `Set ${fe.quote('source')} to this agent's address (or \`auto\`) so the rule can be identified; ${fe.closer} closes only what it can prove is this run's.`,
      );
    }
    const source = sources[0] as string;
    this.learnedSource = source;
    this.options.info(`Azure opened access for source ${source} (the address the request came from).`);
  }

  /** Reads the policy ONCE and fails if any of `group` (same policy) was superseded. */
  async confirmSuperseded(
    clients: AzureClients,
    group: readonly Expectation[],
    signal: AbortSignal,
  ): Promise<void> {
    const first = group[0];
    if (!first) return;
    const policy = first.request.plan.policy;
    const used = this.confirmations.get(policy.id) ?? 0;
    if (used >= MAX_CONFIRMATIONS) return;
    this.confirmations.set(policy.id, used + 1);
    this.options.debug(
      `JIT rules changed for ${group.map((e) => `${e.vm.name}:${e.target.port}`).join(', ')}; checking policy '${policy.name}' for a newer request.`,
    );
    const current = await readPolicy(clients, policy, signal);
    for (const e of group) {
      const key = {
        vmId: e.vm.id,
        port: e.target.port,
        endTimeUtc: e.request.endTimeUtc,
        ...(this.learnedSource !== undefined ? { source: this.learnedSource } : {}),
      };
      const newer = findSupersession(current, key);
      if (!newer) {
        // A trimmed history proves nothing either way: keep waiting, but say what it shows.
        const likely = newerWhileOursIsGone(current, key, e.request.startTimeUtc);
        if (likely)
          this.pending.set(
            e,
            `no matching JIT allow rule; policy '${policy.name}' no longer lists this run's request in its history but lists ${describeNewer(likely)} for this VM port, which has probably replaced it`,
          );
        continue;
      }
      throw new SupersededError(
        `Our JIT request for VM ${e.vm.name} port ${e.target.port} (policy '${policy.name}', started ${e.request.startTimeUtc}) ` +
          `was superseded by ${describeNewer(newer)}: JIT keeps one request per VM port and replaced our allow rule.`,
      );
    }
  }

  timeoutError(): TimeoutError {
    const missing = this.expectations.filter((e) => !this.found.has(e));
    const lines = missing.map((e) => {
      const why = this.pending.get(e) ?? 'no matching JIT allow rule yet';
      const src = this.learnedSource ?? e.target.source ?? 'the caller address';
      return `  - VM ${e.vm.name} port ${e.target.port}: NSG ${nameFromId(e.nsgId)} (${e.nsgId}) has ${why} (want Allow Inbound from ${src} to ${e.target.destinations.join(' or ')})`;
    });
    return new TimeoutError(
      `The JIT allow rules were not all live after ${Math.round(this.options.timeoutMs / 1000)} s. Still missing:\n${lines.join('\n')}`,
      (fe) =>
        'Check the request under Defender for Cloud → Just-in-time VM access (it must show as approved), that nothing ' +
        `(Azure Policy, a resource lock, another automation) blocks or reverts changes to these NSGs, then raise ${fe.input('wait-timeout')} and run again. ` +
        `${fe.closer.replace(/^./, (c) => c.toUpperCase())} still closes whatever was opened.`,
    );
  }
}

/**
 * A failed NSG read while waiting: 404 (replication lag, a redeploy), 5xx and
 * lost connections are retried on the next round until wait-timeout; a
 * refusal (401/403, 400) is final.
 */
function transient(e: unknown, nsgId: string, options: WaitOptions): undefined {
  const err = toJitError(e);
  if (options.signal?.aborted) throw err;
  const status = err instanceof AzureApiError ? err.status : undefined;
  const retry =
    err instanceof AzureApiError &&
    (isNotFound(err) || status === undefined || status >= 500 || status === 429);
  if (!retry) throw err;
  options.info(
    `Reading NSG ${nameFromId(nsgId)} failed (${err.message}); retrying until the wait times out.`,
  );
  return undefined;
}
