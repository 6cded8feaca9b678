/**
 * JIT policies as the Security RP returns them, key order included (reference §1.4:
 * kind, properties{virtualMachines, requests, provisioningState, appendMode}, id,
 * name, type, location). 2015-06-01-preview answers had no appendMode and said
 * Succeeded where 2020-01-01 says Updating.
 */
import type { JitPolicyState, JitPolicyVm, JitRequest } from '../arm/state';
import type { EmulatorBehaviour } from '../behaviour';

export const POLICY_TYPE = 'Microsoft.Security/locations/jitNetworkAccessPolicies';

export function isPreview(apiVersion: string): boolean {
  return apiVersion.startsWith('2015-06-01');
}

function vmOut(vm: JitPolicyVm): Record<string, unknown> {
  return {
    id: vm.id,
    ports: vm.ports.map((p) => ({ ...p })),
    ...(vm.publicIpAddress !== undefined ? { publicIpAddress: vm.publicIpAddress } : {}),
  };
}

export function requestOut(r: JitRequest): Record<string, unknown> {
  return {
    virtualMachines: r.virtualMachines.map((v) => ({ id: v.id, ports: v.ports.map((p) => ({ ...p })) })),
    startTimeUtc: r.startTimeUtc,
    requestor: r.requestor,
    ...(r.justification !== undefined ? { justification: r.justification } : {}),
  };
}

/** The request history a policy read shows (behaviour `history`); oldest first, as stored. */
export function visibleRequests(policy: JitPolicyState, behaviour: EmulatorBehaviour): JitRequest[] {
  const shown = behaviour.history === 'newest' ? policy.requests.slice(-1) : policy.requests;
  return shown.map((s) => s.request);
}

export function policyOut(
  policy: JitPolicyState,
  apiVersion: string,
  requests: JitRequest[] = policy.requests.map((s) => s.request),
): Record<string, unknown> {
  const preview = isPreview(apiVersion);
  return {
    kind: policy.kind,
    properties: {
      virtualMachines: policy.virtualMachines.map(vmOut),
      requests: requests.map(requestOut),
      provisioningState:
        preview && policy.provisioningState === 'Updating' ? 'Succeeded' : policy.provisioningState,
      ...(preview ? {} : { appendMode: false }),
    },
    id: policy.id,
    name: policy.name,
    type: POLICY_TYPE,
    location: policy.location,
  };
}
