/**
 * The probe's view of the test VM's NSGs: which JIT allow rules are its own
 * (JIT allow name, one of its documentation sources, one of its ports, the VM's
 * private IP in that NSG as destination), waiting for a request's rules to be
 * `Succeeded`, and deleting them. Nothing here reads or writes an NSG that is
 * not on the test VM's path.
 */
import type { SecurityRule } from '@azure/arm-network';
import { isRestError } from '@azure/core-rest-pipeline';
import { sleep } from '../abort';
import type { AzureClients } from '../azure/clients';
import { toAzureError } from '../azure/call';
import { readNsg } from '../azure/nsg';
import { requireResourceId } from '../azure/resourceId';
import type { NsgOnPath, VmTopology } from '../azure/topology';
import {
  destinationAddresses,
  isJitAllowRule,
  ruleDestinations,
  rulePorts,
  ruleSources,
} from '../jit/nsgRules';

/** One JIT allow rule of the probe, as read. */
export interface ProbeRule {
  readonly nsgId: string;
  readonly nsgName: string;
  readonly name: string;
  /** `sourceAddressPrefix` as written (undefined when absent or empty). */
  readonly sourcePrefix?: string;
  readonly sourcePrefixes: readonly string[];
  readonly ports: readonly number[];
  readonly destinations: readonly string[];
  readonly provisioningState?: string;
  readonly priority?: number;
  readonly description?: string;
}

export interface ProbeLog {
  info(message: string): void;
  warning(message: string): void;
}

/** An IPv4 address and its /32 are the same source. */
export function sameSource(a: string, b: string): boolean {
  const strip = (s: string): string => s.trim().replace(/\/32$/, '');
  return strip(a) === strip(b);
}

export const ruleKey = (r: { nsgId: string; name: string }): string => `${r.nsgId.toLowerCase()}|${r.name}`;
/** Name plus what the rule says: a rule JIT rewrites in place counts as new. */
export const ruleSignature = (r: ProbeRule): string =>
  `${ruleKey(r)}|${[r.sourcePrefix ?? '', ...r.sourcePrefixes].join(',')}|${r.ports.join(',')}`;

function toProbeRule(nsg: NsgOnPath, rule: SecurityRule): ProbeRule {
  const p = requireResourceId(nsg.id, 'network security group');
  return {
    nsgId: nsg.id,
    nsgName: p.name,
    name: rule.name ?? '',
    ...(rule.sourceAddressPrefix ? { sourcePrefix: rule.sourceAddressPrefix } : {}),
    sourcePrefixes: [...(rule.sourceAddressPrefixes ?? [])],
    ports: rulePorts(rule)
      .map(Number)
      .filter((n) => Number.isInteger(n)),
    destinations: ruleDestinations(rule),
    ...(rule.provisioningState ? { provisioningState: rule.provisioningState } : {}),
    ...(rule.priority !== undefined ? { priority: rule.priority } : {}),
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
}

/**
 * The probe's rules in the VM's NSGs right now: JIT allow rules whose
 * destination is the VM's IP in that NSG, whose source is one of `sources`
 * (an IP or its /32; undefined: any source) and whose ports are all among `ports`.
 */
export async function readProbeRules(
  clients: AzureClients,
  vm: VmTopology,
  sources: readonly string[] | undefined,
  ports: readonly number[],
  signal?: AbortSignal,
): Promise<ProbeRule[]> {
  const perNsg = await Promise.all(
    vm.nsgs.map(async (nsg) => {
      const group = await readNsg(clients, nsg.id, signal);
      return (group.securityRules ?? [])
        .filter((r) => isJitAllowRule(r))
        .filter((r) => destinationAddresses(r).some((d) => nsg.privateIps.includes(d)))
        .filter((r) => !sources || ruleSources(r).some((s) => sources.some((mine) => sameSource(s, mine))))
        .map((r) => toProbeRule(nsg, r))
        .filter((r) => r.ports.length > 0 && r.ports.every((n) => ports.includes(n)));
    }),
  );
  return perNsg.flat();
}

/** What one request asked for. */
export interface ProbeRequest {
  readonly label: string;
  readonly ports: readonly number[];
  readonly source: string;
}

export interface WaitResult {
  /** The rules this request caused, as last read (all `Succeeded` when `complete`). */
  readonly rules: readonly ProbeRule[];
  /** Per rule: ms from the 202 to the first read that showed it `Succeeded`. */
  readonly samplesMs: readonly number[];
  readonly complete: boolean;
  /** NSG + port pairs still without a live rule when the wait gave up. */
  readonly missing: readonly string[];
}

const POLL_STEPS_MS = [0, 250, 250, 500, 500, 1000, 1000, 2000] as const;
const PROGRESS_EVERY_MS = 5000;

/**
 * Polls the VM's NSGs until every NSG on its path has a `Succeeded` rule for
 * each requested port from the request's source that was not there before
 * (`before`: signatures read just before the initiate). Never throws on a
 * timeout: the result says what is missing.
 */
export async function waitForRules(
  clients: AzureClients,
  vm: VmTopology,
  request: ProbeRequest,
  allSources: readonly string[],
  allPorts: readonly number[],
  before: ReadonlySet<string>,
  acceptedAt: number,
  timeoutMs: number,
  log: ProbeLog,
  signal?: AbortSignal,
): Promise<WaitResult> {
  const liveAt = new Map<string, number>();
  let lastProgress = Date.now();
  for (let i = 0; ; i++) {
    const rules = (await readProbeRules(clients, vm, allSources, allPorts, signal)).filter(
      (r) =>
        !before.has(ruleSignature(r)) &&
        [r.sourcePrefix, ...r.sourcePrefixes].some((s) => s !== undefined && sameSource(s, request.source)) &&
        r.ports.some((p) => request.ports.includes(p)),
    );
    const now = Date.now();
    for (const r of rules) {
      if (r.provisioningState?.toLowerCase() === 'succeeded' && !liveAt.has(ruleKey(r)))
        liveAt.set(ruleKey(r), now);
    }
    const missing: string[] = [];
    for (const nsg of vm.nsgs) {
      const name = requireResourceId(nsg.id, 'network security group').name;
      for (const port of request.ports) {
        const live = rules.some(
          (r) =>
            r.nsgId.toLowerCase() === nsg.id.toLowerCase() &&
            r.ports.includes(port) &&
            liveAt.has(ruleKey(r)),
        );
        if (!live) missing.push(`${name} port ${port}`);
      }
    }
    const samplesMs = [...liveAt.values()].map((t) => Math.max(0, t - acceptedAt));
    if (missing.length === 0) return { rules, samplesMs, complete: true, missing };
    if (now - acceptedAt >= timeoutMs) return { rules, samplesMs, complete: false, missing };
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      log.info(
        `Waiting for the allow rule of ${request.label} (${Math.round((now - acceptedAt) / 1000)} s so far); not live yet: ${missing.join(', ')}.`,
      );
    }
    await sleep(
      POLL_STEPS_MS[Math.min(i + 1, POLL_STEPS_MS.length - 1)] ?? 2000,
      signal,
      'waiting for a rule',
    );
  }
}

export type DeleteOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly status?: number; readonly code: string; readonly retryAfterMs?: number };

/** One DELETE of a rule, waited for; a refusal is returned (not thrown) so the caller can see a 409. */
export async function deleteRule(
  clients: AzureClients,
  rule: ProbeRule,
  signal?: AbortSignal,
): Promise<DeleteOutcome> {
  const p = requireResourceId(rule.nsgId, 'network security group');
  try {
    await clients
      .network(p.subscriptionId)
      .securityRules.beginDeleteAndWait(p.resourceGroup, p.name, rule.name, {
        updateIntervalInMs: 1000,
        ...(signal ? { abortSignal: signal } : {}),
      });
    return { ok: true };
  } catch (e) {
    // Accepted, but following the operation failed (e.g. 403 on the subscription-level
    // operation URL for a role held on the resource group only): read the NSG back instead.
    if (isRestError(e) && e.request?.method === 'GET') return confirmGone(clients, rule, signal);
    if (isRestError(e) && e.statusCode !== undefined) {
      const retry = Number(e.response?.headers.get('retry-after'));
      const body = safeJson(e.response?.bodyAsText);
      return {
        ok: false,
        status: e.statusCode,
        code: body?.error?.code ?? e.code ?? '',
        ...(Number.isFinite(retry) && retry > 0 ? { retryAfterMs: retry * 1000 } : {}),
      };
    }
    throw toAzureError(e, `delete NSG rule '${rule.name}' in '${p.name}'`, signal);
  }
}

/** Reads the rule's NSG until the rule is gone (at most a minute). */
async function confirmGone(
  clients: AzureClients,
  rule: ProbeRule,
  signal?: AbortSignal,
): Promise<DeleteOutcome> {
  const until = Date.now() + 60_000;
  for (;;) {
    const nsg = await readNsg(clients, rule.nsgId, signal);
    if (!(nsg.securityRules ?? []).some((r) => r.name === rule.name)) return { ok: true };
    if (Date.now() > until) return { ok: false, code: 'DeleteNotConfirmed' };
    await sleep(1000, signal, 'waiting for a rule to be deleted');
  }
}

function safeJson(text: string | null | undefined): { error?: { code?: string } } | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as { error?: { code?: string } };
  } catch {
    return undefined;
  }
}

export const ANOTHER_OPERATION = 'AnotherOperationInProgress';

/**
 * Deletes a rule, waiting and retrying while the NSG is busy (409
 * AnotherOperationInProgress, Retry-After) until `deadline`. Other refusals
 * are returned as they are.
 */
export async function deleteWithRetry(
  clients: AzureClients,
  rule: ProbeRule,
  deadline: number,
  log: ProbeLog,
  onConflict: () => void,
  signal?: AbortSignal,
): Promise<DeleteOutcome> {
  for (;;) {
    const outcome = await deleteRule(clients, rule, signal);
    if (outcome.ok || outcome.code !== ANOTHER_OPERATION) return outcome;
    onConflict();
    const wait = Math.min(Math.max(outcome.retryAfterMs ?? 2000, 500), 30_000);
    if (Date.now() + wait > deadline) return outcome;
    log.info(
      `NSG ${rule.nsgName} is busy (409 ${ANOTHER_OPERATION}); deleting ${rule.name} again in ${wait / 1000} s.`,
    );
    await sleep(wait, signal, 'waiting for a busy NSG');
  }
}
