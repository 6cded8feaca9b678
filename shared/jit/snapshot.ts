/**
 * The JIT allow rules present before initiate, per NSG. A rule is this run's
 * only if its name appeared after: an older rule with the same source is
 * never adopted. (Etags cannot tell a rewrite: the Network provider gives
 * every rule of an NSG a new etag on any change to it.)
 */
import type { AzureClients } from '../azure/clients';
import { readNsgs } from '../azure/nsg';
import { normalizeId } from '../azure/resourceId';
import { isJitAllowRule } from './nsgRules';

/** JIT allow rule names per NSG (lower-cased keys and names) seen before initiate. */
export type RuleSnapshot = ReadonlyMap<string, ReadonlySet<string>>;

/** Reads the JIT allow rules present in each NSG before initiate, to tell new rules from old. */
export async function snapshotRules(
  clients: AzureClients,
  nsgIds: readonly string[],
  signal?: AbortSignal,
): Promise<RuleSnapshot> {
  const unique = [...new Map(nsgIds.map((id) => [normalizeId(id), id])).values()];
  const entries = await Promise.all(
    readNsgs(clients, unique, signal).map(async ({ id, read }) => {
      const nsg = await read;
      const names = (nsg.securityRules ?? []).filter(isJitAllowRule).map((r) => (r.name ?? '').toLowerCase());
      return [normalizeId(id), new Set(names)] as const;
    }),
  );
  return new Map(entries);
}
