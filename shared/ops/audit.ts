/**
 * Audit: which VMs are exposed without just-in-time protection (the check
 * Trend Micro Conformity calls VirtualMachines-021, "Enable JIT access"),
 * plus the policies that defeat it by allowing any source (`*`) on a port.
 * Reads only: every VM of a subscription (or of the given resource groups)
 * and one JIT policy list per resource group of those VMs.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { enableSuggestion } from '../admin/suggest';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { normalizeId, parseResourceId } from '../azure/resourceId';
import { entriesByVm, listPolicies, type PolicyEntry } from '../jit/policies';
import { allowsAnySource } from '../jit/allowedSources';

export type FindingKind = 'no-jit-policy' | 'any-source';

export interface AuditFinding {
  readonly vm: string;
  readonly id: string;
  readonly resourceGroup: string;
  readonly kind: FindingKind;
  readonly policy?: string;
  /** For any-source: the ports that allow `*`. */
  readonly ports?: readonly number[];
  readonly detail: string;
  /** For no-jit-policy: the `enable` command that fixes it. */
  readonly suggestion?: string;
}

export interface AuditScope {
  readonly subscriptionId: string;
  /** Empty: the whole subscription. */
  readonly resourceGroups: readonly string[];
}

export interface AuditReport {
  readonly vmsChecked: number;
  readonly policiesChecked: number;
  readonly findings: readonly AuditFinding[];
}

export async function auditVms(
  clients: AzureClients,
  scope: AuditScope,
  signal?: AbortSignal,
): Promise<AuditReport> {
  const sub = scope.subscriptionId;
  const vms = await listVms(clients, scope, signal);
  // Per resource group of the VMs found (never subscription-wide: a JIT policy lives in its VMs' group).
  const policies = await listPolicies(
    clients,
    vms.flatMap((vm) => {
      const rg = parseResourceId(vm.id ?? '')?.resourceGroup;
      return rg ? [{ subscriptionId: sub, resourceGroup: rg }] : [];
    }),
    signal,
  );
  const entries = entriesByVm(policies);
  return {
    vmsChecked: vms.length,
    policiesChecked: policies.length,
    findings: vms.flatMap((vm) => findingsFor(vm, entries, sub)),
  };
}

async function listVms(
  clients: AzureClients,
  scope: AuditScope,
  signal?: AbortSignal,
): Promise<VirtualMachine[]> {
  const groups = scope.resourceGroups;
  const compute = clients.compute(scope.subscriptionId);
  return azureCall(
    groups.length > 0
      ? `list VMs of ${groups.join(', ')}`
      : `list VMs of subscription '${scope.subscriptionId}'`,
    signal,
    async (o) => {
      const found: VirtualMachine[] = [];
      const pages =
        groups.length > 0
          ? groups.map((g) => compute.virtualMachines.list(g, o))
          : [compute.virtualMachines.listAll(o)];
      for (const page of pages) for await (const vm of page) found.push(vm);
      return found;
    },
  );
}

function findingsFor(
  vm: VirtualMachine,
  byVm: ReadonlyMap<string, readonly PolicyEntry[]>,
  sub: string,
): AuditFinding[] {
  const id = vm.id ?? '';
  const parsed = parseResourceId(id);
  const base = { vm: vm.name ?? id, id, resourceGroup: parsed?.resourceGroup ?? '' };
  const entries = vm.id === undefined ? [] : (byVm.get(normalizeId(vm.id)) ?? []);
  if (entries.length === 0) {
    const osType = vm.storageProfile?.osDisk?.osType;
    return [
      {
        ...base,
        kind: 'no-jit-policy',
        detail: 'No JIT policy covers this VM: its management ports are governed by its NSG rules alone.',
        suggestion: enableSuggestion({
          name: base.vm,
          resourceGroup: base.resourceGroup,
          subscriptionId: parsed?.subscriptionId ?? sub,
          ...(osType ? { osType } : {}),
        }),
      },
    ];
  }
  return entries.flatMap(({ policy, entry }): AuditFinding[] => {
    const open = entry.ports.filter((rule) => allowsAnySource(rule));
    if (open.length === 0) return [];
    const ports = open.map((r) => r.number);
    return [
      {
        ...base,
        kind: 'any-source',
        policy: policy.name,
        ports,
        detail: `JIT policy '${policy.name}' lets a request open port(s) ${ports.join(', ')} to any source (*); restrict allowed source addresses.`,
      },
    ];
  });
}
