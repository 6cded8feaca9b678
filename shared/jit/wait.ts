/**
 * Waits until every NSG on every VM's path holds a live JIT allow rule for our
 * source, port and the VM's private IP. Polls the NSGs (the Network provider's
 * read budget is large), never the JIT policy; the policy is read once, only
 * to confirm a suspected supersession.
 */
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { normalizeId, requireResourceId } from '../azure/resourceId';
import type { VmTopology } from '../azure/topology';
import { SupersededError, TimeoutError } from '../errors';
import type { AcceptedRequest } from './initiate';
import {
  isJitAllowRule,
  isLive,
  matchesTarget,
  ruleDestinations,
  ruleSources,
  sameSlot,
  type RuleTarget,
} from './nsgRules';
import { describeNewer, findNewerRequest, readPolicy } from './supersede';
import { sleep, withDeadline } from '../abort';

/** JIT allow rule names per NSG (lower-cased keys) seen before initiate. */
export type RuleSnapshot = ReadonlyMap<string, ReadonlySet<string>>;

/** One rule we wait for: a VM port in one NSG. */
export interface Expectation {
  readonly request: AcceptedRequest;
  readonly vm: VmTopology;
  readonly nsgId: string;
  readonly target: RuleTarget;
}

export interface FoundRule {
  readonly expectation: Expectation;
  readonly name: string;
  readonly source: string;
  readonly destination: string;
}

export interface WaitOptions {
  /** Our prefix; undefined for `source: azure` (learnt from the first new rule). */
  readonly source?: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number | 'auto';
  readonly signal?: AbortSignal;
  readonly snapshot: RuleSnapshot;
  readonly debug: (message: string) => void;
  readonly info: (message: string) => void;
}

export interface WaitResult {
  readonly rules: readonly FoundRule[];
  readonly source: string;
}

/**
 * Automatic polling: the allow rule usually lands within seconds, so poll
 * fast at first and back off later; and never exceed AUTO_READS_PER_SECOND
 * NSG reads across all NSGs (the Network provider allows ~33 reads/s per
 * subscription and principal, shared with everything else in the pipeline).
 */
const FAST_POLL_MS = 500;
const FAST_PHASE_MS = 30_000;
const MEDIUM_POLL_MS = 2_000;
const MEDIUM_PHASE_MS = 120_000;
const SLOW_POLL_MS = 5_000;
const AUTO_READS_PER_SECOND = 10;

export function autoPollInterval(elapsedMs: number, nsgCount: number): number {
  const byPhase =
    elapsedMs < FAST_PHASE_MS ? FAST_POLL_MS : elapsedMs < MEDIUM_PHASE_MS ? MEDIUM_POLL_MS : SLOW_POLL_MS;
  return Math.max(byPhase, Math.ceil((nsgCount * 1000) / AUTO_READS_PER_SECOND));
}
/** A rule that already existed before our initiate is accepted only if no new one shows up within this grace. */
const PRE_EXISTING_GRACE_MS = 30_000;
/** Policy reads allowed per policy to confirm supersession (the Security read budget is small). */
const MAX_CONFIRMATIONS = 2;

/** Reads the JIT allow rules present in each NSG before initiate, to tell new rules from old. */
export async function snapshotRules(
  clients: AzureClients,
  nsgIds: readonly string[],
  signal?: AbortSignal,
): Promise<RuleSnapshot> {
  const unique = [...new Map(nsgIds.map((id) => [normalizeId(id), id])).values()];
  const entries = await Promise.all(
    unique.map(async (id) => {
      const nsg = await readNsg(clients, id, signal);
      const names = (nsg.securityRules ?? []).filter(isJitAllowRule).map((r) => (r.name ?? '').toLowerCase());
      return [normalizeId(id), new Set(names)] as const;
    }),
  );
  return new Map(entries);
}

export function expectationsFor(
  requests: readonly AcceptedRequest[],
  source: string | undefined,
): Expectation[] {
  return requests.flatMap((request) =>
    request.plan.vms.flatMap((planned) =>
      planned.match.vm.nsgs.flatMap((nsg) =>
        planned.ports.map((port) => ({
          request,
          vm: planned.match.vm,
          nsgId: nsg.id,
          target: {
            port: port.number,
            destinations: nsg.privateIps.length > 0 ? nsg.privateIps : planned.match.vm.privateIps,
            protocol: port.protocol,
            ...(source !== undefined ? { source } : {}),
          },
        })),
      ),
    ),
  );
}

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
      const nsgs = await Promise.all(nsgIds.map((id) => readNsg(clients, id, deadline.signal)));
      const suspects = state.evaluate(
        new Map(nsgIds.map((id, i) => [normalizeId(id), nsgs[i]?.securityRules ?? []])),
        Date.now() - started >= Math.min(PRE_EXISTING_GRACE_MS, options.timeoutMs / 2),
      );
      // One policy read per policy per round, whatever the number of suspect rules.
      const byPolicy = new Map<string, Expectation[]>();
      for (const e of suspects)
        byPolicy.set(e.request.plan.policy.id, [...(byPolicy.get(e.request.plan.policy.id) ?? []), e]);
      for (const group of byPolicy.values()) await state.confirmSuperseded(clients, group, deadline.signal);
      if (state.done) return state.result();
      const interval =
        options.pollIntervalMs === 'auto'
          ? autoPollInterval(Date.now() - started, nsgIds.length)
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

  get done(): boolean {
    return this.found.size === this.expectations.length;
  }

  result(): WaitResult {
    return {
      rules: this.expectations.map((e) => this.found.get(e) as FoundRule),
      source: this.learnedSource ?? '',
    };
  }

  /** Updates the found rules from a fresh read of the NSGs; returns expectations that look superseded. */
  evaluate(rulesByNsg: ReadonlyMap<string, readonly SecurityRule[]>, graceOver: boolean): Expectation[] {
    const suspects: Expectation[] = [];
    for (const e of this.expectations) {
      const key = normalizeId(e.nsgId);
      const rules = (rulesByNsg.get(key) ?? []).filter((r) => sameSlot(r, e.target));
      const before = this.options.snapshot.get(key) ?? new Set<string>();
      const isNew = (r: SecurityRule): boolean => !before.has((r.name ?? '').toLowerCase());
      const had = this.found.get(e);
      if (had && !rules.some((r) => eqName(r.name, had.name))) {
        this.found.delete(e);
        suspects.push(e);
        continue;
      }
      if (had) continue;
      if (this.learnedSource === undefined) this.learn(rules.filter((r) => isNew(r) && isLive(r)));
      const source = this.learnedSource;
      const target = source === undefined ? undefined : { ...e.target, source };
      const ours = target ? rules.filter((r) => matchesTarget(r, target)) : [];
      const pick = ours.find((r) => isNew(r) && isLive(r)) ?? (graceOver ? ours.find(isLive) : undefined);
      if (pick) {
        this.found.set(e, {
          expectation: e,
          name: pick.name ?? '',
          source: source ?? '',
          destination:
            ruleDestinations(pick)
              .map((d) => d.split('/')[0] ?? d)
              .find((d) => e.target.destinations.includes(d)) ??
            e.target.destinations[0] ??
            '',
        });
        this.pending.delete(e);
        continue;
      }
      const notLive = ours.find((r) => !isLive(r));
      if (notLive)
        this.pending.set(
          e,
          `rule ${notLive.name ?? '?'} is ${notLive.provisioningState ?? 'not provisioned'}`,
        );
      else if (ours.length > 0)
        this.pending.set(e, `only rule ${ours[0]?.name ?? '?'}, which existed before this request`);
      // A new JIT rule for the same VM port but another source: someone else's request took the slot.
      if (source !== undefined && rules.some((r) => isNew(r) && !ruleSources(r).includes(source)))
        suspects.push(e);
    }
    return suspects;
  }

  private learn(candidates: readonly SecurityRule[]): void {
    const source = candidates.map((r) => ruleSources(r)[0]).find((s) => s !== undefined);
    if (source === undefined) return;
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
      const newer = findNewerRequest(current, e.vm.id, e.target.port, e.request.startTimeUtc);
      if (!newer) continue;
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
      return `  - VM ${e.vm.name} port ${e.target.port}: NSG ${nsgName(e.nsgId)} (${e.nsgId}) has ${why} (want Allow Inbound from ${src} to ${e.target.destinations.join(' or ')})`;
    });
    return new TimeoutError(
      `The JIT allow rules were not all live after ${Math.round(this.options.timeoutMs / 1000)} s. Still missing:\n${lines.join('\n')}`,
      'Check the request under Defender for Cloud → Just-in-time VM access (it must show as approved), that nothing ' +
        '(Azure Policy, a resource lock, another automation) blocks or reverts changes to these NSGs, then raise wait-timeout and run again. ' +
        'The post step still closes whatever was opened.',
      this.options.timeoutMs,
    );
  }
}

async function readNsg(
  clients: AzureClients,
  id: string,
  signal?: AbortSignal,
): Promise<NetworkSecurityGroup> {
  const p = requireResourceId(id, 'network security group');
  return azureCall(`read network security group '${p.name}'`, signal, (o) =>
    clients.network(p.subscriptionId).networkSecurityGroups.get(p.resourceGroup, p.name, o),
  );
}

export { readNsg };

function nsgName(id: string): string {
  return id.split('/').pop() ?? id;
}

function eqName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}
