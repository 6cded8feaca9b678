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
import type {
  JitNetworkAccessPolicy,
  JitNetworkAccessRequest,
  JitNetworkAccessRequestPort,
} from '@azure/arm-security';
import { sameResourceId } from '../azure/resourceId';
import { instantOf } from '../time';
import { listedSources } from './allowedSources';
import { samePrefix } from './sourcePrefix';

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
  readonly request: JitNetworkAccessRequest;
  readonly port: JitNetworkAccessRequestPort;
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
export function findOurEntry(policy: JitNetworkAccessPolicy, key: OurRequestKey): OurEntry | undefined {
  const end = time(key.endTimeUtc);
  let best: (OurEntry & { start: number }) | undefined;
  for (const request of policy.requests ?? []) {
    for (const vm of request.virtualMachines ?? []) {
      if (!sameResourceId(vm.id, key.vmId)) continue;
      for (const port of vm.ports ?? []) {
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
  policy: JitNetworkAccessPolicy,
  key: OurRequestKey,
  ours: OurEntry | undefined,
): { requestor: string; source?: string; startTimeUtc?: string } | undefined {
  let best: { requestor: string; source?: string; startTimeUtc?: string; t: number } | undefined;
  for (const request of policy.requests ?? []) {
    if (ours && request === ours.request) continue;
    const t = time(request.startTimeUtc);
    for (const vm of request.virtualMachines ?? []) {
      if (!sameResourceId(vm.id, key.vmId)) continue;
      for (const port of vm.ports ?? []) {
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
