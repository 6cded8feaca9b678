/**
 * Merge and diff of a JIT policy's `virtualMachines` list, as pure functions
 * over the JSON Azure returned. Azure's PUT replaces the whole list, so the
 * only safe edit is read-modify-write where everything not named is carried
 * over untouched: entries and port rules of other VMs (and other ports of a
 * named VM) are the very objects that were read, never rebuilt.
 */
import { nameFromId, normalizeId } from '../azure/resourceId';
import { listedSources } from '../jit/allowedSources';
import { PolicyError } from '../errors';

/** A port rule as Azure returns it (fields we do not know are kept). */
export interface RawPortRule {
  readonly number: number;
  readonly protocol: string;
  readonly allowedSourceAddressPrefix?: string;
  readonly allowedSourceAddressPrefixes?: readonly string[];
  readonly maxRequestAccessDuration?: string;
  readonly [field: string]: unknown;
}

/** One VM's entry of a policy as Azure returns it. */
export interface RawVmEntry {
  readonly id: string;
  readonly ports: readonly RawPortRule[];
  readonly publicIpAddress?: string;
  readonly [field: string]: unknown;
}

/** A rule to put on one port of a named VM. */
export interface DesiredRule {
  readonly number: number;
  readonly protocol: string;
  readonly maxRequestAccessDuration: string;
  /** `['*']` or addresses/CIDRs; one is written as `allowedSourceAddressPrefix`, several as `...Prefixes`. */
  readonly allowedSources: readonly string[];
}

export interface DesiredVm {
  readonly id: string;
  readonly ports: readonly DesiredRule[];
}

export type Change = 'added' | 'changed' | 'unchanged' | 'removed';

export interface PortChange {
  readonly port: number;
  readonly change: Change;
  readonly before?: RawPortRule;
  readonly after?: RawPortRule;
  /** For `changed`: what differs, e.g. `allowed sources * → 203.0.113.0/24`. */
  readonly details: readonly string[];
}

export interface VmChange {
  readonly id: string;
  readonly name: string;
  /** `added`/`removed`: the whole entry; `changed`: some port; `unchanged`: byte-identical. */
  readonly change: Change;
  /** Whether the command named this VM (the others are carried over). */
  readonly named: boolean;
  readonly ports: readonly PortChange[];
  /** Fields of the entry itself (not its port rules) that differ, e.g. `publicIpAddress`. */
  readonly fields: readonly string[];
}

export interface PolicyMerge {
  readonly before: readonly RawVmEntry[];
  readonly after: readonly RawVmEntry[];
  readonly changes: readonly VmChange[];
  /** True when `after` differs from `before`: a write is needed. */
  readonly changed: boolean;
}

/** JSON with object keys sorted: equal text means equal content, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * Text from a policy (written by whoever can write policies) made safe to print
 * in a CI log: no control characters and no `#`, so no `##vso[` / `##[` runner
 * command can ride along.
 */
export function shown(text: string): string {
  return text.replace(/[^\x20-\x7e]|#/g, '?');
}

/** The VM's name for display: VM names are letters, digits, `_ . -`; anything else is masked (no `::` commands). */
export function vmName(id: string): string {
  return nameFromId(id).replace(/[^A-Za-z0-9_.-]/g, '?');
}

/** The rule object written for a desired rule (the two source fields are mutually exclusive). */
export function ruleFor(desired: DesiredRule): RawPortRule {
  const [only, ...more] = desired.allowedSources;
  return {
    number: desired.number,
    protocol: desired.protocol,
    ...(more.length === 0 && only !== undefined
      ? { allowedSourceAddressPrefix: only }
      : { allowedSourceAddressPrefixes: [...desired.allowedSources] }),
    maxRequestAccessDuration: desired.maxRequestAccessDuration,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** What differs between two rules of one port, in words; empty when they are identical. */
export function ruleDifferences(before: RawPortRule, after: RawPortRule): string[] {
  const out = meaningDifferences(before, after);
  if (out.length === 0 && canonicalJson(before) !== canonicalJson(after))
    out.push('same meaning, written differently');
  return out;
}

/** Differences that change what the rule allows (protocol and duration case, source order do not). */
function meaningDifferences(before: RawPortRule, after: RawPortRule): string[] {
  const out: string[] = [];
  if (before.protocol.toUpperCase() !== after.protocol.toUpperCase())
    out.push(`protocol ${shown(before.protocol)} → ${shown(after.protocol)}`);
  const [b, a] = [listedSources(before), listedSources(after)];
  if (!sameSet(b, a))
    out.push(`allowed sources ${shown(b.join(',') || '(none)')} → ${shown(a.join(',') || '(none)')}`);
  if (
    (before.maxRequestAccessDuration ?? '').toUpperCase() !==
    (after.maxRequestAccessDuration ?? '').toUpperCase()
  )
    out.push(
      `max duration ${shown(before.maxRequestAccessDuration ?? '(none)')} → ${shown(after.maxRequestAccessDuration ?? '(none)')}`,
    );
  return out;
}

/**
 * Adds or updates the desired VMs' port rules; everything else is kept as read.
 * A desired rule equal in meaning to the existing one keeps the existing object.
 */
export function mergeEnable(current: readonly RawVmEntry[], desired: readonly DesiredVm[]): PolicyMerge {
  const wanted = new Map(desired.map((d) => [normalizeId(d.id), d]));
  const after: RawVmEntry[] = current.map((entry) => {
    const want = wanted.get(normalizeId(entry.id));
    if (!want) return entry;
    wanted.delete(normalizeId(entry.id));
    let touched = false;
    const ports: RawPortRule[] = entry.ports.map((rule) => {
      const d = want.ports.find((p) => p.number === rule.number);
      if (!d) return rule;
      const next = ruleFor(d);
      if (meaningDifferences(rule, next).length === 0) return rule;
      touched = true;
      return next;
    });
    for (const d of want.ports) {
      if (entry.ports.some((rule) => rule.number === d.number)) continue;
      ports.push(ruleFor(d));
      touched = true;
    }
    return touched ? { ...entry, ports } : entry;
  });
  for (const d of desired) {
    if (!wanted.has(normalizeId(d.id))) continue;
    after.push({ id: d.id, ports: d.ports.map(ruleFor) });
  }
  const named = new Set(desired.map((d) => normalizeId(d.id)));
  return result(current, after, named);
}

/** Removes the named VMs' entries; everything else is kept as read. */
export function mergeDisable(current: readonly RawVmEntry[], vmIds: readonly string[]): PolicyMerge {
  const named = new Set(vmIds.map(normalizeId));
  const after = current.filter((entry) => !named.has(normalizeId(entry.id)));
  return result(current, after, named);
}

function result(
  before: readonly RawVmEntry[],
  after: readonly RawVmEntry[],
  named: ReadonlySet<string>,
): PolicyMerge {
  const changes = diffEntries(before, after, named);
  return { before, after, changes, changed: changes.some((c) => c.change !== 'unchanged') };
}

/**
 * Per VM and port: added, changed, unchanged or removed, from `before` to
 * `after` (VMs in the order they appear, those only in `after` last).
 */
export function diffEntries(
  before: readonly RawVmEntry[],
  after: readonly RawVmEntry[],
  named: ReadonlySet<string> = new Set(),
): VmChange[] {
  const afterById = new Map(after.map((e) => [normalizeId(e.id), e]));
  const beforeIds = new Set(before.map((e) => normalizeId(e.id)));
  const out: VmChange[] = [];
  for (const b of before) {
    const key = normalizeId(b.id);
    const a = afterById.get(key);
    const isNamed = named.has(key);
    if (!a) {
      out.push({
        id: b.id,
        name: vmName(b.id),
        change: 'removed',
        named: isNamed,
        ports: b.ports.map((p) => ({ port: p.number, change: 'removed', before: p, details: [] })),
        fields: [],
      });
      continue;
    }
    const identical = canonicalJson(b) === canonicalJson(a);
    out.push({
      id: b.id,
      name: vmName(b.id),
      change: identical ? 'unchanged' : 'changed',
      named: isNamed,
      ports: diffPorts(b.ports, a.ports),
      fields: [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
        (f) => f !== 'ports' && canonicalJson(b[f]) !== canonicalJson(a[f]),
      ),
    });
  }
  for (const a of after) {
    if (beforeIds.has(normalizeId(a.id))) continue;
    out.push({
      id: a.id,
      name: vmName(a.id),
      change: 'added',
      named: named.has(normalizeId(a.id)),
      ports: a.ports.map((p) => ({ port: p.number, change: 'added', after: p, details: [] })),
      fields: [],
    });
  }
  return out;
}

function diffPorts(before: readonly RawPortRule[], after: readonly RawPortRule[]): PortChange[] {
  const out: PortChange[] = [];
  for (const b of before) {
    const a = after.find((r) => r.number === b.number);
    if (!a) {
      out.push({ port: b.number, change: 'removed', before: b, details: [] });
      continue;
    }
    const same = canonicalJson(a) === canonicalJson(b);
    out.push({
      port: b.number,
      change: same ? 'unchanged' : 'changed',
      before: b,
      after: a,
      details: same ? [] : ruleDifferences(b, a),
    });
  }
  for (const a of after) {
    if (!before.some((r) => r.number === a.number))
      out.push({ port: a.number, change: 'added', after: a, details: [] });
  }
  return out;
}

/** True when two lists hold the same entries (by VM ID, content compared canonically). */
export function sameEntries(a: readonly RawVmEntry[], b: readonly RawVmEntry[]): boolean {
  return diffEntries(a, b).every((c) => c.change === 'unchanged');
}

/** Fields of the policy's entries that the Azure SDK does not model, so a write through it would drop them. */
const VM_FIELDS = new Set(['id', 'ports', 'publicIpAddress']);
const PORT_FIELDS = new Set([
  'number',
  'protocol',
  'allowedSourceAddressPrefix',
  'allowedSourceAddressPrefixes',
  'maxRequestAccessDuration',
]);

export function unmodelledFields(entries: readonly RawVmEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    for (const f of Object.keys(e)) if (!VM_FIELDS.has(f)) out.push(`${vmName(e.id)}: ${shown(f)}`);
    for (const p of e.ports)
      for (const f of Object.keys(p))
        if (!PORT_FIELDS.has(f)) out.push(`${vmName(e.id)} port ${p.number}: ${shown(f)}`);
  }
  return out;
}

/** Reads `properties.virtualMachines` of a policy Azure returned; refuses shapes it cannot merge safely. */
export function entriesOf(policy: unknown, what: string): RawVmEntry[] {
  const properties = isObject(policy) ? policy.properties : undefined;
  const list = isObject(properties) ? properties.virtualMachines : undefined;
  if (list === undefined) return [];
  const bad = (why: string): PolicyError =>
    new PolicyError(
      `Azure returned ${shown(what)} with a virtualMachines list this tool cannot merge safely (${shown(why)}), so nothing was written`,
      'Check the policy in Defender for Cloud; change it there if it is not what you expect.',
    );
  if (!Array.isArray(list)) throw bad('it is not a list');
  return list.map((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.id !== 'string' || !Array.isArray(entry.ports))
      throw bad(`entry ${i} has no id or ports`);
    for (const port of entry.ports as unknown[]) {
      if (!isObject(port) || typeof port.number !== 'number' || typeof port.protocol !== 'string')
        throw bad(`a port rule of ${vmName(entry.id)} has no number or protocol`);
    }
    return entry as unknown as RawVmEntry;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `TCP, from 203.0.113.0/24, max PT3H`: a rule in one line. */
export function describeRule(rule: RawPortRule): string {
  const sources = listedSources(rule);
  return shown(
    `${rule.protocol === '*' ? 'any protocol' : rule.protocol}, from ${sources.join(', ') || '(no source)'}, max ${rule.maxRequestAccessDuration ?? '(none)'}`,
  );
}

/** One line per change (unchanged VMs and ports are left out), for messages and logs. */
export function describeChanges(changes: readonly VmChange[]): string[] {
  const lines: string[] = [];
  for (const vm of changes) {
    if (vm.change === 'unchanged') continue;
    if (vm.change === 'added' || vm.change === 'removed') {
      const ports = vm.ports.map((p) => {
        const rule = p.after ?? p.before;
        return vm.change === 'added' && rule ? `${p.port} (${describeRule(rule)})` : String(p.port);
      });
      lines.push(`${vm.name}: ${vm.change}, port${ports.length === 1 ? '' : 's'} ${ports.join('; ')}`);
      continue;
    }
    for (const p of vm.ports) {
      if (p.change === 'unchanged') continue;
      const text =
        p.change === 'added' && p.after
          ? `added (${describeRule(p.after)})`
          : p.change === 'changed'
            ? p.details.join('; ')
            : p.change;
      lines.push(`${vm.name} port ${p.port}: ${text}`);
    }
    for (const f of vm.fields) lines.push(`${vm.name}: ${shown(f)} changed`);
  }
  return lines;
}
