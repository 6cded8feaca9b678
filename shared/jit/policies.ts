/**
 * Finds the JIT policy that lists each VM. Policies are read ONCE per run
 * with one subscription-level list per subscription (paged): the Security
 * provider's read budget is small (~750 per subscription), so no per-VM or
 * per-region reads. Never assumes the policy is called `default`.
 */
import type { JitNetworkAccessPolicy, JitNetworkAccessPolicyVirtualMachine } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { idSegment, normalizeId, parseResourceId, sameResourceId } from '../azure/resourceId';
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
}

/** A VM and the policy entry that governs it. */
export interface VmPolicyMatch {
  readonly vm: VmTopology;
  readonly policy: JitPolicy;
  readonly entry: JitNetworkAccessPolicyVirtualMachine;
}

/** Lists every JIT policy of each subscription once (in parallel). */
export async function listPolicies(
  clients: AzureClients,
  subscriptionIds: readonly string[],
  signal?: AbortSignal,
): Promise<JitPolicy[]> {
  const perSub = await Promise.all(
    [...new Set(subscriptionIds.map((s) => s.toLowerCase()))].map((sub) =>
      azureCall(`list JIT policies of subscription '${sub}'`, signal, async (o) => {
        const found: JitPolicy[] = [];
        for await (const p of clients.security(sub).jitNetworkAccessPolicies.list(o)) {
          const policy = toJitPolicy(p);
          if (policy) found.push(policy);
        }
        return found;
      }),
    ),
  );
  return perSub.flat();
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
  for (const vm of vms) {
    const candidates = policies
      .flatMap((policy) =>
        policy.virtualMachines
          .filter((e) => sameResourceId(e.id, vm.id))
          .map((entry) => ({ vm, policy, entry })),
      )
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
    `VM ${vm.name} (${vm.id}, from input 'vms' = "${vm.ref.input}") is not covered by any JIT policy in subscription ${vm.subscriptionId}`,
    'policy',
    `Enable just-in-time VM access on ${vm.name}: in Defender for Cloud open Workload protections → Just-in-time VM access ` +
      "(or the VM's Connect / Configuration blade), select the VM and enable JIT with the ports you need " +
      '(needs Defender for Servers Plan 2 and permission to write JIT policies), then run again.',
  );
}
