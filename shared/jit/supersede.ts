/**
 * Whether our request for a VM port was replaced by a newer one. JIT keeps
 * one live request per VM port: a newer request marks ours `Revoked` /
 * `NewerRequestInitiated` and replaces the allow rule. Read from ONE policy
 * GET (the Security provider's read budget is small), never polled.
 */
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { sameResourceId } from '../azure/resourceId';
import { toIso } from './initiate';

export interface PolicyLocator {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly name: string;
}

export interface NewerRequest {
  /** Absent when only our own entry, marked revoked, tells us. */
  readonly startTimeUtc?: string;
  readonly requestor: string;
  readonly source?: string;
}

export function readPolicy(
  clients: AzureClients,
  p: PolicyLocator,
  signal?: AbortSignal,
): Promise<JitNetworkAccessPolicy> {
  return azureCall(`read JIT policy '${p.name}' in ${p.resourceGroup}`, signal, (o) =>
    clients.security(p.subscriptionId).jitNetworkAccessPolicies.get(p.resourceGroup, p.location, p.name, o),
  );
}

/**
 * A request for `vmId`+`port` started after ours (`ourStartTimeUtc`), or ours
 * marked revoked for a newer request (then the newer one may already be gone
 * from the history; `startTimeUtc` is ours in that case).
 */
export function findNewerRequest(
  policy: JitNetworkAccessPolicy,
  vmId: string,
  port: number,
  ourStartTimeUtc: string,
): NewerRequest | undefined {
  const ours = Date.parse(ourStartTimeUtc);
  let revokedOurs: NewerRequest | undefined;
  for (const request of policy.requests ?? []) {
    const start = toIso(request.startTimeUtc);
    if (!start) continue;
    for (const vm of request.virtualMachines) {
      if (!sameResourceId(vm.id, vmId)) continue;
      for (const p of vm.ports) {
        if (p.number !== port) continue;
        const source = p.allowedSourceAddressPrefix ?? p.allowedSourceAddressPrefixes?.join(',');
        if (Date.parse(start) > ours)
          return { startTimeUtc: start, requestor: request.requestor, ...(source ? { source } : {}) };
        if (
          Date.parse(start) === ours &&
          /^revoked$/i.test(p.status) &&
          /^NewerRequestInitiated$/i.test(p.statusReason)
        ) {
          revokedOurs = { requestor: '' };
        }
      }
    }
  }
  return revokedOurs;
}

export function describeNewer(n: NewerRequest): string {
  const who = n.requestor ? ` by '${n.requestor}'` : '';
  const from = n.source ? ` for source ${n.source}` : '';
  const when = n.startTimeUtc ? ` (started ${n.startTimeUtc})` : '';
  return `a newer JIT request${who}${from}${when}`;
}

/**
 * Our own entry for a VM port in the policy's history: 'live' while Initiated
 * (or Initiating), 'revoked' once expired or replaced, 'unknown' if absent.
 */
export function ourPortStatus(
  policy: JitNetworkAccessPolicy,
  vmId: string,
  port: number,
  ourStartTimeUtc: string,
): 'live' | 'revoked' | 'unknown' {
  const ours = Date.parse(ourStartTimeUtc);
  for (const request of policy.requests ?? []) {
    const start = toIso(request.startTimeUtc);
    if (!start || Date.parse(start) !== ours) continue;
    for (const vm of request.virtualMachines) {
      if (!sameResourceId(vm.id, vmId)) continue;
      const p = vm.ports.find((x) => x.number === port);
      if (p) return /^revoked$/i.test(p.status) ? 'revoked' : 'live';
    }
  }
  return 'unknown';
}
