/**
 * Post: closes exactly what main opened, and proves it before each delete.
 * The saved state only says where to look; what is deleted is decided from
 * Azure's answers now. A rule is deleted only when ALL hold:
 * - the policy's request history holds THIS run's request for that VM and
 *   port (matched by VM, port, source as a parsed prefix, and the end time we
 *   sent, within a second), and its port entry is not `Revoked`;
 * - the rule is a JIT allow rule (`SecurityCenter-JITRule-<int>-<32 hex>`,
 *   Allow, Inbound), in an NSG on that VM's path as Azure reports it now (NIC
 *   or subnet), its source, port(s) and destination match the request, and it
 *   opens no port this run did not request.
 * Anything else is left alone and reported with the true reason. Deletes are
 * serialised per NSG (the Network provider refuses concurrent writes with 409
 * `AnotherOperationInProgress`), retried on 409/429 as Retry-After says,
 * confirmed by reading the rule until it is gone, and re-checked once a
 * little later (JIT or a redeploy may write it again). Running twice is
 * harmless. Every read is at resource-group or resource scope.
 */
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall, isNotFound, toAzureError } from '../azure/call';
import { retryAfterMs } from '../azure/policies';
import { normalizeId, parseResourceId, requireResourceId } from '../azure/resourceId';
import { resolveTopology, type SubnetNsgCache, type VmTopology } from '../azure/topology';
import { AzureApiError, toJitError } from '../errors';
import type { JitState, StateRequest, StateVm } from '../state';
import { sleep } from '../abort';
import { entrySources, entryState, findOurEntry, type EntryState } from './history';
import {
  hasSource,
  isJitAllowRule,
  portsWithin,
  ruleDestinations,
  ruleSinglePorts,
  sameSlot,
} from './nsgRules';
import { describeNewer, findSupersession, readPolicy } from './supersede';
import { readNsg } from './wait';

export interface CloseLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export type CloseOutcome =
  | 'deleted'
  | 'already-gone'
  | 'left-for-newer-request'
  | 'left-not-ours'
  | 'left-changed'
  /** Azure refused (403): the identity lacks a permission, e.g. securityRules/delete. */
  | 'forbidden'
  | 'failed';

/** Outcomes that leave something of ours open. */
export function isCloseFailure(outcome: CloseOutcome): boolean {
  return outcome === 'failed' || outcome === 'forbidden';
}

/** How a failed read or delete is reported per rule: a 403 is a missing permission, not a fault. */
export function failureOutcome(error: unknown): 'forbidden' | 'failed' {
  return error instanceof AzureApiError && error.status === 403 ? 'forbidden' : 'failed';
}

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

export interface CloseOptions {
  /** How long after the deletes to check once that the rules stayed gone (default ~30 s). */
  readonly recheckDelayMs?: number;
  /** How long to wait for a rule JIT had not written yet when main ended (default 60 s). */
  readonly lateRuleGraceMs?: number;
}

/** How long post waits for a rule JIT had not written yet when main was cancelled. */
export const LATE_RULE_GRACE_MS = 60_000;
/** One re-check this long after the deletes: JIT or a redeploy may write a rule again. */
export const RECHECK_DELAY_MS = 30_000;
/** How long a delete may take to show (the rule GET answering 404). */
const DELETE_CONFIRM_MS = 120_000;

export async function closeAccess(
  clients: AzureClients,
  state: JitState,
  log: CloseLog,
  signal?: AbortSignal,
  options: CloseOptions = {},
): Promise<CloseReport> {
  const ctx: Ctx = {
    clients,
    state,
    log,
    signal,
    nsgs: new Map(),
    subnets: new Map(),
    nsgLocks: new Map(),
    lateGraceMs: options.lateRuleGraceMs ?? LATE_RULE_GRACE_MS,
    deleted: [],
  };
  const results = await Promise.all(state.requests.map((r) => closeRequest(ctx, r)));
  const rules = results.flatMap((r) => r.rules);
  let complete = results.every((r) => r.complete);
  if (ctx.deleted.length > 0) {
    const recheck = await recheckGone(ctx, options.recheckDelayMs ?? RECHECK_DELAY_MS);
    if (!recheck) complete = false;
  }
  return { rules, complete };
}

interface Ctx {
  readonly clients: AzureClients;
  readonly state: JitState;
  readonly log: CloseLog;
  readonly signal: AbortSignal | undefined;
  /** NSG reads shared by all VMs of this close (lower-case ID). */
  readonly nsgs: Map<string, Promise<NetworkSecurityGroup | undefined>>;
  readonly subnets: SubnetNsgCache;
  /** Deletes in one NSG run one after another. */
  readonly nsgLocks: Map<string, Promise<unknown>>;
  readonly lateGraceMs: number;
  /** What was deleted, for the re-check. */
  readonly deleted: Deletion[];
}

interface Deletion {
  readonly vm: VmView;
  readonly nsgId: string;
  readonly name: string;
  readonly request: StateRequest;
}

/** A VM as Azure shows it now, with what this run asked for it. */
interface VmView {
  readonly saved: StateVm;
  readonly topology: VmTopology;
  /** The source of our request for this VM (state's, or read from our own history entry for `source: azure`). */
  readonly source: string | undefined;
  /** Per requested port: what our own history entry says. */
  readonly ports: ReadonlyMap<number, EntryState>;
  readonly policy: JitNetworkAccessPolicy;
}

async function closeRequest(ctx: Ctx, request: StateRequest): Promise<CloseReport> {
  let policy: JitNetworkAccessPolicy;
  try {
    policy = await readPolicy(ctx.clients, locator(request), ctx.signal);
    if (
      request.status === 'pending' &&
      request.vms.some((v) => v.ports.some((p) => !entryFor(ctx, policy, request, v, p)))
    ) {
      // Main ended before Azure answered: the request may still be landing in the history.
      await sleep(3000, ctx.signal, 'reading the JIT policy again');
      policy = await readPolicy(ctx.clients, locator(request), ctx.signal);
    }
  } catch (e) {
    const err = toJitError(e);
    ctx.log.warning(
      `Nothing closed for policy '${request.policyName}': it could not be read to prove which rules are this run's (${err.message}). ` +
        `Access this run opened closes by itself at ${request.endTimeUtc}.`,
    );
    return {
      rules: request.vms.flatMap((v) =>
        v.ports.map((port) => ({
          vm: v.name,
          port,
          nsgId: '',
          rule: '(unknown)',
          outcome: failureOutcome(err),
          detail: `could not read policy '${request.policyName}' to confirm ownership: ${err.message}`,
        })),
      ),
      complete: false,
    };
  }
  const perVm = await Promise.all(request.vms.map((v) => closeVm(ctx, request, policy, v)));
  return { rules: perVm.flatMap((r) => r.rules), complete: perVm.every((r) => r.complete) };
}

function entryFor(
  ctx: Ctx,
  policy: JitNetworkAccessPolicy,
  request: StateRequest,
  vm: StateVm,
  port: number,
) {
  return findOurEntry(policy, {
    vmId: vm.id,
    port,
    endTimeUtc: request.endTimeUtc,
    ...(ctx.state.source.prefix !== undefined ? { source: ctx.state.source.prefix } : {}),
  });
}

async function closeVm(
  ctx: Ctx,
  request: StateRequest,
  policy: JitNetworkAccessPolicy,
  saved: StateVm,
): Promise<CloseReport> {
  const results: ClosedRule[] = [];
  const leave = (port: number, nsgId: string, rule: string, outcome: CloseOutcome, detail: string): void => {
    results.push({ vm: saved.name, port, nsgId, rule, outcome, detail });
    const line = `Leaving ${rule} in ${nsgName(nsgId)} (VM ${saved.name} port ${port}) alone: ${detail}.`;
    if (outcome === 'left-for-newer-request') ctx.log.info(line);
    else ctx.log.warning(line);
  };

  // Our own history entries, per port.
  const ports = new Map<number, EntryState>();
  let source = ctx.state.source.prefix;
  for (const port of saved.ports) {
    const entry = entryFor(ctx, policy, request, saved, port);
    ports.set(port, entryState(entry));
    if (source === undefined && entry && entryState(entry) === 'live') {
      const s = entrySources(entry.port);
      if (s.length === 1 && s[0] !== '*') source = s[0];
    }
  }

  // Where the VM is NOW: its NSGs and private IPs come from Azure, not from the saved state.
  const ref = vmRef(saved.id);
  let topology: VmTopology;
  try {
    if (!ref) throw new Error(`'${saved.id}' is not a VM resource ID`);
    topology = await resolveTopology(ctx.clients, ref, ctx.subnets, ctx.signal);
  } catch (e) {
    const err = toJitError(e);
    const gone = err.kind === 'input'; // the VM is not found
    for (const port of saved.ports)
      results.push({
        vm: saved.name,
        port,
        nsgId: '',
        rule: '(none)',
        outcome: gone ? 'already-gone' : failureOutcome(err),
        detail: gone ? 'the VM no longer exists' : `could not read the VM's network path: ${err.message}`,
      });
    if (!gone)
      ctx.log.warning(
        `Could not read VM ${saved.name}'s network path to close its rules (${err.message}); access closes by itself at ${request.endTimeUtc}.`,
      );
    return { rules: results, complete: gone };
  }
  const view: VmView = { saved, topology, source, ports, policy };
  const onPath = new Map(topology.nsgs.map((n) => [normalizeId(n.id), n]));
  const before = new Set((saved.before ?? []).map((b) => b.toLowerCase()));
  const livePorts = saved.ports.filter((p) => ports.get(p) === 'live');

  // Why a rule of our slot is not ours, or undefined when it is.
  const notOurs = (rule: SecurityRule, port: number, nsgId: string): [CloseOutcome, string] | undefined => {
    const state = ports.get(port) ?? 'missing';
    if (!isJitAllowRule(rule))
      return [
        'left-not-ours',
        'it is not a JIT allow rule (JIT names them SecurityCenter-JITRule-<n>-<32 hex>, Allow, Inbound)',
      ];
    if (state === 'superseded') {
      const newer = findSupersession(policy, keyOf(request, saved, port, source));
      return [
        'left-for-newer-request',
        `this run's request was replaced by ${describeNewer(newer ?? { requestor: '' })}`,
      ];
    }
    if (state === 'revoked')
      return ['left-not-ours', "this run's request for it is Revoked in the policy's history"];
    if (state === 'missing')
      return [
        'left-not-ours',
        `the request history of policy '${request.policyName}' holds no request of this run for VM ${saved.name} port ${port} ` +
          `(source ${source ?? '(unknown)'}, ending ${request.endTimeUtc})`,
      ];
    const path = onPath.get(normalizeId(nsgId));
    if (!path)
      return [
        'left-not-ours',
        `NSG ${nsgName(nsgId)} is not on VM ${saved.name}'s path (its NIC or subnet) as Azure reports it now`,
      ];
    const destinations = path.privateIps.length > 0 ? path.privateIps : topology.privateIps;
    if (!sameSlot(rule, { port, destinations }) || source === undefined || !hasSource(rule, source))
      return [
        'left-changed',
        `its source, port or destination (${describeRule(rule)}) does not match this run's request (${source ?? '?'} → ${destinations.join(' or ')}:${port})`,
      ];
    if (!portsWithin(rule, livePorts)) {
      const extra = ruleSinglePorts(rule).filter((p) => !livePorts.includes(p));
      return [
        'left-not-ours',
        `it also opens port(s) ${extra.join(', ') || '(a range)'}, which this run did not request or no longer holds`,
      ];
    }
    return undefined;
  };

  const toDelete = new Map<string, { nsgId: string; name: string; port: number }>();
  const named = saved.rules;
  if (named.length > 0) {
    for (const r of named) {
      const nsg = await nsgRules(ctx, r.nsgId);
      if (!onPath.has(normalizeId(r.nsgId))) {
        leave(
          r.port,
          r.nsgId,
          r.name,
          'left-not-ours',
          `NSG ${nsgName(r.nsgId)} is not on VM ${saved.name}'s path (its NIC or subnet) as Azure reports it now`,
        );
        continue;
      }
      if (!saved.ports.includes(r.port)) {
        leave(
          r.port,
          r.nsgId,
          r.name,
          'left-not-ours',
          `port ${r.port} is not one this run requested for VM ${saved.name}`,
        );
        continue;
      }
      const live = nsg?.find((x) => eqName(x.name, r.name));
      if (!live) {
        results.push({ vm: saved.name, port: r.port, nsgId: r.nsgId, rule: r.name, outcome: 'already-gone' });
        continue;
      }
      const why = notOurs(live, r.port, r.nsgId);
      if (why) leave(r.port, r.nsgId, r.name, why[0], why[1]);
      else addDeletion(toDelete, r.nsgId, live.name ?? r.name, r.port);
    }
  } else {
    // Main never learnt the rule names (cancelled, or the 202 was lost): find them by what we asked for.
    if (source === undefined && livePorts.length > 0) {
      ctx.log.warning(
        `Cannot identify the JIT rule for VM ${saved.name}: main ended before Azure reported which source it allowed (the source was left to Azure), and this run's history entry does not say. ` +
          `It closes by itself at ${request.endTimeUtc}.`,
      );
      return { rules: results, complete: false };
    }
    for (const port of saved.ports) {
      const state = ports.get(port);
      if (state !== 'live') {
        results.push({
          vm: saved.name,
          port,
          nsgId: '',
          rule: '(none)',
          outcome: state === 'superseded' ? 'left-for-newer-request' : 'already-gone',
          detail:
            state === 'missing'
              ? `no request of this run for port ${port} is in policy '${request.policyName}' (it was not accepted, or has ended)`
              : `this run's request is ${state === 'superseded' ? 'replaced by a newer one' : 'revoked'}`,
        });
        continue;
      }
      for (const nsg of topology.nsgs) {
        const found = await awaitOurRule(ctx, view, request, nsg.id, port, before, notOurs);
        if (found) addDeletion(toDelete, nsg.id, found, port);
        else
          results.push({
            vm: saved.name,
            port,
            nsgId: nsg.id,
            rule: '(none)',
            outcome: 'already-gone',
            detail: 'JIT wrote no rule of this run here',
          });
      }
    }
  }

  let complete = true;
  await Promise.all(
    [...toDelete.values()].map(async (d) => {
      const outcome = await deleteSerialised(ctx, view, request, d.nsgId, d.name, d.port);
      if (isCloseFailure(outcome.outcome)) complete = false;
      results.push(outcome);
    }),
  );
  return { rules: results, complete };
}

function addDeletion(
  map: Map<string, { nsgId: string; name: string; port: number }>,
  nsgId: string,
  name: string,
  port: number,
): void {
  // One rule may carry several of our ports: delete it once.
  const key = `${normalizeId(nsgId)}|${name.toLowerCase()}`;
  if (!map.has(key)) map.set(key, { nsgId, name, port });
}

function keyOf(request: StateRequest, vm: StateVm, port: number, source: string | undefined) {
  return { vmId: vm.id, port, endTimeUtc: request.endTimeUtc, ...(source !== undefined ? { source } : {}) };
}

async function nsgRules(ctx: Ctx, nsgId: string): Promise<readonly SecurityRule[] | undefined> {
  const key = normalizeId(nsgId);
  let pending = ctx.nsgs.get(key);
  if (!pending) {
    pending = parseResourceId(nsgId)
      ? readNsg(ctx.clients, nsgId, ctx.signal).catch((e: unknown) => {
          if (isNotFound(e)) return undefined;
          throw e;
        })
      : Promise.resolve(undefined);
    ctx.nsgs.set(key, pending);
  }
  return (await pending)?.securityRules;
}

/**
 * Our request is live but main never saw its rule: look for a rule of ours
 * that was not there before initiate, polling for a bounded time (JIT may
 * still be writing it). An older rule with the same source is never adopted.
 */
async function awaitOurRule(
  ctx: Ctx,
  view: VmView,
  request: StateRequest,
  nsgId: string,
  port: number,
  before: ReadonlySet<string>,
  notOurs: (rule: SecurityRule, port: number, nsgId: string) => [CloseOutcome, string] | undefined,
): Promise<string | undefined> {
  const pick = (rules: readonly SecurityRule[] | undefined): string | undefined =>
    (rules ?? []).find(
      (r) =>
        isJitAllowRule(r) &&
        !before.has((r.name ?? '').toLowerCase()) &&
        notOurs(r, port, nsgId) === undefined,
    )?.name;
  const first = pick(await nsgRules(ctx, nsgId));
  if (first) return first;
  ctx.log.info(
    `Waiting up to ${Math.round(ctx.lateGraceMs / 1000)} s for JIT to write this run's rule for VM ${view.saved.name} port ${port} in ${nsgName(nsgId)}, to close it.`,
  );
  const end = Date.now() + ctx.lateGraceMs;
  let interval = 500;
  while (Date.now() < end) {
    await sleep(interval, ctx.signal, 'waiting for a late JIT rule');
    interval = Math.min(2000, interval * 2);
    const nsg = await readNsg(ctx.clients, nsgId, ctx.signal).catch(() => undefined);
    const found = pick(nsg?.securityRules);
    if (found) return found;
  }
  ctx.log.warning(
    `JIT has not written this run's rule for VM ${view.saved.name} port ${port} in ${nsgName(nsgId)} after ${Math.round(ctx.lateGraceMs / 1000)} s; ` +
      `if it still does, access closes by itself at ${request.endTimeUtc}.`,
  );
  return undefined;
}

/** Runs `fn` after every earlier write to the same NSG has finished. */
export function serialised<T>(ctx: Pick<Ctx, 'nsgLocks'>, nsgId: string, fn: () => Promise<T>): Promise<T> {
  const key = normalizeId(nsgId);
  const previous = ctx.nsgLocks.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  ctx.nsgLocks.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

async function deleteSerialised(
  ctx: Ctx,
  vm: VmView,
  request: StateRequest,
  nsgId: string,
  name: string,
  port: number,
): Promise<ClosedRule> {
  const base = { vm: vm.saved.name, port, nsgId, rule: name };
  try {
    const result = await serialised(ctx, nsgId, () => deleteRule(ctx, nsgId, name));
    if (result === 'gone-before') return { ...base, outcome: 'already-gone' };
    ctx.deleted.push({ vm, nsgId, name, request });
    ctx.log.info(
      `Closed: deleted ${name} from ${nsgName(nsgId)} (VM ${vm.saved.name} port(s) ${vm.saved.ports.join(', ')}, source ${vm.source ?? '?'}).`,
    );
    return { ...base, outcome: 'deleted' };
  } catch (e) {
    const err = toJitError(e);
    const status = err instanceof AzureApiError ? err.status : undefined;
    const why =
      status === 403
        ? `the identity may not delete NSG rules (it needs Microsoft.Network/networkSecurityGroups/securityRules/delete): ${err.message}`
        : `deleting it failed: ${err.message}`;
    const to =
      vm.topology.nsgs.find((n) => normalizeId(n.id) === normalizeId(nsgId))?.privateIps[0] ??
      vm.topology.privateIps[0];
    ctx.log.warning(
      `JIT access stays open: rule ${name} in NSG ${nsgId} allows ${vm.source ?? '?'} → ${to ?? '?'}:${port} (VM ${vm.saved.name}); ${why}. ` +
        `It closes by itself at ${request.endTimeUtc}, when JIT's request expires.`,
    );
    return { ...base, outcome: failureOutcome(err), detail: why };
  }
}

/**
 * DELETE the rule, then read it until it answers 404. The DELETE is sent
 * without the SDK's long-running-operation poller: that poller reads the
 * operation's status at SUBSCRIPTION scope (`.../locations/<region>/operations`),
 * which an identity scoped to a resource group may not read; the rule's own
 * GET is at resource scope and is the truth anyway.
 */
export async function deleteRule(
  ctx: Pick<Ctx, 'clients' | 'signal' | 'log'>,
  nsgId: string,
  name: string,
): Promise<'deleted' | 'gone-before'> {
  const p = requireResourceId(nsgId, 'network security group');
  const network = ctx.clients.network(p.subscriptionId);
  const operation = `delete rule '${name}' from NSG '${p.name}'`;
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await network.securityRules.deleteOnce(
        p.resourceGroup,
        p.name,
        name,
        ctx.signal ? { abortSignal: ctx.signal } : {},
      );
    } catch (e) {
      throw toAzureError(e, operation, ctx.signal);
    }
    if (response.status === 404) return 'gone-before';
    if (response.status === 200 || response.status === 202 || response.status === 204) break;
    const body = errorBody(response.body);
    const retriable =
      response.status === 429 || (response.status === 409 && /^AnotherOperationInProgress$/i.test(body.code));
    if (!retriable || attempt >= 20) {
      throw new AzureApiError({
        status: response.status,
        code: body.code,
        azureMessage: body.message,
        correlationId: response.headers.get('x-ms-correlation-request-id') ?? undefined,
        operation: operation,
      });
    }
    const wait = Math.min(retryAfterMs(response) ?? 2000 * attempt, 30_000);
    ctx.log.debug(
      `${operation}: HTTP ${response.status} ${body.code}; retrying in ${Math.round(wait / 1000)} s.`,
    );
    await sleep(wait, ctx.signal, 'waiting to retry a rule delete');
  }
  // Accepted: the rule is gone when its GET answers 404.
  const end = Date.now() + DELETE_CONFIRM_MS;
  let interval = 250;
  for (;;) {
    const present = await azureCall(`confirm rule '${name}' is gone`, ctx.signal, (o) =>
      network.securityRules.get(p.resourceGroup, p.name, name, o),
    ).then(
      () => true,
      (e: unknown) => {
        if (isNotFound(e)) return false;
        throw e;
      },
    );
    if (!present) return 'deleted';
    if (Date.now() >= end)
      throw new AzureApiError({
        status: undefined,
        code: '',
        azureMessage: `Azure accepted the delete but the rule is still there after ${DELETE_CONFIRM_MS / 1000} s`,
        correlationId: undefined,
        operation: operation,
      });
    await sleep(interval, ctx.signal, 'waiting for a rule delete');
    interval = Math.min(2000, interval * 2);
  }
}

/**
 * One look, a little after the deletes, that the rules stayed gone: a rule
 * written again (JIT's own reconciliation, a redeploy) while our request is
 * still live is deleted once more, after the same ownership check.
 */
async function recheckGone(ctx: Ctx, delayMs: number): Promise<boolean> {
  ctx.log.info(`Checking in ${Math.round(delayMs / 1000)} s that the deleted rules stayed gone.`);
  await sleep(delayMs, ctx.signal, 're-checking closed rules');
  let ok = true;
  const fresh = new Map<string, Promise<readonly SecurityRule[]>>();
  for (const d of ctx.deleted) {
    const key = normalizeId(d.nsgId);
    if (!fresh.has(key))
      fresh.set(
        key,
        readNsg(ctx.clients, d.nsgId, ctx.signal).then(
          (n) => n.securityRules ?? [],
          (e: unknown) => {
            if (isNotFound(e)) return [];
            throw e;
          },
        ),
      );
  }
  for (const d of ctx.deleted) {
    let rules: readonly SecurityRule[];
    try {
      rules = await (fresh.get(normalizeId(d.nsgId)) as Promise<readonly SecurityRule[]>);
    } catch (e) {
      ctx.log.warning(`Could not re-check NSG ${nsgName(d.nsgId)} (${toJitError(e).message}).`);
      ok = false;
      continue;
    }
    const back = rules.find(
      (r) =>
        isJitAllowRule(r) &&
        d.vm.source !== undefined &&
        hasSource(r, d.vm.source) &&
        ruleSinglePorts(r).some((p) => d.vm.ports.get(p) === 'live') &&
        portsWithin(
          r,
          [...d.vm.ports].filter(([, s]) => s === 'live').map(([p]) => p),
        ) &&
        ruleDestinations(r).some((x) => d.vm.topology.privateIps.includes(x.split('/')[0] ?? x)) &&
        eqName(r.name, d.name),
    );
    if (!back) continue;
    ctx.log.warning(`Rule ${d.name} is back in ${nsgName(d.nsgId)} after it was deleted; deleting it again.`);
    try {
      await serialised(ctx, d.nsgId, () => deleteRule(ctx, d.nsgId, d.name));
    } catch (e) {
      ok = false;
      ctx.log.warning(
        `JIT access stays open: rule ${d.name} in NSG ${d.nsgId} came back and could not be deleted again (${toJitError(e).message}); ` +
          `it closes by itself at ${d.request.endTimeUtc}.`,
      );
    }
  }
  return ok;
}

function errorBody(body: unknown): { code: string; message: string } {
  if (typeof body === 'string') return { code: '', message: body.slice(0, 300) };
  if (!body || typeof body !== 'object') return { code: '', message: '' };
  const parsed = body as { error?: { code?: unknown; message?: unknown } };
  const e = parsed.error ?? (parsed as { code?: unknown; message?: unknown });
  return {
    code: typeof e.code === 'string' ? e.code : '',
    message: typeof e.message === 'string' ? e.message : '',
  };
}

function vmRef(
  id: string,
): { input: string; name: string; resourceGroup: string; subscriptionId: string } | undefined {
  const p = parseResourceId(id);
  if (
    !p ||
    p.provider.toLowerCase() !== 'microsoft.compute' ||
    p.segments[0]?.[0].toLowerCase() !== 'virtualmachines'
  )
    return undefined;
  return { input: id, name: p.name, resourceGroup: p.resourceGroup, subscriptionId: p.subscriptionId };
}

function describeRule(r: SecurityRule): string {
  const src = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].filter(Boolean).join(',');
  const dst = ruleDestinations(r).join(',');
  const ports = [r.destinationPortRange, ...(r.destinationPortRanges ?? [])].filter(Boolean).join(',');
  return `${src || '?'} → ${dst || '?'}:${ports || '?'}`;
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

function eqName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

function nsgName(id: string): string {
  return id.split('/').pop() ?? id;
}
