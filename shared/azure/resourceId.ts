/**
 * ARM resource IDs: parsing and comparison. ARM treats IDs case-insensitively
 * (resource group and provider casing varies between services and even between
 * two reads of the same resource), so every comparison here ignores case.
 */

export interface ParsedResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** e.g. `Microsoft.Network`. */
  readonly provider: string;
  /** Type/name pairs after the provider, e.g. [['virtualNetworks','vnet'],['subnets','snet']]. */
  readonly segments: readonly (readonly [string, string])[];
  /** Name of the last segment. */
  readonly name: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}...]`. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const parts = id.split('/').filter((p) => p !== '');
  if (parts.length < 6) return undefined;
  if (parts[0]?.toLowerCase() !== 'subscriptions' || parts[2]?.toLowerCase() !== 'resourcegroups')
    return undefined;
  if (parts[4]?.toLowerCase() !== 'providers') return undefined;
  const [, subscriptionId, , resourceGroup, , provider, ...rest] = parts;
  if (!subscriptionId || !resourceGroup || !provider || rest.length === 0 || rest.length % 2 !== 0)
    return undefined;
  const segments: (readonly [string, string])[] = [];
  for (let i = 0; i < rest.length; i += 2) segments.push([rest[i] ?? '', rest[i + 1] ?? '']);
  const last = segments[segments.length - 1];
  return { subscriptionId, resourceGroup, provider, segments, name: last ? last[1] : '' };
}

/** Like parseResourceId but throws a plain Error naming what was expected (IDs come from Azure itself). */
export function requireResourceId(id: string, what: string): ParsedResourceId {
  const parsed = parseResourceId(id);
  if (!parsed) throw new Error(`Azure returned a malformed ${what} resource ID: '${id}'`);
  return parsed;
}

export function sameResourceId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeId(a) === normalizeId(b);
}

const SLASH = 0x2f;

/**
 * Lower-cased, without a trailing slash: a key for maps of resource IDs. A loop, not a regex:
 * a run for many VMs normalizes thousands of IDs, and `/\/+$/` scans each ID whole.
 */
export function normalizeId(id: string): string {
  let end = id.length;
  while (end > 0 && id.charCodeAt(end - 1) === SLASH) end--;
  return (end === id.length ? id : id.slice(0, end)).toLowerCase();
}

/**
 * The items by their resource ID (normalized), each list in the items' order. A run for many VMs
 * looks up each VM in lists as long as its VMs: one pass here instead of a comparison per pair.
 * Items without an ID are left out, as `sameResourceId` never matches them.
 */
export function groupById<T>(items: Iterable<T>, idOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = idOf(item);
    if (id === undefined) continue;
    const key = normalizeId(id);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The last segment of an ID, e.g. an NSG's name from its ID; the text as given when it has no `/`. */
export function nameFromId(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

/** The value of `/{key}/{value}` in an ID, e.g. `locations` in a JIT policy ID. */
export function idSegment(id: string, key: string): string | undefined {
  const parts = id.split('/');
  const index = parts.findIndex((p) => p.toLowerCase() === key.toLowerCase());
  return index >= 0 ? parts[index + 1] : undefined;
}
