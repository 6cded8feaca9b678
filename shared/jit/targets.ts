/**
 * What a job needs to connect, per VM: the host and port to use and what was
 * opened. The host is the Azure Firewall's public IP with the mapped port when
 * the policy routes the VM through a firewall; else the VM's public IP; else
 * its FQDN; else its private IP (a self-hosted agent inside the VNet).
 */
import { groupById, normalizeId } from '../azure/resourceId';
import type { AcceptedRequest } from './initiate';
import { mappedKey } from './readBack';
import type { FoundRule } from './expectation';

export interface TargetPort {
  /** The VM port that was opened. */
  readonly port: number;
  /** The port to connect to: the firewall's mapped port, or `port`. */
  readonly connectPort: number;
  readonly mappedPort?: number;
}

export interface Target {
  readonly vm: string;
  readonly id: string;
  readonly policy: string;
  readonly host: string;
  /** Connect port of the first requested port. */
  readonly port: number;
  readonly ports: readonly TargetPort[];
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly fqdn?: string;
  /** The Azure Firewall public IP the policy routes this VM through. */
  readonly firewallIp?: string;
  readonly mappedPort?: number;
  readonly source: string;
  readonly expiresAt: string;
  readonly ruleNames: readonly string[];
  readonly nsgIds: readonly string[];
}

export function buildTargets(
  requests: readonly AcceptedRequest[],
  rules: readonly FoundRule[],
  source: string,
  mappedPorts: ReadonlyMap<string, number> = new Map(),
): Target[] {
  const rulesByVm = groupById(rules, (r) => r.expectation.vm.id);
  return requests.flatMap((request) => {
    const answers = groupById(request.response.virtualMachines, (v) => v.id);
    return request.plan.vms.map((planned) => {
      const vm = planned.match.vm;
      const answered = answers.get(normalizeId(vm.id))?.[0];
      const ports: TargetPort[] = planned.ports.map((p) => {
        const mapped =
          answered?.ports.find((a) => a.number === p.number)?.mappedPort ??
          mappedPorts.get(mappedKey(vm.id, p.number));
        return {
          port: p.number,
          connectPort: mapped ?? p.number,
          ...(mapped !== undefined ? { mappedPort: mapped } : {}),
        };
      });
      const first = ports[0];
      const firewallIp = planned.match.entry.publicIpAddress;
      // readBack() guarantees a mapped port for every firewall VM port (else it failed): no fallback to the VM's own address.
      const viaFirewall = firewallIp !== undefined;
      const host = viaFirewall ? firewallIp : (vm.publicIp ?? vm.fqdn ?? vm.privateIps[0] ?? '');
      const vmRules = rulesByVm.get(normalizeId(vm.id)) ?? [];
      return {
        vm: vm.name,
        id: vm.id,
        policy: request.plan.policy.name,
        host,
        port: first?.connectPort ?? 0,
        ports,
        privateIp: vm.privateIps[0] ?? '',
        ...(vm.publicIp ? { publicIp: vm.publicIp } : {}),
        ...(vm.fqdn ? { fqdn: vm.fqdn } : {}),
        ...(firewallIp ? { firewallIp } : {}),
        ...(first?.mappedPort !== undefined ? { mappedPort: first.mappedPort } : {}),
        source,
        expiresAt: request.endTimeUtc,
        ruleNames: [...new Set(vmRules.map((r) => r.name))],
        nsgIds: vm.nsgs.map((n) => n.id),
      };
    });
  });
}
