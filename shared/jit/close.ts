/**
 * Post: closes exactly what main opened. A rule is deleted only if it is
 * still OURS: it matches our recorded source, port and destination, and no
 * newer request for that VM port exists (JIT replaced or reused the slot for
 * someone else: their access must survive our cleanup). Deletes are waited
 * for and confirmed with a GET that returns 404. Running twice is harmless.
 */
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall, isNotFound } from '../azure/call';
import { normalizeId, requireResourceId } from '../azure/resourceId';
import { AzureApiError, toJitError } from '../errors';
import type { JitState, StateRequest, StateRule, StateVm } from '../state';
import { matchesTarget, ruleDestinations } from './nsgRules';
import { sleep } from '../abort';
import { describeNewer, findNewerRequest, ourPortStatus, readPolicy } from './supersede';
import { readNsg } from './wait';

export interface CloseLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export type CloseOutcome = 'deleted' | 'already-gone' | 'left-for-newer-request' | 'left-changed' | 'failed';

export interface ClosedRule {
  readonly vm: string;
  readonly port: number;
  readonly nsgId: string;
  readonly rule: string;
  readonly outcome: CloseOutcome;
  readonly detail?: string;
}

export interface CloseReport {
  readonly rules: readonly ClosedRule[];
  /** False when something of ours may still be open (a failed delete, unidentifiable rules). */
  readonly complete: boolean;
}

export async function closeAccess(
  clients: AzureClients,
  state: JitState,
  log: CloseLog,
  signal?: AbortSignal,
): Promise<CloseReport> {
  const nsgCache = new Map<string, Promise<NetworkSecurityGroup | undefined>>();
  const results = await Promise.all(
    state.requests.map((r) => closeRequest(clients, state, r, nsgCache, log, signal)),
  );
  const rules = results.flatMap((r) => r.rules);
  return { rules, complete: results.every((r) => r.complete) };
}

/** A rule in an NSG we consider ours, before the ownership check against the policy. */
interface Candidate {
  readonly vm: StateVm;
  readonly rule: StateRule;
}

async function closeRequest(
  clients: AzureClients,
  state: JitState,
  request: StateRequest,
  nsgCache: Map<string, Promise<NetworkSecurityGroup | undefined>>,
  log: CloseLog,
  signal?: AbortSignal,
): Promise<CloseReport> {
  const results: ClosedRule[] = [];
  let complete = true;
  const candidates: Candidate[] = [];
  /** Rules main never saw (cancelled early) and that are not there yet either: JIT may still be writing them. */
  const unseen: Unseen[] = [];
  const nsgRules = async (nsgId: string): Promise<readonly SecurityRule[]> => {
    const key = normalizeId(nsgId);
    let pending = nsgCache.get(key);
    if (!pending) {
      pending = readNsg(clients, nsgId, signal).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      nsgCache.set(key, pending);
    }
    return (await pending)?.securityRules ?? [];
  };

  // Read every NSG once, in parallel, before walking the VMs.
  await Promise.all([...new Set(request.vms.flatMap((v) => v.nsgIds))].map((id) => nsgRules(id)));
  for (const vm of request.vms) {
    for (const nsgId of vm.nsgIds) {
      const rules = await nsgRules(nsgId);
      for (const port of vm.ports) {
        const recorded = vm.rules.filter(
          (r) => normalizeId(r.nsgId) === normalizeId(nsgId) && r.port === port,
        );
        if (recorded.length > 0) {
          for (const r of recorded) {
            const live = rules.find((x) => (x.name ?? '').toLowerCase() === r.name.toLowerCase());
            if (!live) {
              results.push({ vm: vm.name, port, nsgId, rule: r.name, outcome: 'already-gone' });
            } else if (!matchesTarget(live, { port, destinations: [r.destination], source: r.source })) {
              results.push({
                vm: vm.name,
                port,
                nsgId,
                rule: r.name,
                outcome: 'left-changed',
                detail: 'its source, port or destination changed since main, so it is no longer ours',
              });
            } else {
              candidates.push({ vm, rule: r });
            }
          }
          continue;
        }
        // Names unknown (main was cancelled before the rules showed up): find them by what we asked for.
        const source = state.source.prefix;
        if (source === undefined) {
          complete = false;
          log.warning(
            `Cannot identify the JIT rule for VM ${vm.name} port ${port} in ${nsgName(nsgId)}: main ended before Azure reported which source it allowed (source: azure). ` +
              `It closes by itself at ${request.endTimeUtc}.`,
          );
          continue;
        }
        const found = rules.filter((x) => matchesTarget(x, { port, destinations: vm.privateIps, source }));
        if (found.length === 0) unseen.push({ vm, nsgId, port, source });
        candidates.push(...found.map((x) => candidateFor(vm, nsgId, port, source, x)));
      }
    }
  }
  if (candidates.length === 0 && unseen.length === 0) return { rules: results, complete };

  // Ownership: ONE policy read for the whole request.
  let policy: JitNetworkAccessPolicy;
  try {
    policy = await readPolicy(clients, locator(request), signal);
  } catch (e) {
    const err = toJitError(e);
    for (const u of unseen) {
      log.warning(
        `No JIT rule found yet for VM ${u.vm.name} port ${u.port} in ${nsgName(u.nsgId)} and policy '${request.policyName}' could not be read (${err.message}); ` +
          `if JIT still writes it, it closes by itself at ${request.endTimeUtc}.`,
      );
    }
    for (const c of candidates) {
      results.push({
        ...describe(c),
        outcome: 'failed',
        detail: `could not confirm the rule is still ours: ${err.message}`,
      });
      log.warning(
        remainsMessage(
          c,
          request,
          `could not read policy '${request.policyName}' to confirm the rule is still ours (${err.message})`,
        ),
      );
    }
    return { rules: results, complete: false };
  }

  // A request main saw accepted but whose rules were not written yet: wait (bounded) for them.
  const late = await Promise.all(unseen.map((u) => awaitLateRule(clients, policy, request, u, log, signal)));
  for (const [i, found] of late.entries()) {
    const u = unseen[i] as Unseen;
    if (found === 'gone')
      results.push({ vm: u.vm.name, port: u.port, nsgId: u.nsgId, rule: '(none)', outcome: 'already-gone' });
    else if (found === 'missing') complete = false;
    else candidates.push(found);
  }

  await Promise.all(
    candidates.map(async (c) => {
      const newer = findNewerRequest(policy, c.vm.id, c.rule.port, request.startTimeUtc);
      if (newer) {
        log.info(
          `Leaving ${c.rule.name} in ${nsgName(c.rule.nsgId)} (VM ${c.vm.name} port ${c.rule.port}): it now serves ${describeNewer(newer)}, not ours.`,
        );
        results.push({ ...describe(c), outcome: 'left-for-newer-request', detail: describeNewer(newer) });
        return;
      }
      const outcome = await deleteRule(clients, c, request, log, signal);
      if (outcome.outcome === 'failed') complete = false;
      results.push(outcome);
    }),
  );
  return { rules: results, complete };
}

interface Unseen {
  readonly vm: StateVm;
  readonly nsgId: string;
  readonly port: number;
  readonly source: string;
}

/** How long post waits for a rule JIT had not written yet when main was cancelled. */
export const LATE_RULE_GRACE_MS = 60_000;

function candidateFor(vm: StateVm, nsgId: string, port: number, source: string, x: SecurityRule): Candidate {
  const destination = ruleDestinations(x).find((d) => vm.privateIps.includes(d)) ?? vm.privateIps[0] ?? '';
  return { vm, rule: { nsgId, name: x.name ?? '', port, destination, source } };
}

/**
 * Our request is still live in the policy but its rule is not in the NSG yet
 * (main was cancelled right after initiate): poll that NSG for a bounded time
 * so the rule is closed instead of staying open until endTimeUtc.
 */
async function awaitLateRule(
  clients: AzureClients,
  policy: JitNetworkAccessPolicy,
  request: StateRequest,
  u: Unseen,
  log: CloseLog,
  signal?: AbortSignal,
): Promise<Candidate | 'gone' | 'missing'> {
  // Revoked (expired or replaced): JIT removes or never writes it. Unknown: history trimmed, wait to be safe.
  if (ourPortStatus(policy, u.vm.id, u.port, request.startTimeUtc) === 'revoked') return 'gone';
  log.info(
    `Waiting up to ${LATE_RULE_GRACE_MS / 1000} s for JIT to write the rule for VM ${u.vm.name} port ${u.port} in ${nsgName(u.nsgId)}, to close it.`,
  );
  const end = Date.now() + LATE_RULE_GRACE_MS;
  let interval = 500;
  while (Date.now() < end) {
    await sleep(interval, signal, 'waiting for a late JIT rule');
    interval = Math.min(2000, interval * 2);
    const nsg = await readNsg(clients, u.nsgId, signal);
    const found = (nsg.securityRules ?? []).find((x) =>
      matchesTarget(x, { port: u.port, destinations: u.vm.privateIps, source: u.source }),
    );
    if (found) return candidateFor(u.vm, u.nsgId, u.port, u.source, found);
  }
  log.warning(
    `JIT has not written the rule for VM ${u.vm.name} port ${u.port} in ${nsgName(u.nsgId)} after ${LATE_RULE_GRACE_MS / 1000} s; ` +
      `if it still does, access from ${u.source} closes by itself at ${request.endTimeUtc}.`,
  );
  return 'missing';
}

async function deleteRule(
  clients: AzureClients,
  c: Candidate,
  request: StateRequest,
  log: CloseLog,
  signal?: AbortSignal,
): Promise<ClosedRule> {
  const nsg = requireResourceId(c.rule.nsgId, 'network security group');
  const rules = clients.network(nsg.subscriptionId).securityRules;
  /** true: still there, false: 404, an Error: could not tell. */
  const present = (): Promise<boolean | Error> =>
    azureCall(`confirm rule '${c.rule.name}' is gone`, signal, (o) =>
      rules.get(nsg.resourceGroup, nsg.name, c.rule.name, o),
    ).then(
      () => true,
      (e: unknown) => (isNotFound(e) ? false : toJitError(e)),
    );
  const closed = (note = ''): ClosedRule => {
    log.info(
      `Closed: deleted ${c.rule.name} from ${nsg.name} (VM ${c.vm.name} port ${c.rule.port}, source ${c.rule.source})${note}.`,
    );
    return { ...describe(c), outcome: 'deleted' };
  };
  let deleteError: unknown;
  try {
    await azureCall(`delete rule '${c.rule.name}' from NSG '${nsg.name}'`, signal, (o) =>
      rules.beginDeleteAndWait(nsg.resourceGroup, nsg.name, c.rule.name, { ...o, updateIntervalInMs: 1000 }),
    );
  } catch (e) {
    if (isNotFound(e)) return { ...describe(c), outcome: 'already-gone' };
    deleteError = e;
  }
  // Whatever the delete reported, the rule itself is the truth: an operation can report
  // Failed (or time out, or lose its connection) after NRP already removed the rule.
  const after = await present();
  if (after === false) {
    if (deleteError === undefined) return closed();
    log.debug(
      `The delete of ${c.rule.name} reported an error, but the rule is gone: ${toJitError(deleteError).message}`,
    );
    return closed(': the delete operation reported a failure, but a re-read shows the rule is gone');
  }
  const why = failedWhy(deleteError, after);
  log.warning(remainsMessage(c, request, why));
  return { ...describe(c), outcome: 'failed', detail: why };
}

/** Why a rule may still be open: what the delete said, and what re-reading the rule showed. */
function failedWhy(deleteError: unknown, after: true | Error): string {
  if (deleteError === undefined) {
    return after === true
      ? 'the delete reported success but the rule is still there'
      : `the delete reported success but confirming the rule is gone failed (${after.message}), so it may remain`;
  }
  const err = toJitError(deleteError);
  const status = err instanceof AzureApiError ? err.status : undefined;
  const why =
    status === 403
      ? 'the identity may not delete NSG rules (it needs Microsoft.Network/networkSecurityGroups/securityRules/delete)'
      : `deleting it failed: ${err.message}`;
  return after === true
    ? `${why}; a re-read shows the rule is still there`
    : `${why}; re-reading the rule failed too (${after.message}), so it may remain`;
}

function remainsMessage(c: Candidate, request: StateRequest, why: string): string {
  return (
    `JIT access stays open: rule ${c.rule.name} in NSG ${c.rule.nsgId} allows ${c.rule.source} → ${c.rule.destination}:${c.rule.port} (VM ${c.vm.name}); ${why}. ` +
    `It closes by itself at ${request.endTimeUtc}, when JIT's request expires.`
  );
}

function describe(c: Candidate): Omit<ClosedRule, 'outcome'> {
  return { vm: c.vm.name, port: c.rule.port, nsgId: c.rule.nsgId, rule: c.rule.name };
}

function locator(r: StateRequest): {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  name: string;
} {
  return {
    subscriptionId: requireResourceId(r.policyId, 'JIT policy').subscriptionId,
    resourceGroup: r.resourceGroup,
    location: r.location,
    name: r.policyName,
  };
}

function nsgName(id: string): string {
  return id.split('/').pop() ?? id;
}
