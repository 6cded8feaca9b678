/**
 * Close by address: delete the JIT allow rules for a source on given ports of
 * given VMs, when no saved state says what a run opened (the CLI's `close
 * --vms --ports --source`). A rule is deleted only when it is a JIT allow rule
 * in an NSG on the VM's path as Azure reports it now, its destination is the
 * VM's private IP, its source equals `source` EXACTLY and every port it opens
 * was asked for: another job's or a colleague's rule is never touched, and
 * closing port 22 never closes someone's 3389 as a side effect. The NSG read,
 * the delete (409/429 retried, confirmed by the rule's own 404, serialised per
 * NSG) and the one re-check a little later are post's (`jit/close.ts`).
 */
import type { SecurityRule } from '@azure/arm-network';
import type { NetworkSecurityGroup } from '@azure/arm-network';
import { sleep } from '../abort';
import type { AzureClients } from '../azure/clients';
import { nameFromId, normalizeId } from '../azure/resourceId';
import { resolveTopologies, type NsgOnPath, type VmTopology } from '../azure/topology';
import type { VmRef } from '../config';
import { deleteRule, readNsg } from '../azure/nsg';
import { RECHECK_DELAY_MS, serialised, type CloseLog } from '../jit/close';
import { closeTiming } from '../jit/closeTiming';
import { matchesTarget, portsWithin, rulePorts } from '../jit/nsgRules';

export interface AddressCloseRequest {
  readonly vms: readonly VmRef[];
  readonly ports: readonly number[];
  /** The exact address or CIDR the rules allow. */
  readonly source: string;
}

export interface AddressClosedRule {
  readonly vm: string;
  readonly nsg: string;
  readonly rule: string;
  readonly port: number;
  readonly source: string;
  /** `already-gone`: expired or closed meanwhile. */
  readonly outcome: 'deleted' | 'already-gone';
}

export interface AddressCloseOptions {
  /** How long after the deletes to check once that the rules stayed gone (default as post's, ~30 s). */
  readonly recheckDelayMs?: number;
}

interface Ctx {
  readonly clients: AzureClients;
  readonly request: AddressCloseRequest;
  readonly log: CloseLog;
  readonly signal: AbortSignal | undefined;
  /** Deletes in one NSG run one after another (Azure refuses concurrent writes with 409). */
  readonly nsgLocks: Map<string, Promise<unknown>>;
}

interface Found {
  readonly vm: VmTopology;
  readonly nsg: NsgOnPath;
  readonly rule: string;
  readonly port: number;
}

/** Deletes the matching rules; a failed read or delete throws (nothing is guessed). */
export async function closeByAddress(
  clients: AzureClients,
  request: AddressCloseRequest,
  log: CloseLog,
  signal?: AbortSignal,
  options: AddressCloseOptions = {},
): Promise<AddressClosedRule[]> {
  const ctx: Ctx = { clients, request, log, signal, nsgLocks: new Map() };
  const topologies = await resolveTopologies(clients, request.vms, signal);
  const onPaths = topologies.flatMap((vm) => vm.nsgs.map((nsg) => ({ vm, nsg })));
  const found = (await Promise.all(onPaths.map((p) => findRules(ctx, p.vm, p.nsg)))).flat();
  const closed = await Promise.all(found.map((f) => deleteOne(ctx, f)));
  const deleted = found.filter((_, i) => closed[i]?.outcome === 'deleted');
  if (deleted.length > 0)
    await recheck(ctx, deleted, options.recheckDelayMs ?? closeTiming().recheckDelayMs ?? RECHECK_DELAY_MS);
  return closed;
}

/** The rules of `nsg` this close may delete for `vm`; warns about those that also open other ports. */
async function findRules(ctx: Ctx, vm: VmTopology, nsg: NsgOnPath): Promise<Found[]> {
  const group = await readNsg(ctx.clients, nsg.id, ctx.signal);
  const out: Found[] = [];
  for (const rule of group.securityRules ?? []) {
    const port = matchedPort(ctx.request, nsg, rule);
    if (port === undefined) continue;
    if (!portsWithin(rule, ctx.request.ports)) {
      ctx.log.warning(
        `Not deleting ${rule.name ?? '?'} in ${nameFromId(nsg.id)}: it also opens port(s) ${rulePorts(rule).join(', ')}; add them to --ports to close it.`,
      );
      continue;
    }
    out.push({ vm, nsg, rule: rule.name ?? '', port });
  }
  return out;
}

/** The first asked-for port the rule is a JIT allow rule for, from `source` to the VM; else undefined. */
function matchedPort(request: AddressCloseRequest, nsg: NsgOnPath, rule: SecurityRule): number | undefined {
  return request.ports.find((port) =>
    matchesTarget(rule, { port, destinations: nsg.privateIps, source: request.source }),
  );
}

async function deleteOne(ctx: Ctx, f: Found): Promise<AddressClosedRule> {
  const { source } = ctx.request;
  ctx.log.info(`Deleting ${f.rule} (port ${f.port}, source ${source}) from ${nameFromId(f.nsg.id)}...`);
  const result = await serialised(ctx, f.nsg.id, () => deleteRule(quiet(ctx), f.nsg.id, f.rule));
  return {
    vm: f.vm.name,
    nsg: nameFromId(f.nsg.id),
    rule: f.rule,
    port: f.port,
    source,
    outcome: result === 'deleted' ? 'deleted' : 'already-gone',
  };
}

/** One look, a little after the deletes, that the rules stayed gone; one written again is deleted again. */
async function recheck(ctx: Ctx, deleted: readonly Found[], delayMs: number): Promise<void> {
  ctx.log.info(`Checking in ${Math.round(delayMs / 1000)} s that the deleted rules stayed gone.`);
  await sleep(delayMs, ctx.signal, 're-checking closed rules');
  const reads = new Map<string, Promise<NetworkSecurityGroup>>();
  for (const d of deleted) {
    const key = normalizeId(d.nsg.id);
    if (!reads.has(key)) reads.set(key, readNsg(ctx.clients, d.nsg.id, ctx.signal));
  }
  for (const d of deleted) {
    const group = await (reads.get(normalizeId(d.nsg.id)) as Promise<NetworkSecurityGroup>);
    const back = (group.securityRules ?? []).find(
      (r) =>
        r.name?.toLowerCase() === d.rule.toLowerCase() && matchedPort(ctx.request, d.nsg, r) !== undefined,
    );
    if (!back) continue;
    ctx.log.warning(
      `Rule ${d.rule} is back in ${nameFromId(d.nsg.id)} after it was deleted; deleting it again.`,
    );
    await serialised(ctx, d.nsg.id, () => deleteRule(quiet(ctx), d.nsg.id, d.rule));
  }
}

/** deleteRule's context: its retry lines go to debug, as before. */
function quiet(ctx: Ctx) {
  return {
    clients: ctx.clients,
    signal: ctx.signal,
    log: { ...ctx.log, info: () => undefined, warning: () => undefined },
  };
}
