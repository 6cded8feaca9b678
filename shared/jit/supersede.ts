/**
 * Reading the JIT policy to judge our own request: ONE GET (the Security
 * provider's read budget is small), never polled. The verdict comes from our
 * own port entry (see history.ts): `Revoked` + `NewerRequestInitiated` means
 * a newer request replaced ours; a newer request that merely coexists with
 * ours changes nothing.
 */
import type { PolicyWithRawHistory } from '../azure/policyReadSpecs';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { entryState, findOurEntry, newestOther, type RequestHistory, type OurRequestKey } from './history';
import { instantOf } from '../time';

export interface PolicyLocator {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly name: string;
}

export interface NewerRequest {
  readonly startTimeUtc?: string;
  readonly requestor: string;
  readonly source?: string;
}

export function readPolicy(
  clients: AzureClients,
  p: PolicyLocator,
  signal?: AbortSignal,
): Promise<PolicyWithRawHistory> {
  return azureCall(`read JIT policy '${p.name}' in ${p.resourceGroup}`, signal, (o) =>
    clients
      .security(p.subscriptionId)
      .jitNetworkAccessPolicies.getWithRawHistory(p.resourceGroup, p.location, p.name, o),
  );
}

/**
 * Our request for `key` was replaced: our own port entry is `Revoked` for
 * `NewerRequestInitiated`. Returns who replaced it when the history tells.
 */
export function findSupersession(policy: RequestHistory, key: OurRequestKey): NewerRequest | undefined {
  const ours = findOurEntry(policy, key);
  if (entryState(ours) !== 'superseded') return undefined;
  return newestOther(policy, key, ours) ?? { requestor: '' };
}

/**
 * Our entry is gone from the history a read shows (Azure may trim it), yet a
 * request for the same VM port that started after ours is there: most likely
 * the one that replaced ours. Only for messages: without our own entry
 * nothing proves it.
 */
export function newerWhileOursIsGone(
  policy: RequestHistory,
  key: OurRequestKey,
  ourStartTimeUtc: string,
): NewerRequest | undefined {
  if (findOurEntry(policy, key)) return undefined;
  const newer = newestOther(policy, key, undefined);
  const ourStart = instantOf(ourStartTimeUtc)?.getTime();
  const theirStart = instantOf(newer?.startTimeUtc)?.getTime();
  return newer && ourStart !== undefined && theirStart !== undefined && theirStart > ourStart
    ? newer
    : undefined;
}

export function describeNewer(n: NewerRequest): string {
  const who = n.requestor ? ` by '${n.requestor}'` : '';
  const from = n.source ? ` for source ${n.source}` : '';
  const when = n.startTimeUtc ? ` (started ${n.startTimeUtc})` : '';
  return `a newer JIT request${who}${from}${when}`;
}
