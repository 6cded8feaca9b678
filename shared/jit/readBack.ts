/**
 * What the 202 of `initiate` may leave out, read back from the policy's
 * request history (ONE policy read, and only when needed): the firewall's
 * `mappedPort` for VMs behind an Azure Firewall, and the address Azure chose
 * for `source: azure`. Azure documents neither as always present in the 202.
 */
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { normalizeId, sameResourceId } from '../azure/resourceId';
import { PolicyError } from '../errors';
import { sleep } from '../abort';
import { entrySources, findOurEntry } from './history';
import type { AcceptedRequest } from './initiate';
import { readPolicy } from './supersede';

export interface ReadBackResult {
  /** Firewall mapped port per `vmId|port` (lower-case VM ID). */
  readonly mappedPorts: ReadonlyMap<string, number>;
  /** `source: azure`: the address Azure allowed, when this run's own request entry says so unambiguously. */
  readonly source?: string;
}

export const mappedKey = (vmId: string, port: number): string => `${normalizeId(vmId)}|${port}`;

/** Policy reads per request while our entry has not shown up in the history yet. */
const READ_ATTEMPTS = 3;

export async function readBack(
  clients: AzureClients,
  requests: readonly AcceptedRequest[],
  requestedSource: string | undefined,
  signal?: AbortSignal,
  debug: (m: string) => void = () => undefined,
): Promise<ReadBackResult> {
  const mappedPorts = new Map<string, number>();
  const learnt = new Set<string>();
  for (const request of requests) {
    const missing: { vmId: string; vmName: string; port: number; firewall: boolean }[] = [];
    for (const planned of request.plan.vms) {
      const vm = planned.match.vm;
      const firewall = planned.match.entry.publicIpAddress !== undefined;
      const answered = request.response.virtualMachines.find((v) => sameResourceId(v.id, vm.id));
      for (const p of planned.ports) {
        const a = answered?.ports.find((x) => x.number === p.number);
        if (a?.mappedPort !== undefined) mappedPorts.set(mappedKey(vm.id, p.number), a.mappedPort);
        const echoed = a ? entrySources(a) : [];
        if (requestedSource === undefined && echoed.length === 1 && echoed[0] !== '*')
          learnt.add(echoed[0] as string);
        const needsMapped = firewall && a?.mappedPort === undefined;
        const needsSource = requestedSource === undefined && echoed.length === 0;
        if (needsMapped || needsSource)
          missing.push({ vmId: vm.id, vmName: vm.name, port: p.number, firewall });
      }
    }
    if (missing.length === 0) continue;
    let policy: JitNetworkAccessPolicy | undefined;
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      policy = await readPolicy(clients, request.plan.policy, signal);
      const all = missing.every((m) =>
        findOurEntry(policy as JitNetworkAccessPolicy, {
          vmId: m.vmId,
          port: m.port,
          endTimeUtc: request.endTimeUtc,
          ...(requestedSource !== undefined ? { source: requestedSource } : {}),
        }),
      );
      if (all || attempt === READ_ATTEMPTS) break;
      debug(`Our request is not in policy '${request.plan.policy.name}' history yet; reading it again.`);
      await sleep(1000 * attempt, signal, 'reading the JIT request back');
    }
    const noMapped: string[] = [];
    for (const m of missing) {
      const entry = findOurEntry(policy as JitNetworkAccessPolicy, {
        vmId: m.vmId,
        port: m.port,
        endTimeUtc: request.endTimeUtc,
        ...(requestedSource !== undefined ? { source: requestedSource } : {}),
      });
      if (entry?.port.mappedPort !== undefined)
        mappedPorts.set(mappedKey(m.vmId, m.port), entry.port.mappedPort);
      else if (m.firewall && !mappedPorts.has(mappedKey(m.vmId, m.port)))
        noMapped.push(`${m.vmName} port ${m.port}`);
      const sources = entry ? entrySources(entry.port) : [];
      if (requestedSource === undefined && sources.length === 1 && sources[0] !== '*')
        learnt.add(sources[0] as string);
    }
    if (noMapped.length > 0) {
      throw new PolicyError(
        `JIT policy '${request.plan.policy.name}' routes ${noMapped.join(', ')} through an Azure Firewall, but neither Azure's answer nor the policy's request history gives the firewall port to connect to (mappedPort)`,
        'vm',
        "Check the VM's entry in the JIT policy (its Azure Firewall settings) in Defender for Cloud; the request stays open until its end time or until the post step closes it.",
      );
    }
  }
  return learnt.size === 1 ? { mappedPorts, source: [...learnt][0] as string } : { mappedPorts };
}
