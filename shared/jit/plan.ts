/**
 * What will be requested, grouped the way it is sent: one initiate per
 * policy, carrying all of that policy's VMs and ports.
 */
import type { JitNetworkAccessPortRule } from '@azure/arm-security';
import { normalizeId } from '../azure/resourceId';
import type { JitPolicy, VmPolicyMatch } from './policies';

export interface PlannedVm {
  readonly match: VmPolicyMatch;
  /** The policy's rule for each requested port, in the order asked. */
  readonly ports: readonly JitNetworkAccessPortRule[];
}

export interface PolicyPlan {
  readonly policy: JitPolicy;
  readonly vms: readonly PlannedVm[];
}

/** The source we will request: a prefix, or none (`source: azure`: Azure uses the caller's IP). */
export interface RequestedSource {
  readonly kind: 'auto' | 'azure' | 'explicit';
  readonly prefix?: string;
  /** `auto`: the IP echo services whose answers agreed. */
  readonly agreedBy?: readonly string[];
}

export function groupByPolicy(vms: readonly PlannedVm[]): PolicyPlan[] {
  const groups = new Map<string, { policy: JitPolicy; vms: PlannedVm[] }>();
  const planned = new Set<string>();
  for (const vm of vms) {
    const key = normalizeId(vm.match.policy.id);
    const group = groups.get(key) ?? { policy: vm.match.policy, vms: [] };
    // The same VM named twice (name and ID): request it once.
    const vmKey = `${key}|${normalizeId(vm.match.vm.id)}`;
    if (!planned.has(vmKey)) {
      planned.add(vmKey);
      group.vms.push(vm);
    }
    groups.set(key, group);
  }
  return [...groups.values()];
}
