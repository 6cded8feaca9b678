/**
 * Many resources of one kind read with fewer ARM calls: where a run wants at
 * least `threshold` of them in one list scope (a resource group, or one VNet's
 * subnets), ONE list call instead of one GET each. 50 VMs in 5 resource groups
 * then cost 5 VM lists instead of 50 VM GETs, and each NSG poll round of the
 * wait 5 NSG lists instead of 55 GETs: ARM's read budget per subscription
 * (and the time each call takes) goes by the number of calls.
 *
 * Why a threshold and not always a list: a list returns the WHOLE scope, page
 * by page (nextLink), whatever we want of it, so for one or two wanted items in
 * a busy resource group it costs more calls and bytes than their GETs, and a
 * one-VM run keeps exactly its per-item reads. Where a list took as many pages
 * as there were items wanted, the scope goes back to GETs for the rest of the
 * run (the wait polls again and again).
 *
 * Least privilege: an identity allowed to read only the individual resources
 * gets 403 on the list at resource-group scope; that scope is then read with
 * per-item GETs (remembered for the run, so one refused list per scope), never
 * a failure. A 404 on the list (its resource group or VNet is gone) does the
 * same, so the GETs report it as they always did. An item the list lacks is
 * read with its own GET too: its 404 is then exactly the per-item read's error
 * (naming the input), and one created after the list was served is still found.
 */
import { azureCall, isForbidden, isNotFound, type CallOptions, type PagedList } from './call';
import type { AzureClients } from './clients';
import { normalizeId } from './resourceId';

/**
 * Wanted items of one resource group from which its list replaces their GETs
 * (VMs, NICs, public IPs, NSGs): one or two GETs stay cheaper than a list of
 * a whole group, which may take pages. Subnets have their own (topology.ts).
 */
export const LIST_THRESHOLD = 3;

/** A list call's scope: a resource group, or (for subnets) one VNet in it. */
export interface ListScope {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The VNet whose subnets are listed. */
  readonly vnet?: string;
}

/** One kind of resource that can be listed per scope. */
export interface ListableKind<T> {
  /** How messages name them, e.g. `network interfaces`. */
  readonly plural: string;
  /** Wanted items of one scope from which the list replaces their GETs (LIST_THRESHOLD, or less where a scope is small). */
  readonly threshold: number;
  list(clients: AzureClients, scope: ListScope, o: CallOptions): PagedList<T>;
}

export interface Wanted<T> {
  /** The resource ID; listed items are matched to it ignoring case. */
  readonly id: string;
  readonly scope: ListScope;
  /** The per-item read: below the threshold, when the list is refused, and for an item the list lacks. */
  readonly get: () => Promise<T>;
}

/** Where lists were refused or cost as much as GETs, per run (one AzureClients per run). */
const getsOnly = new WeakMap<AzureClients, Set<string>>();

function remembered(clients: AzureClients): Set<string> {
  let set = getsOnly.get(clients);
  if (!set) {
    set = new Set();
    getsOnly.set(clients, set);
  }
  return set;
}

/**
 * Reads every wanted item, one promise per entry of `wanted` (in order; the
 * same ID twice shares one read). Each rejects as its per-item read would,
 * or with the list's error when the list failed otherwise (5xx after retries,
 * throttling, cancellation).
 */
export function readBatched<T extends { id?: string }>(
  clients: AzureClients,
  kind: ListableKind<T>,
  wanted: readonly Wanted<T>[],
  signal?: AbortSignal,
): Promise<T>[] {
  const byScope = new Map<string, Map<string, Wanted<T>>>();
  for (const w of wanted) {
    const key = scopeKey(kind, w.scope);
    const items = byScope.get(key) ?? new Map<string, Wanted<T>>();
    if (!items.has(normalizeId(w.id))) items.set(normalizeId(w.id), w);
    byScope.set(key, items);
  }
  const reads = new Map<string, Promise<T>>();
  for (const [key, items] of byScope) {
    const first = [...items.values()][0];
    const listed =
      (takePrefetched(clients, key) as Promise<Map<string, T> | undefined> | undefined) ??
      (first && items.size >= kind.threshold && !remembered(clients).has(key)
        ? listScope(clients, kind, first.scope, key, items.size, signal)
        : undefined);
    for (const [id, w] of items)
      reads.set(id, listed ? listed.then((found) => found?.get(id) ?? w.get()) : w.get());
  }
  return wanted.map((w) => reads.get(normalizeId(w.id)) as Promise<T>);
}

/** Lists started ahead of the `readBatched` that uses them (each used once), per run. */
const prefetched = new WeakMap<AzureClients, Map<string, Promise<Map<string, unknown> | undefined>>>();

/**
 * Starts the list of `scope` now, for the next `readBatched` of that scope to use: a resource
 * group's NICs can be listed while its VMs are read, as they almost always live in the VM's
 * group (if not, the list is one call spent for nothing). Only where `expected` items will be
 * wanted from it would make `readBatched` list it anyway.
 */
export function prefetchList<T extends { id?: string }>(
  clients: AzureClients,
  kind: ListableKind<T>,
  scope: ListScope,
  expected: number,
  signal?: AbortSignal,
): void {
  const key = scopeKey(kind, scope);
  if (expected < kind.threshold || remembered(clients).has(key)) return;
  const started = listScope(clients, kind, scope, key, expected, signal);
  // Awaited by the readBatched that takes it; a failure meanwhile must not go unhandled.
  started.catch(() => undefined);
  let runs = prefetched.get(clients);
  if (!runs) {
    runs = new Map();
    prefetched.set(clients, runs);
  }
  runs.set(key, started);
}

function takePrefetched(
  clients: AzureClients,
  key: string,
): Promise<Map<string, unknown> | undefined> | undefined {
  const runs = prefetched.get(clients);
  const started = runs?.get(key);
  runs?.delete(key);
  return started;
}

/**
 * How many calls `readBatched` makes for `wanted` now (a list counted as one call, though it may
 * take more pages): what the wait's poll interval is paced by.
 */
export function callsFor(
  clients: AzureClients,
  kind: ListableKind<unknown>,
  scopes: readonly ListScope[],
): number {
  const perScope = new Map<string, number>();
  for (const scope of scopes)
    perScope.set(scopeKey(kind, scope), (perScope.get(scopeKey(kind, scope)) ?? 0) + 1);
  let calls = 0;
  for (const [key, count] of perScope)
    calls += count >= kind.threshold && !remembered(clients).has(key) ? 1 : count;
  return calls;
}

/** All items of one scope by lower-cased ID; undefined when the list was refused (403) or its scope is gone (404). */
async function listScope<T extends { id?: string }>(
  clients: AzureClients,
  kind: ListableKind<T>,
  scope: ListScope,
  key: string,
  wantedCount: number,
  signal: AbortSignal | undefined,
): Promise<Map<string, T> | undefined> {
  const where = scope.vnet
    ? `VNet '${scope.vnet}' of resource group '${scope.resourceGroup}'`
    : `resource group '${scope.resourceGroup}'`;
  try {
    return await azureCall(`list ${kind.plural} in ${where}`, signal, async (o) => {
      const found = new Map<string, T>();
      let pages = 0;
      for await (const page of kind.list(clients, scope, o).byPage()) {
        pages += 1;
        for (const item of page) if (item.id) found.set(normalizeId(item.id), item);
      }
      if (pages >= wantedCount) remembered(clients).add(key);
      return found;
    });
  } catch (e) {
    if (!isForbidden(e) && !isNotFound(e)) throw e;
    remembered(clients).add(key);
    return undefined;
  }
}

function scopeKey(kind: ListableKind<unknown>, s: ListScope): string {
  return `${kind.plural}|${s.subscriptionId}|${s.resourceGroup}|${s.vnet ?? ''}`.toLowerCase();
}
