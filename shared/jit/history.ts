/**
 * This run's own entry in a JIT policy's request history. Azure does not say
 * which history entry an `initiate` created, and the stored `startTimeUtc`
 * may differ from the 202's (sub-second rounding), so our request is found by
 * what we asked for: the VM, the port, the source (as a parsed prefix) and the
 * end time we sent (within a second). Whether it is still ours to close, or
 * was replaced, is read from OUR port entry (`Revoked` +
 * `NewerRequestInitiated`), never inferred from start-time order: Azure may
 * also let a newer request coexist with ours.
 */
import { sameResourceId } from '../azure/resourceId';
import { instantOf } from '../time';
import { listedSources, type SourceFields } from './allowedSources';
import { samePrefix } from './sourcePrefix';

/**
 * A policy's request history: the SDK's model (dates as Date), or the JSON Azure sent
 * (azure/policyReadSpecs.ts: dates as text, nothing checked). Times are read through
 * `instantOf`, so both give the same instants.
 */
export interface RequestHistory {
  readonly requests?: readonly HistoryRequest[];
}

export interface HistoryRequest {
  readonly virtualMachines?: readonly { readonly id?: string; readonly ports?: readonly HistoryPort[] }[];
  readonly startTimeUtc?: Date | string;
  readonly requestor?: string;
}

export interface HistoryPort extends SourceFields {
  readonly number: number;
  readonly endTimeUtc: Date | string;
  readonly status: string;
  readonly statusReason: string;
  readonly mappedPort?: number;
}

/** A list's objects: none when the JSON held something else there, and no nulls (nothing checked it). */
function items<T extends object>(list: readonly T[] | undefined): readonly T[] {
  if (!Array.isArray(list)) return [];
  return (list as readonly unknown[]).filter((x): x is T => typeof x === 'object' && x !== null);
}

/** What identifies our request for one VM port. */
export interface OurRequestKey {
  readonly vmId: string;
  readonly port: number;
  /** The prefix we sent; undefined for `source: azure` (Azure chose it). */
  readonly source?: string;
  /** The end time we sent (ISO 8601). */
  readonly endTimeUtc: string;
}

export interface OurEntry {
  readonly request: HistoryRequest;
  readonly port: HistoryPort;
}

/** End times are compared within this tolerance: Azure may round what it stores. */
export const END_TIME_TOLERANCE_MS = 1000;

/** ms since the epoch; NaN when missing or no date (so it never compares equal or greater). */
function time(value: Date | string | undefined): number {
  return instantOf(value)?.getTime() ?? Number.NaN;
}

/**
 * Our entry for a VM port, or undefined when the history does not hold it
 * (trimmed, or it was never accepted). Several matches (two runs from one
 * address with the same end time to the second) are indistinguishable: the
 * latest start wins.
 */
export function findOurEntry(policy: RequestHistory, key: OurRequestKey): OurEntry | undefined {
  const end = time(key.endTimeUtc);
  let best: (OurEntry & { start: number }) | undefined;
  for (const request of items(policy.requests)) {
    for (const vm of items(request.virtualMachines)) {
      if (!sameResourceId(vm.id, key.vmId)) continue;
      for (const port of items(vm.ports)) {
        if (port.number !== key.port) continue;
        if (!(Math.abs(time(port.endTimeUtc) - end) <= END_TIME_TOLERANCE_MS)) continue;
        const source = key.source;
        if (source !== undefined && !listedSources(port).some((s) => samePrefix(s, source))) continue;
        const start = time(request.startTimeUtc);
        if (!best || start > best.start) best = { request, port, start: Number.isNaN(start) ? 0 : start };
      }
    }
  }
  return best ? { request: best.request, port: best.port } : undefined;
}

export type EntryState = 'live' | 'superseded' | 'revoked' | 'missing';

/** What our own port entry says: live, replaced by a newer request, otherwise revoked, or absent. */
export function entryState(entry: OurEntry | undefined): EntryState {
  if (!entry) return 'missing';
  if (!/^revoked$/i.test(entry.port.status)) return 'live';
  return /^NewerRequestInitiated$/i.test(entry.port.statusReason) ? 'superseded' : 'revoked';
}

/** A newer request for the same VM port (for the message only: the verdict comes from our own entry). */
export function newestOther(
  policy: RequestHistory,
  key: OurRequestKey,
  ours: OurEntry | undefined,
): { requestor: string; source?: string; startTimeUtc?: string } | undefined {
  let best: { requestor: string; source?: string; startTimeUtc?: string; t: number } | undefined;
  for (const request of items(policy.requests)) {
    if (ours && request === ours.request) continue;
    const t = time(request.startTimeUtc);
    for (const vm of items(request.virtualMachines)) {
      if (!sameResourceId(vm.id, key.vmId)) continue;
      for (const port of items(vm.ports)) {
        if (port.number !== key.port || /^revoked$/i.test(port.status)) continue;
        if (!best || t > best.t) {
          const source = listedSources(port).join(',');
          best = {
            requestor: request.requestor ?? '',
            t,
            ...(source ? { source } : {}),
            ...(Number.isNaN(t) ? {} : { startTimeUtc: new Date(t).toISOString() }),
          };
        }
      }
    }
  }
  if (!best) return undefined;
  const { t: _t, ...rest } = best;
  return rest;
}
