/**
 * Status of VMs: for each, its JIT policy, the live JIT requests for it (from
 * the policy's request history: `Initiated` and not yet at their end time)
 * and the JIT allow rules present right now in every NSG on its path. Reads
 * only: one policy list per resource group (as main) and the NSG read post
 * uses.
 */
import type { JitNetworkAccessRequest } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { nameFromId, normalizeId, sameResourceId } from '../azure/resourceId';
import { resolveTopologies, type VmTopology } from '../azure/topology';
import type { VmRef } from '../config';
import {
  destinationAddresses,
  isJitAllowRule,
  ruleDestinations,
  rulePorts,
  ruleSources,
} from '../jit/nsgRules';
import { entriesByVm, listPolicies, type JitPolicy } from '../jit/policies';
import { readNsg } from '../azure/nsg';
import { oneLine } from '../outsideText';
import { isoOf } from '../time';

/** A live JIT request for one port of a VM. */
export interface StatusRequest {
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

/** A JIT allow rule in an NSG on the VM's path. */
export interface StatusRule {
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
  readonly requests: readonly StatusRequest[];
  readonly rules: readonly StatusRule[];
}

export async function readStatus(
  clients: AzureClients,
  vms: readonly VmRef[],
  signal?: AbortSignal,
): Promise<VmStatus[]> {
  const topologies = await resolveTopologies(clients, vms, signal);
  const policies = await listPolicies(clients, topologies, signal);
  const now = clients.clock.now().getTime();
  const entries = entriesByVm(policies);
  return Promise.all(
    topologies.map(async (vm): Promise<VmStatus> => {
      // In the policies' order, each policy once (a policy naming the VM twice governs it once).
      const governing = [...new Set((entries.get(normalizeId(vm.id)) ?? []).map((c) => c.policy))];
      const rules = await jitRules(clients, vm, signal);
      const requests = governing
        .flatMap((p) => liveRequests(vm, p.requests, now))
        .map((r) => ({
          ...r,
          ruleInNsg: rules.some((x) => x.ports.includes(String(r.port)) && x.sources.includes(r.source)),
        }));
      const first: JitPolicy | undefined = governing[0];
      return {
        vm: vm.name,
        id: vm.id,
        ...(first
          ? { policy: { name: first.name, resourceGroup: first.resourceGroup, location: first.location } }
          : {}),
        requests,
        rules,
      };
    }),
  );
}

function liveRequests(
  vm: VmTopology,
  history: readonly JitNetworkAccessRequest[],
  now: number,
): StatusRequest[] {
  const out: StatusRequest[] = [];
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
          startTimeUtc: isoOf(request.startTimeUtc) ?? '',
          endTimeUtc: isoOf(port.endTimeUtc) ?? '',
          // Another principal's words: one line, so they cannot start a line (or a runner command) of ours.
          requestor: oneLine(request.requestor),
          ...(request.justification ? { justification: oneLine(request.justification) } : {}),
        });
      }
    }
  }
  return out;
}

async function jitRules(clients: AzureClients, vm: VmTopology, signal?: AbortSignal): Promise<StatusRule[]> {
  const perNsg = await Promise.all(
    vm.nsgs.map(async (nsg) => {
      const group = await readNsg(clients, nsg.id, signal);
      const name = nameFromId(nsg.id);
      return (group.securityRules ?? [])
        .filter((r) => isJitAllowRule(r))
        .filter((r) => destinationAddresses(r).some((d) => nsg.privateIps.includes(d)))
        .map((r): StatusRule => ({
          nsg: name,
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
