/**
 * The JIT allow rules present before initiate, per NSG. A rule is this run's
 * only if its name appeared after: an older rule with the same source is
 * never adopted. (Etags cannot tell a rewrite: the Network provider gives
 * every rule of an NSG a new etag on any change to it.)
 */
import type { NetworkSecurityGroup } from '@azure/arm-network';
import type { AzureClients } from '../azure/clients';
import { readNsgs } from '../azure/nsg';
import { normalizeId } from '../azure/resourceId';
import { isJitAllowRule } from './nsgRules';

/** JIT allow rule names per NSG (lower-cased keys and names) seen before initiate. */
export type RuleSnapshot = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The snapshot's NSG reads, started as the topology finds the NSGs (topology.ts `NsgsFound`)
 * rather than after the whole plan is made and validated: they overlap the public IP and JIT
 * policy reads. Reads only; a failed one fails `snapshotRules` as its own read would, and is
 * dropped unseen if the run stops before that.
 */
export class NsgPrefetch {
  private readonly reads = new Map<string, Promise<NetworkSecurityGroup>>();

  constructor(
    private readonly clients: AzureClients,
    private readonly signal?: AbortSignal,
  ) {}

  /** Starts reading the NSGs not read yet (one list per resource group with several: readNsgs). */
  readonly found = (nsgIds: readonly string[]): void => {
    const unread = [
      ...new Map(
        nsgIds.filter((id) => !this.reads.has(normalizeId(id))).map((id) => [normalizeId(id), id]),
      ).values(),
    ];
    for (const { id, read } of readNsgs(this.clients, unread, this.signal)) {
      read.catch(() => undefined);
      this.reads.set(normalizeId(id), read);
    }
  };

  /** The read of this NSG started earlier, if any. */
  started(id: string): Promise<NetworkSecurityGroup> | undefined {
    return this.reads.get(normalizeId(id));
  }
}

/** Reads the JIT allow rules present in each NSG before initiate, to tell new rules from old. */
export async function snapshotRules(
  clients: AzureClients,
  nsgIds: readonly string[],
  signal?: AbortSignal,
  prefetch?: NsgPrefetch,
): Promise<RuleSnapshot> {
  const unique = [...new Map(nsgIds.map((id) => [normalizeId(id), id])).values()];
  const unread = unique.filter((id) => prefetch?.started(id) === undefined);
  const reads = [
    ...unique.flatMap((id) => {
      const read = prefetch?.started(id);
      return read ? [{ id, read }] : [];
    }),
    ...readNsgs(clients, unread, signal),
  ];
  const entries = await Promise.all(
    reads.map(async ({ id, read }) => {
      const nsg = await read;
      const names = (nsg.securityRules ?? []).filter(isJitAllowRule).map((r) => (r.name ?? '').toLowerCase());
      return [normalizeId(id), new Set(names)] as const;
    }),
  );
  return new Map(entries);
}
