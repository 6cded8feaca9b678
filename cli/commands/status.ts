/**
 * `status`: for each VM, its JIT policy, the live JIT requests for it (from
 * the policy's request history: `Initiated` and not yet at their end time)
 * and the JIT allow rules present right now in every NSG on its path. Reads
 * only.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessRequest } from '@azure/arm-security';
import type { AzureClients } from '../../shared/azure/clients';
import { azureCall } from '../../shared/azure/call';
import { requireResourceId, sameResourceId } from '../../shared/azure/resourceId';
import { resolveTopologies, type VmTopology } from '../../shared/azure/topology';
import type { VmRef } from '../../shared/config';
import { isJitAllowRule, ruleDestinations, rulePorts, ruleSources } from '../../shared/jit/nsgRules';
import { oneLine } from '../../shared/outsideText';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { connectClients, listPoliciesWithRequests, reportFailure, textTable, vmsFromFlags } from './azure';

export interface LiveRequest {
  readonly port: number;
  readonly source: string;
  readonly status: string;
  readonly startTimeUtc: string;
  readonly endTimeUtc: string;
  readonly requestor: string;
  readonly justification?: string;
  /** Whether a matching allow rule is in the NSGs now (false: closed early, or not written yet). */
  readonly ruleInNsg?: boolean;
}

export interface LiveRule {
  readonly nsg: string;
  readonly name: string;
  readonly ports: readonly string[];
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly provisioningState?: string;
}

export interface VmStatus {
  readonly vm: string;
  readonly id: string;
  readonly policy?: { readonly name: string; readonly resourceGroup: string; readonly location: string };
  readonly requests: readonly LiveRequest[];
  readonly rules: readonly LiveRule[];
}

const iso = (d: Date | string | undefined): string => (d === undefined ? '' : new Date(d).toISOString());

function liveRequests(
  vm: VmTopology,
  history: readonly JitNetworkAccessRequest[],
  now: number,
): LiveRequest[] {
  const out: LiveRequest[] = [];
  for (const request of history) {
    for (const entry of request.virtualMachines) {
      if (!sameResourceId(entry.id, vm.id)) continue;
      for (const port of entry.ports) {
        const end = new Date(port.endTimeUtc).getTime();
        if (port.status.toLowerCase() !== 'initiated' || end <= now) continue;
        out.push({
          port: port.number,
          source:
            port.allowedSourceAddressPrefix ?? port.allowedSourceAddressPrefixes?.join(',') ?? '(caller IP)',
          status: port.status,
          startTimeUtc: iso(request.startTimeUtc),
          endTimeUtc: iso(port.endTimeUtc),
          // Another principal's words: one line, so they cannot start a line (or a runner command) of ours.
          requestor: oneLine(request.requestor),
          ...(request.justification ? { justification: oneLine(request.justification) } : {}),
        });
      }
    }
  }
  return out;
}

async function jitRules(ctx: CommandContext, clients: AzureClients, vm: VmTopology): Promise<LiveRule[]> {
  const perNsg = await Promise.all(
    vm.nsgs.map(async (nsg) => {
      const p = requireResourceId(nsg.id, 'network security group');
      const group = await azureCall(`read NSG '${p.name}'`, ctx.io.signal, (o) =>
        clients.network(p.subscriptionId).networkSecurityGroups.get(p.resourceGroup, p.name, o),
      );
      return (group.securityRules ?? [])
        .filter((r: SecurityRule) => isJitAllowRule(r))
        .filter((r) => ruleDestinations(r).some((d) => nsg.privateIps.includes(d.split('/')[0] ?? d)))
        .map((r): LiveRule => ({
          nsg: p.name,
          name: r.name ?? '',
          ports: rulePorts(r),
          sources: ruleSources(r),
          destinations: ruleDestinations(r),
          ...(r.provisioningState ? { provisioningState: r.provisioningState } : {}),
        }));
    }),
  );
  return perNsg.flat();
}

export async function collectStatus(
  ctx: CommandContext,
  clients: AzureClients,
  vms: readonly VmRef[],
): Promise<VmStatus[]> {
  const topologies = await resolveTopologies(clients, vms, ctx.io.signal);
  const policies = await listPoliciesWithRequests(ctx, clients, topologies);
  const now = clients.clock.now().getTime();
  return Promise.all(
    topologies.map(async (vm): Promise<VmStatus> => {
      const governing = policies.filter((p) =>
        p.policy.virtualMachines.some((e) => sameResourceId(e.id, vm.id)),
      );
      const first = governing[0];
      const rules = await jitRules(ctx, clients, vm);
      const requests = governing
        .flatMap((p) => liveRequests(vm, p.raw.requests ?? [], now))
        .map((r) => ({
          ...r,
          ruleInNsg: rules.some((x) => x.ports.includes(String(r.port)) && x.sources.includes(r.source)),
        }));
      return {
        vm: vm.name,
        id: vm.id,
        ...(first
          ? {
              policy: {
                name: first.policy.name,
                resourceGroup: first.policy.resourceGroup,
                location: first.policy.location,
              },
            }
          : {}),
        requests,
        rules,
      };
    }),
  );
}

function printStatus(ctx: CommandContext, statuses: readonly VmStatus[]): void {
  for (const s of statuses) {
    const policy = s.policy
      ? `JIT policy '${s.policy.name}' (${s.policy.resourceGroup}, ${s.policy.location})`
      : 'no JIT policy';
    ctx.terminal.print(`\n${s.vm}: ${policy}`);
    ctx.terminal.print(
      s.requests.length === 0
        ? '  No live JIT requests.'
        : textTable(
            ['port', 'source', 'until (UTC)', 'allow rule', 'requested by', 'justification'],
            s.requests.map((r) => [
              String(r.port),
              r.source,
              r.endTimeUtc,
              r.ruleInNsg ? 'in NSG' : 'none (closed early or not yet written)',
              r.requestor || '-',
              r.justification ?? '',
            ]),
          ).replace(/^/gm, '  '),
    );
    ctx.terminal.print(
      s.rules.length === 0
        ? '  No JIT allow rules in its NSGs.'
        : textTable(
            ['NSG', 'allow rule', 'port', 'source', 'destination', 'state'],
            s.rules.map((r) => [
              r.nsg,
              r.name,
              r.ports.join(','),
              r.sources.join(','),
              r.destinations.join(','),
              r.provisioningState ?? '',
            ]),
          ).replace(/^/gm, '  '),
    );
  }
}

export async function statusCommand(ctx: CommandContext): Promise<number> {
  try {
    // Inputs are checked before signing in: a typo fails at once, without a network round trip.
    const vms = vmsFromFlags(ctx);
    const clients = await connectClients(ctx);
    const statuses = await collectStatus(ctx, clients, vms);
    if (ctx.terminal.json)
      ctx.terminal.printJson({ command: 'status', ok: true, exitCode: EXIT.ok, vms: statuses });
    else printStatus(ctx, statuses);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(ctx, error);
  }
}
