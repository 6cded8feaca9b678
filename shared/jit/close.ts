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
import type { AzureClients } from '../azure/clients';
import { isNotFound } from '../azure/call';
import { deleteRule, readNsg } from '../azure/nsg';
import { nameFromId, normalizeId, parseResourceId, requireResourceId } from '../azure/resourceId';
import { resolveTopology, type SubnetNsgCache, type VmTopology } from '../azure/topology';
import { AzureApiError, toJitError, type JitError } from '../errors';
import type { JitState, StateRequest, StateVm } from '../state';
import { sleep } from '../abort';
import { entryState, findOurEntry, type EntryState, type RequestHistory } from './history';
import { listedSources } from './allowedSources';
import {
  destinationAddresses,
  hasSource,
  isJitAllowRule,
  portsWithin,
  ruleDestinations,
  ruleSinglePorts,
  sameIgnoringCase,
  sameSlot,
} from './nsgRules';
import { describeNewer, findSupersession, readPolicy } from './supersede';

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

/** What a 403 from each of post's NSG calls means, naming the permission that is missing. */
const MAY_NOT = {
  delete:
    'the identity may not delete NSG rules (it needs Microsoft.Network/networkSecurityGroups/securityRules/delete)',
  read: 'the identity may not read network security groups (it needs Microsoft.Network/networkSecurityGroups/read)',
} as const;

/** For a 403: what the identity may not do, the permission it needs and Azure's answer; undefined otherwise. */
function missingPermission(err: JitError, call: keyof typeof MAY_NOT): string | undefined {
  return failureOutcome(err) === 'forbidden' ? `${MAY_NOT[call]}: ${err.message}` : undefined;
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
  const complete = results.every((r) => r.complete);
  if (ctx.deleted.length === 0) return { rules, complete };
  // A rule the re-check found open again (or could not look at) is reported as it ends, not as deleted.
  const rechecked = await recheckGone(ctx, options.recheckDelayMs ?? RECHECK_DELAY_MS);
  return {
    rules: rules.map((r) => rechecked.get(ruleKey(r.nsgId, r.rule)) ?? r),
    complete: complete && rechecked.size === 0,
  };
}

function ruleKey(nsgId: string, name: string): string {
  return `${normalizeId(nsgId)}|${name.toLowerCase()}`;
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
  readonly port: number;
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
  readonly policy: RequestHistory;
}

async function closeRequest(ctx: Ctx, request: StateRequest): Promise<CloseReport> {
  let policy: RequestHistory;
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

function entryFor(ctx: Ctx, policy: RequestHistory, request: StateRequest, vm: StateVm, port: number) {
  return findOurEntry(policy, {
    vmId: vm.id,
    port,
    endTimeUtc: request.endTimeUtc,
    ...(ctx.state.source.prefix !== undefined ? { source: ctx.state.source.prefix } : {}),
  });
}

/** One VM's close: the VM as Azure shows it now, and what is decided for it. */
interface VmClose {
  readonly ctx: Ctx;
  readonly request: StateRequest;
  readonly view: VmView;
  /** The NSGs on the VM's path now (NIC and subnet), by lower-case ID. */
  readonly onPath: ReadonlyMap<string, VmTopology['nsgs'][number]>;
  /** JIT allow rule names (lower case) in the VM's NSGs before initiate: never adopted. */
  readonly before: ReadonlySet<string>;
  /** The ports whose request of this run is live in the policy's history. */
  readonly livePorts: readonly number[];
  readonly results: ClosedRule[];
}

/** Rules to delete, one entry per rule (by lower-case NSG ID and name). */
type Deletions = Map<string, { nsgId: string; name: string; port: number }>;

async function closeVm(
  ctx: Ctx,
  request: StateRequest,
  policy: RequestHistory,
  saved: StateVm,
): Promise<CloseReport> {
  const { ports, source } = ourEntries(ctx, policy, request, saved);
  const now = await currentTopology(ctx, request, saved);
  if ('report' in now) return now.report;
  const { topology } = now;
  const vm: VmClose = {
    ctx,
    request,
    view: { saved, topology, source, ports, policy },
    onPath: new Map(topology.nsgs.map((n) => [normalizeId(n.id), n])),
    before: new Set((saved.before ?? []).map((b) => b.toLowerCase())),
    livePorts: saved.ports.filter((p) => ports.get(p) === 'live'),
    results: [],
  };
  const toDelete = saved.rules.length > 0 ? await savedRulesToDelete(vm) : await rulesFoundToDelete(vm);
  if (!toDelete) return { rules: vm.results, complete: false };
  let complete = true;
  await Promise.all(
    [...toDelete.values()].map(async (d) => {
      const outcome = await deleteSerialised(ctx, vm.view, request, d.nsgId, d.name, d.port);
      if (isCloseFailure(outcome.outcome)) complete = false;
      vm.results.push(outcome);
    }),
  );
  return { rules: vm.results, complete };
}

/** Our own history entries, per port, and the source they say when state has none (`source: azure`). */
function ourEntries(
  ctx: Ctx,
  policy: RequestHistory,
  request: StateRequest,
  saved: StateVm,
): { ports: Map<number, EntryState>; source: string | undefined } {
  const ports = new Map<number, EntryState>();
  let source = ctx.state.source.prefix;
  for (const port of saved.ports) {
    const entry = entryFor(ctx, policy, request, saved, port);
    ports.set(port, entryState(entry));
    if (source === undefined && entry && entryState(entry) === 'live') {
      const s = listedSources(entry.port);
      if (s.length === 1 && s[0] !== '*') source = s[0];
    }
  }
  return { ports, source };
}

/** Where the VM is NOW: its NSGs and private IPs come from Azure, not from the saved state. */
async function currentTopology(
  ctx: Ctx,
  request: StateRequest,
  saved: StateVm,
): Promise<{ topology: VmTopology } | { report: CloseReport }> {
  const ref = vmRef(saved.id);
  try {
    if (!ref) throw new Error(`'${saved.id}' is not a VM resource ID`);
    return { topology: await resolveTopology(ctx.clients, ref, ctx.subnets, ctx.signal) };
  } catch (e) {
    const err = toJitError(e);
    const gone = err.kind === 'input'; // the VM is not found
    const rules = saved.ports.map((port) => ({
      vm: saved.name,
      port,
      nsgId: '',
      rule: '(none)',
      outcome: gone ? ('already-gone' as const) : failureOutcome(err),
      detail: gone ? 'the VM no longer exists' : `could not read the VM's network path: ${err.message}`,
    }));
    if (!gone)
      ctx.log.warning(
        `Could not read VM ${saved.name}'s network path to close its rules (${err.message}); access closes by itself at ${request.endTimeUtc}.`,
      );
    return { report: { rules, complete: gone } };
  }
}

/** Records a rule left alone, and says why (a newer request is news, anything else a warning). */
function leave(
  vm: VmClose,
  port: number,
  nsgId: string,
  rule: string,
  outcome: CloseOutcome,
  detail: string,
): void {
  const name = vm.view.saved.name;
  vm.results.push({ vm: name, port, nsgId, rule, outcome, detail });
  const line = `Leaving ${rule} in ${nameFromId(nsgId)} (VM ${name} port ${port}) alone: ${detail}.`;
  if (outcome === 'left-for-newer-request') vm.ctx.log.info(line);
  else vm.ctx.log.warning(line);
}

/** Why a rule of our slot is not ours, or undefined when it is. */
function notOurs(
  vm: VmClose,
  rule: SecurityRule,
  port: number,
  nsgId: string,
): [CloseOutcome, string] | undefined {
  const { request } = vm;
  const { saved, source, policy } = vm.view;
  const state = vm.view.ports.get(port) ?? 'missing';
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
  const path = vm.onPath.get(normalizeId(nsgId));
  if (!path) return ['left-not-ours', notOnPath(nsgId, saved)];
  const destinations = path.privateIps.length > 0 ? path.privateIps : vm.view.topology.privateIps;
  if (!sameSlot(rule, { port, destinations }) || source === undefined || !hasSource(rule, source))
    return [
      'left-changed',
      `its source, port or destination (${describeRule(rule)}) does not match this run's request (${source ?? '?'} → ${destinations.join(' or ')}:${port})`,
    ];
  if (!portsWithin(rule, vm.livePorts)) {
    const extra = ruleSinglePorts(rule).filter((p) => !vm.livePorts.includes(p));
    return [
      'left-not-ours',
      `it also opens port(s) ${extra.join(', ') || '(a range)'}, which this run did not request or no longer holds`,
    ];
  }
  return undefined;
}

function notOnPath(nsgId: string, saved: StateVm): string {
  return `NSG ${nameFromId(nsgId)} is not on VM ${saved.name}'s path (its NIC or subnet) as Azure reports it now`;
}

/** Main learnt the rule names: each is deleted if it is still there and still ours. */
async function savedRulesToDelete(vm: VmClose): Promise<Deletions> {
  const { saved } = vm.view;
  const toDelete: Deletions = new Map();
  for (const r of saved.rules) {
    const nsg = await nsgRules(vm.ctx, r.nsgId);
    if (!vm.onPath.has(normalizeId(r.nsgId))) {
      leave(vm, r.port, r.nsgId, r.name, 'left-not-ours', notOnPath(r.nsgId, saved));
      continue;
    }
    if (!saved.ports.includes(r.port)) {
      const why = `port ${r.port} is not one this run requested for VM ${saved.name}`;
      leave(vm, r.port, r.nsgId, r.name, 'left-not-ours', why);
      continue;
    }
    const live = nsg?.find((x) => sameIgnoringCase(x.name, r.name));
    if (!live) {
      vm.results.push({
        vm: saved.name,
        port: r.port,
        nsgId: r.nsgId,
        rule: r.name,
        outcome: 'already-gone',
      });
      continue;
    }
    const why = notOurs(vm, live, r.port, r.nsgId);
    if (why) leave(vm, r.port, r.nsgId, r.name, why[0], why[1]);
    else addDeletion(toDelete, r.nsgId, live.name ?? r.name, r.port);
  }
  return toDelete;
}

/**
 * Main never learnt the rule names (cancelled, or the 202 was lost): find them
 * by what we asked for. Undefined when they cannot be identified at all.
 */
async function rulesFoundToDelete(vm: VmClose): Promise<Deletions | undefined> {
  const { ctx, request } = vm;
  const { saved, source, ports, topology } = vm.view;
  if (source === undefined && vm.livePorts.length > 0) {
    ctx.log.warning(
      `Cannot identify the JIT rule for VM ${saved.name}: main ended before Azure reported which source it allowed (the source was left to Azure), and this run's history entry does not say. ` +
        `It closes by itself at ${request.endTimeUtc}.`,
    );
    return undefined;
  }
  const toDelete: Deletions = new Map();
  for (const port of saved.ports) {
    const state = ports.get(port);
    if (state !== 'live') {
      vm.results.push({
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
      const found = await awaitOurRule(vm, nsg.id, port);
      if (found) addDeletion(toDelete, nsg.id, found, port);
      else
        vm.results.push({
          vm: saved.name,
          port,
          nsgId: nsg.id,
          rule: '(none)',
          outcome: 'already-gone',
          detail: 'JIT wrote no rule of this run here',
        });
    }
  }
  return toDelete;
}

function addDeletion(map: Deletions, nsgId: string, name: string, port: number): void {
  // One rule may carry several of our ports: delete it once.
  const key = ruleKey(nsgId, name);
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
async function awaitOurRule(vm: VmClose, nsgId: string, port: number): Promise<string | undefined> {
  const { ctx, request } = vm;
  const pick = (rules: readonly SecurityRule[] | undefined): string | undefined =>
    (rules ?? []).find(
      (r) =>
        isJitAllowRule(r) &&
        !vm.before.has((r.name ?? '').toLowerCase()) &&
        notOurs(vm, r, port, nsgId) === undefined,
    )?.name;
  const first = pick(await nsgRules(ctx, nsgId));
  if (first) return first;
  ctx.log.info(
    `Waiting up to ${Math.round(ctx.lateGraceMs / 1000)} s for JIT to write this run's rule for VM ${vm.view.saved.name} port ${port} in ${nameFromId(nsgId)}, to close it.`,
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
    `JIT has not written this run's rule for VM ${vm.view.saved.name} port ${port} in ${nameFromId(nsgId)} after ${Math.round(ctx.lateGraceMs / 1000)} s; ` +
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
    ctx.deleted.push({ vm, nsgId, name, port, request });
    ctx.log.info(
      `Closed: deleted ${name} from ${nameFromId(nsgId)} (VM ${vm.saved.name} port(s) ${vm.saved.ports.join(', ')}, source ${vm.source ?? '?'}).`,
    );
    return { ...base, outcome: 'deleted' };
  } catch (e) {
    const err = toJitError(e);
    const why = missingPermission(err, 'delete') ?? `deleting it failed: ${err.message}`;
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
 * One look, a little after the deletes, that the rules stayed gone: a rule
 * written again (JIT's own reconciliation, a redeploy) while our request is
 * still live is deleted once more, after the same ownership check. Returns,
 * by `ruleKey`, the rules that may be open after all: back and not deleted
 * again, or in an NSG that could not be read again.
 */
async function recheckGone(ctx: Ctx, delayMs: number): Promise<Map<string, ClosedRule>> {
  ctx.log.info(`Checking in ${Math.round(delayMs / 1000)} s that the deleted rules stayed gone.`);
  await sleep(delayMs, ctx.signal, 're-checking closed rules');
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
  const open = new Map<string, ClosedRule>();
  for (const d of ctx.deleted) {
    const failure = await recheckOne(
      ctx,
      d,
      fresh.get(normalizeId(d.nsgId)) as Promise<readonly SecurityRule[]>,
    );
    if (failure) open.set(ruleKey(d.nsgId, d.name), failure);
  }
  return open;
}

/** The re-check of one deleted rule: undefined when it stayed gone or was deleted again. */
async function recheckOne(
  ctx: Ctx,
  d: Deletion,
  read: Promise<readonly SecurityRule[]>,
): Promise<ClosedRule | undefined> {
  const base = { vm: d.vm.saved.name, port: d.port, nsgId: d.nsgId, rule: d.name };
  let rules: readonly SecurityRule[];
  try {
    rules = await read;
  } catch (e) {
    const err = toJitError(e);
    const why = missingPermission(err, 'read') ?? err.message;
    ctx.log.warning(`Could not re-check NSG ${nameFromId(d.nsgId)} (${why}).`);
    const detail = `deleted, but not re-checked: ${why}`;
    return { ...base, outcome: failureOutcome(err), detail };
  }
  if (!rules.some((r) => cameBack(d, r))) return undefined;
  ctx.log.warning(
    `Rule ${d.name} is back in ${nameFromId(d.nsgId)} after it was deleted; deleting it again.`,
  );
  try {
    await serialised(ctx, d.nsgId, () => deleteRule(ctx, d.nsgId, d.name));
    return undefined;
  } catch (e) {
    const err = toJitError(e);
    const why = missingPermission(err, 'delete') ?? err.message;
    ctx.log.warning(
      `JIT access stays open: rule ${d.name} in NSG ${d.nsgId} came back and could not be deleted again (${why}); ` +
        `it closes by itself at ${d.request.endTimeUtc}.`,
    );
    return { ...base, outcome: failureOutcome(err), detail: `it came back after its delete: ${why}` };
  }
}

/** `r` is the deleted rule, written again for this run's live request. */
function cameBack(d: Deletion, r: SecurityRule): boolean {
  return (
    isJitAllowRule(r) &&
    d.vm.source !== undefined &&
    hasSource(r, d.vm.source) &&
    ruleSinglePorts(r).some((p) => d.vm.ports.get(p) === 'live') &&
    portsWithin(
      r,
      [...d.vm.ports].filter(([, s]) => s === 'live').map(([p]) => p),
    ) &&
    destinationAddresses(r).some((x) => d.vm.topology.privateIps.includes(x)) &&
    sameIgnoringCase(r.name, d.name)
  );
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
