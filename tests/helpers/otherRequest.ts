/**
 * Another principal's JIT request for one VM port, sent through the emulator
 * as a real HTTPS call: how tests make a run's request superseded.
 */
import type { Emulator } from '../../emulator';

const PRODUCTION = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

export interface OtherRequest {
  readonly vm: string;
  readonly resourceGroup: string;
  readonly policy: string;
  readonly source: string;
  readonly port?: number;
  /** Length of the other request, on the emulator's clock. */
  readonly minutes?: number;
  readonly principal?: string;
  readonly location?: string;
}

/** Sends the request and returns the emulator's HTTP status (202 when accepted). */
export async function initiateAsOther(emu: Emulator, r: OtherRequest): Promise<number> {
  const end = new Date(emu.control.clock.now().getTime() + (r.minutes ?? 30) * 60_000).toISOString();
  const id = `/subscriptions/${PRODUCTION}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${r.vm}`;
  const response = await emu.control.initiateAs(r.principal ?? 'jit-cert', {
    resourceGroup: r.resourceGroup,
    location: r.location ?? 'eastus',
    policy: r.policy,
    body: {
      virtualMachines: [
        { id, ports: [{ number: r.port ?? 22, allowedSourceAddressPrefix: r.source, endTimeUtc: end }] },
      ],
    },
  });
  return response.status;
}

/**
 * Another principal's request for web-02 in web-jit, the policy of web-01 too: under emulator
 * behaviour `history: newest` the policy then lists only this one, not a run's earlier request.
 */
export function laterRequestOnWeb02(emu: Emulator): Promise<number> {
  return initiateAsOther(emu, {
    vm: 'web-02',
    resourceGroup: 'rg-web',
    policy: 'web-jit',
    source: '198.51.100.7',
  });
}

/** Security-provider GETs of one JIT policy in the emulator's request log. */
export function policyReads(emu: Emulator, policyName: string): number {
  const path = new RegExp(`jitNetworkAccessPolicies/${policyName}$`);
  return emu.control
    .requests()
    .filter((r) => r.provider === 'security' && r.method === 'GET' && path.test(r.path)).length;
}
