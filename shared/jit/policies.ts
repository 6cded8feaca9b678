/**
 * Finds the JIT policy that lists each VM. Azure only accepts a policy in its
 * VMs' own subscription, resource group and location, so policies are listed
 * per resource group of the target VMs: one list per distinct group, never at
 * subscription scope (identities are often granted one resource group only,
 * and a subscription-wide list then fails with 403). The Security provider's
 * read budget is small (~750 per subscription): no per-VM reads. Never
 * assumes the policy is called `default`.
 */
import type {
  JitNetworkAccessPolicy,
  JitNetworkAccessPolicyVirtualMachine,
  JitNetworkAccessRequest,
} from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { groupById, idSegment, normalizeId, parseResourceId } from '../azure/resourceId';
import type { VmTopology } from '../azure/topology';
import { PolicyError } from '../errors';

export interface JitPolicy {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The `ascLocation` path segment for get/initiate. */
  readonly location: string;
  readonly virtualMachines: readonly JitNetworkAccessPolicyVirtualMachine[];
  /**
   * The policy's request history, as the list returned it (status and audit read it; no extra call).
   * Empty in main, whose lists leave it out (`prefetchPolicies`).
   */
  readonly requests: readonly JitNetworkAccessRequest[];
}

/** A policy and one of its VM entries. */
export interface PolicyEntry {
  readonly policy: JitPolicy;
  readonly entry: JitNetworkAccessPolicyVirtualMachine;
}

/**
 * Every policy's entries, by the VM they name (normalized ID), in policy order: one pass, so a run
 * for many VMs looks each VM up instead of comparing it with every entry of every policy.
 */
export function entriesByVm(policies: readonly JitPolicy[]): ReadonlyMap<string, readonly PolicyEntry[]> {
  return groupById(
    policies.flatMap((policy) => policy.virtualMachines.map((entry) => ({ policy, entry }))),
    (c) => c.entry.id,
  );
}

/** A VM and the policy entry that governs it. */
export interface VmPolicyMatch {
  readonly vm: VmTopology;
  readonly policy: JitPolicy;
  readonly entry: JitNetworkAccessPolicyVirtualMachine;
}

/** A resource group that holds target VMs. */
export interface GroupRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

/** Distinct (subscription, resource group) pairs, case-insensitively, in first-seen order. */
export function distinctGroups(groups: readonly GroupRef[]): GroupRef[] {
  const seen = new Map<string, GroupRef>();
  for (const g of groups) {
    const key = groupKey(g);
    if (!seen.has(key)) seen.set(key, g);
  }
  return [...seen.values()];
}

/** Lists the JIT policies of one resource group, with their request history unless `history` is false. */
function listGroup(
  clients: AzureClients,
  g: GroupRef,
  signal?: AbortSignal,
  history = true,
): Promise<JitNetworkAccessPolicy[]> {
  return azureCall(`list JIT policies of resource group '${g.resourceGroup}'`, signal, async (o) => {
    const found: JitNetworkAccessPolicy[] = [];
    const policies = clients.security(g.subscriptionId).jitNetworkAccessPolicies;
    const pages = history
      ? policies.listByResourceGroup(g.resourceGroup, o)
      : policies.listByResourceGroupWithoutHistory(g.resourceGroup, o);
    for await (const p of pages) found.push(p);
    return found;
  });
}

const groupKey = (g: GroupRef): string =>
  `${g.subscriptionId.toLowerCase()}/${g.resourceGroup.toLowerCase()}`;

/** Lists that may already be running, by group: a group missing from `started` is listed now. */
async function listRawPolicies(
  clients: AzureClients,
  groups: readonly GroupRef[],
  signal?: AbortSignal,
  started: ReadonlyMap<string, Promise<JitNetworkAccessPolicy[]>> = new Map(),
  history = true,
): Promise<JitNetworkAccessPolicy[]> {
  const perGroup = await Promise.all(
    distinctGroups(groups).map((g) => started.get(groupKey(g)) ?? listGroup(clients, g, signal, history)),
  );
  return perGroup.flat();
}

/** The JIT policies of the resource groups of `vms` (one list per distinct group), with their request history. */
export async function listPolicies(
  clients: AzureClients,
  vms: readonly GroupRef[],
  signal?: AbortSignal,
): Promise<JitPolicy[]> {
  return (await listRawPolicies(clients, vms, signal)).flatMap((p) => toJitPolicy(p) ?? []);
}

/**
 * Starts the lists of the groups the `vms` input names before the VMs are read, so they run
 * beside the VM, NIC and subnet reads instead of after the slowest of them. `listPolicies` of
 * the returned function then lists only the groups the VMs turned out to be in: a group the
 * input named lists once, a group it did not (none today: ARM answers a VM GET from the group
 * asked) is listed then, and a prefetched list of a group no VM is in is dropped unread.
 */
export function prefetchPolicies(
  clients: AzureClients,
  groups: readonly GroupRef[],
  signal?: AbortSignal,
): (vms: readonly GroupRef[]) => Promise<JitPolicy[]> {
  const started = new Map<string, Promise<JitNetworkAccessPolicy[]>>();
  for (const g of distinctGroups(groups)) {
    // Main's lists leave the request history out: it is read after initiate (policyReadSpecs.ts).
    const list = listGroup(clients, g, signal, false);
    // Awaited only if a VM is in this group; until then (or never) a failure must not go unhandled.
    list.catch(() => undefined);
    started.set(groupKey(g), list);
  }
  return async (vms) =>
    (await listRawPolicies(clients, vms, signal, started, false)).flatMap((p) => toJitPolicy(p) ?? []);
}

export function toJitPolicy(p: JitNetworkAccessPolicy): JitPolicy | undefined {
  const parsed = p.id ? parseResourceId(p.id) : undefined;
  const location = p.location ?? (p.id ? idSegment(p.id, 'locations') : undefined);
  if (!p.id || !parsed || !location) return undefined;
  return {
    id: p.id,
    name: p.name ?? parsed.name,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location,
    virtualMachines: p.virtualMachines ?? [],
    requests: p.requests ?? [],
  };
}

/**
 * Matches each VM to its policy. VMs without one are collected into a single
 * PolicyError; a VM listed by two policies gets the first by policy ID (stable
 * across runs) and a warning.
 */
export function matchPolicies(
  vms: readonly VmTopology[],
  policies: readonly JitPolicy[],
  warn: (message: string) => void,
): VmPolicyMatch[] {
  const matches: VmPolicyMatch[] = [];
  const missing: PolicyError[] = [];
  const entries = entriesByVm(policies);
  for (const vm of vms) {
    const candidates = (entries.get(normalizeId(vm.id)) ?? [])
      .map(({ policy, entry }) => ({ vm, policy, entry }))
      .sort((a, b) => normalizeId(a.policy.id).localeCompare(normalizeId(b.policy.id)));
    const [first, ...others] = candidates;
    if (!first) {
      missing.push(noPolicyError(vm));
      continue;
    }
    if (others.length > 0) {
      warn(
        `VM ${vm.name} is listed in ${candidates.length} JIT policies (${candidates.map((c) => `'${c.policy.name}' in ${c.policy.resourceGroup}`).join(', ')}); ` +
          `using '${first.policy.name}'. Remove it from the others to make this unambiguous.`,
      );
    }
    matches.push(first);
  }
  if (missing.length > 0) throw PolicyError.combine(missing);
  return matches;
}

function noPolicyError(vm: VmTopology): PolicyError {
  return new PolicyError(
    (fe) =>
      `VM ${vm.name} (${vm.id}, from ${fe.quote('vms')} = "${vm.ref.input}") is not covered by any JIT policy in its resource group ${vm.resourceGroup} (subscription ${vm.subscriptionId}); Azure only accepts a JIT policy in the VM's own resource group and location`,
    `Enable just-in-time VM access on ${vm.name}: in Defender for Cloud open Workload protections → Just-in-time VM access ` +
      "(or the VM's Connect / Configuration blade), select the VM and enable JIT with the ports you need " +
      '(needs Defender for Servers Plan 2 and permission to write JIT policies), then run again.',
  );
}
