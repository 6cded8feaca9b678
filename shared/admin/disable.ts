/**
 * `disable`: remove the named VMs' entries from the JIT policies of their
 * resource groups, and nothing else; a policy left with no VM is deleted
 * (Azure's PUT needs at least one). Reads only the policies (one list per
 * resource group, all regions), not the VMs: a VM that no longer exists can
 * still be taken out of its policy.
 */
import { sameResourceId } from '../azure/resourceId';
import { InputError } from '../errors';
import type { AdminAzure, PolicyPlan } from './apply';
import { mergeDisable } from './diff';
import { groupBy, subscriptionOf, type AdminPlan } from './enable';
import type { AdminOptions } from './options';
import { listPolicies } from './policyStore';

interface NamedVm {
  readonly input: string;
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

export async function planDisable(azure: AdminAzure, options: AdminOptions): Promise<AdminPlan> {
  const vms: NamedVm[] = options.vms.map((ref) => {
    const sub = subscriptionOf(azure, ref);
    return {
      input: ref.input,
      id: `/subscriptions/${sub}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${ref.name}`,
      subscriptionId: sub,
      resourceGroup: ref.resourceGroup,
    };
  });
  const groups = groupBy(vms, (vm) => `${vm.subscriptionId}/${vm.resourceGroup}`);
  const listed = await Promise.all(
    groups.map((group) => {
      const first = group[0] as NamedVm;
      return listPolicies(azure.clients, first.subscriptionId, first.resourceGroup, undefined, azure.signal);
    }),
  );

  const plans: PolicyPlan[] = [];
  const warnings: string[] = [];
  groups.forEach((group, i) => {
    const first = group[0] as NamedVm;
    let policies = listed[i] ?? [];
    if (options.policyName !== undefined) {
      const wanted = options.policyName.toLowerCase();
      const found = policies.filter((p) => p.name.toLowerCase() === wanted);
      if (found.length === 0) {
        throw new InputError(
          'policy',
          options.policyName,
          `is not a JIT policy of resource group ${first.resourceGroup} (it has ${policies.map((p) => `'${p.name}'`).join(', ') || 'none'})`,
          'leave --policy out to remove the VMs from whichever policy covers them',
        );
      }
      policies = found;
    }
    for (const vm of group) {
      if (!policies.some((p) => p.entries.some((e) => sameResourceId(e.id, vm.id)))) {
        warnings.push(
          `VM ${vm.input} is in no JIT policy of resource group ${vm.resourceGroup}${options.policyName ? ` named '${options.policyName}'` : ''}: nothing to remove.`,
        );
      }
    }
    for (const policy of policies) {
      const merge = mergeDisable(
        policy.entries,
        group.map((vm) => vm.id),
      );
      if (!merge.changed) continue;
      plans.push({
        address: policy,
        id: policy.id,
        ...(policy.kind ? { kind: policy.kind } : {}),
        action: merge.after.length === 0 ? 'delete' : 'update',
        existed: true,
        merge,
      });
    }
  });
  return { plans, warnings };
}
