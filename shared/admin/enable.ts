/**
 * `enable`: which policy each VM goes into and what it will hold, from reads
 * only (the VM, then the policies of its resource group and region). Writing
 * is `applyPlans`' job; `--dry-run` stops after this.
 *
 * A JIT policy must sit in its VMs' subscription, resource group and location
 * (Azure refuses others), so VMs are grouped that way and each group gets the
 * one policy it has there, or a new one (`--policy`, default `default`).
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { azureCall, isNotFound } from '../azure/call';
import { sameResourceId } from '../azure/resourceId';
import type { VmRef } from '../config';
import { InputError, PolicyError, type InputIssue } from '../errors';
import type { AdminAzure, PolicyPlan } from './apply';
import { mergeEnable, unmodelledFields, type DesiredVm } from './diff';
import { DEFAULT_POLICY_NAME, DEFAULT_PORT_BY_OS, nameLengthIssues, type EnableOptions } from './options';
import { listPolicies, policyIdOf, type PolicyAddress, type StoredPolicy } from './policyStore';

export interface VmTarget {
  readonly ref: VmRef;
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** `Linux` / `Windows` from the OS disk, when Azure says. */
  readonly osType?: string;
}

export interface AdminPlan {
  readonly plans: readonly PolicyPlan[];
  readonly warnings: readonly string[];
}

export function subscriptionOf(azure: AdminAzure, ref: VmRef): string {
  const sub = ref.subscriptionId ?? azure.clients.session.subscriptionId;
  if (!sub) {
    throw new InputError(
      'vms',
      ref.input,
      'names a VM without a subscription and none is set',
      'give --subscription (or AZURE_SUBSCRIPTION_ID), or the full VM resource ID',
    );
  }
  return sub;
}

async function readVm(azure: AdminAzure, ref: VmRef): Promise<VmTarget> {
  const sub = subscriptionOf(azure, ref);
  const vm: VirtualMachine = await azureCall(`read VM '${ref.name}'`, azure.signal, (o) =>
    azure.clients.compute(sub).virtualMachines.get(ref.resourceGroup, ref.name, o),
  ).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
    throw new InputError(
      'vms',
      ref.input,
      `VM '${ref.name}' was not found in resource group '${ref.resourceGroup}' of subscription '${sub}'`,
      'check the VM name, --resource-group and --subscription, and that you can read the VM',
    );
  });
  return {
    ref,
    id:
      vm.id ??
      `/subscriptions/${sub}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${ref.name}`,
    name: vm.name ?? ref.name,
    subscriptionId: sub,
    resourceGroup: ref.resourceGroup,
    location: vm.location,
    ...(vm.storageProfile?.osDisk?.osType ? { osType: vm.storageProfile.osDisk.osType } : {}),
  };
}

/** VMs grouped by where their policy must be: subscription, resource group, location. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item).toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

/**
 * The policy a group of VMs goes into. Refuses to guess: with several
 * policies, or a --policy other than the one a VM is already in, it asks.
 */
export function choosePolicy(
  existing: readonly StoredPolicy[],
  vmIds: readonly string[],
  requested: string | undefined,
  where: string,
): { name: string; policy?: StoredPolicy } {
  const names = existing.map((p) => `'${p.name}'`).join(', ');
  const holding = existing.filter((p) => p.entries.some((e) => vmIds.some((id) => sameResourceId(e.id, id))));
  if (requested !== undefined) {
    const named = existing.find((p) => p.name.toLowerCase() === requested.toLowerCase());
    const elsewhere = holding.find((p) => p !== named);
    if (elsewhere) {
      throw new InputError(
        'policy',
        requested,
        `differs from JIT policy '${elsewhere.name}', which already covers a VM given in ${where}`,
        `leave --policy out or pass --policy ${elsewhere.name}: a VM belongs in one policy`,
      );
    }
    if (!named && existing.length > 0) {
      throw new InputError(
        'policy',
        requested,
        `is not a JIT policy of ${where}, which already has ${names}`,
        'JIT keeps one policy per resource group and region: pass one of those names, or leave --policy out',
      );
    }
    return named ? { name: named.name, policy: named } : { name: requested };
  }
  const [only, ...others] = existing;
  if (!only) return { name: DEFAULT_POLICY_NAME };
  if (others.length === 0) return { name: only.name, policy: only };
  const [holder, ...moreHolders] = holding;
  if (holder && moreHolders.length === 0) return { name: holder.name, policy: holder };
  throw new InputError(
    'policy',
    '',
    `is needed: ${where} has several JIT policies (${names})`,
    'pass --policy with the one to change',
  );
}

function desiredFor(vm: VmTarget, options: EnableOptions, issues: InputIssue[]): DesiredVm | undefined {
  const defaultPort = vm.osType ? DEFAULT_PORT_BY_OS[vm.osType.toLowerCase()] : undefined;
  const ports = options.ports ?? (defaultPort !== undefined ? [defaultPort] : undefined);
  if (!ports) {
    issues.push({
      input: 'ports',
      value: '',
      rule: `is needed for VM ${vm.name}: Azure does not say whether it runs Linux or Windows`,
      hint: 'give --ports, e.g. 22 or 3389',
    });
    return undefined;
  }
  return {
    id: vm.id,
    ports: ports.map((number) => ({
      number,
      protocol: options.protocol,
      maxRequestAccessDuration: options.maxDuration,
      allowedSources: options.allowedSources,
    })),
  };
}

/** Reads the VMs and their resource groups' policies; returns what each policy will hold. */
export async function planEnable(azure: AdminAzure, options: EnableOptions): Promise<AdminPlan> {
  const vms = await Promise.all(options.vms.map((ref) => readVm(azure, ref)));
  const groups = groupBy(vms, (vm) => `${vm.subscriptionId}/${vm.resourceGroup}/${vm.location}`);
  const listed = await Promise.all(
    groups.map((group) => {
      const first = group[0] as VmTarget;
      return listPolicies(
        azure.clients,
        first.subscriptionId,
        first.resourceGroup,
        first.location,
        azure.signal,
      );
    }),
  );

  const issues: InputIssue[] = [];
  const plans: PolicyPlan[] = [];
  groups.forEach((group, i) => {
    const first = group[0] as VmTarget;
    const where = `resource group ${first.resourceGroup} (${first.location})`;
    let chosen;
    try {
      chosen = choosePolicy(
        listed[i] ?? [],
        group.map((vm) => vm.id),
        options.policyName,
        where,
      );
    } catch (error) {
      if (error instanceof InputError) issues.push(...error.issues);
      else throw error;
      return;
    }
    for (const vm of group) issues.push(...nameLengthIssues(chosen.name, vm.name, vm.ref.input));
    const desired = group.map((vm) => desiredFor(vm, options, issues)).filter((d): d is DesiredVm => !!d);
    const address: PolicyAddress = chosen.policy ?? {
      subscriptionId: first.subscriptionId,
      resourceGroup: first.resourceGroup,
      location: first.location,
      name: chosen.name,
    };
    const merge = mergeEnable(chosen.policy?.entries ?? [], desired);
    plans.push({
      address,
      id: chosen.policy?.id ?? policyIdOf(address),
      ...(chosen.policy?.kind ? { kind: chosen.policy.kind } : { kind: 'Basic' }),
      action: !chosen.policy ? 'create' : merge.changed ? 'update' : 'none',
      existed: chosen.policy !== undefined,
      merge,
    });
  });
  if (issues.length > 0) throw new InputError(issues);
  for (const plan of plans) refuseLossyWrite(plan);
  return { plans, warnings: [] };
}

/**
 * The SDK serialises only the fields it models: a policy holding others (a
 * newer API's) would lose them on our PUT. Refuse rather than drop them.
 */
export function refuseLossyWrite(plan: PolicyPlan): void {
  if (plan.action === 'none' || plan.action === 'delete') return;
  const unknown = unmodelledFields(plan.merge.after);
  if (unknown.length === 0) return;
  throw new PolicyError(
    `JIT policy '${plan.address.name}' holds fields this tool cannot write back (${unknown.slice(0, 5).join('; ')}); writing it would drop them, so nothing was written`,
    'Make this change in Defender for Cloud (portal), or update azure-jit-access to a version that knows these fields.',
  );
}
