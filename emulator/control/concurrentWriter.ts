/**
 * The "concurrent writer" switch: another administrator (or a script running
 * `Set-AzJitNetworkAccessPolicy`) changes a JIT policy between a client's read
 * and its write. JIT policies have no ETag, so a read-modify-write client can
 * only notice by reading again; this is how tests make that race happen on
 * purpose instead of by luck.
 *
 * The writer watches the request log: once a client's read of the policy
 * (its GET, or a list that contains it) has been answered `afterReads` times
 * (or its write, with `trigger: 'write'`), it applies its change before the
 * next request is handled. The log records
 * a call when its response is complete and before a byte leaves, so the
 * client holds the old policy while the emulator already has the new one.
 */
import { key, type JitPolicyState } from '../arm/state';
import type { RequestLogEntry } from './requestLog';

export interface ConcurrentWriteSpec {
  /** Name of the policy the other writer changes. */
  policy: string;
  /** Resource group of that policy, when the name is not unique. */
  resourceGroup?: string;
  /** Change it after this many answered reads of the policy; default 1 (right after the first). */
  afterReads?: number;
  /**
   * `write`: count answered PUTs of the policy instead of reads, so the change lands
   * right after a client's write and before its next read. Default `read`.
   */
  trigger?: 'read' | 'write';
  /** Only reads by this principal count (default: anyone's). */
  principal?: string;
  /**
   * What the other writer does: `{ virtualMachines }` replaces the whole list (as
   * its PUT would), a function edits the stored policy; deny rules follow either way.
   */
  update: { virtualMachines: JitPolicyState['virtualMachines'] } | ((policy: JitPolicyState) => void);
}

export interface ConcurrentWriter {
  /** Arms a one-shot change; several can be armed at once. Throws when the policy does not exist. */
  arm(spec: ConcurrentWriteSpec): void;
  /** Disarms everything not yet fired. */
  clear(): void;
  /** How many armed changes have been applied so far (since the emulator started). */
  fired(): number;
  /** Errors the update threw when it fired (it runs inside the server, so they are kept here). */
  errors(): string[];
}

export interface ConcurrentWriterDeps {
  /** The stored policy, or a thrown Error naming the known ones. */
  findPolicy(name: string, resourceGroup?: string): JitPolicyState;
  /** The same write as `control.updatePolicy`. */
  apply(policy: JitPolicyState, update: ConcurrentWriteSpec['update']): void;
}

interface Armed {
  spec: ConcurrentWriteSpec;
  policy: JitPolicyState;
  reads: number;
}

/** Path segments after `/{name}/`, lower-cased, for the scope of a Security call. */
function segment(path: string, name: string): string | undefined {
  const parts = path.toLowerCase().split('/');
  const i = parts.indexOf(name);
  return i >= 0 ? parts[i + 1] : undefined;
}

/** True when `entry` is an answered write (PUT) of `policy`. */
export function writesPolicy(entry: RequestLogEntry, policy: JitPolicyState): boolean {
  if (entry.method !== 'PUT' || entry.status !== 200) return false;
  return (
    readsPolicy({ ...entry, method: 'GET' }, policy) &&
    entry.path.toLowerCase().endsWith(`/${key(policy.name)}`)
  );
}

/** True when `entry` is an answered read that returned `policy` (its GET, or a list covering it). */
export function readsPolicy(entry: RequestLogEntry, policy: JitPolicyState): boolean {
  if (entry.method !== 'GET' || entry.status !== 200 || entry.provider !== 'security') return false;
  const path = entry.path.toLowerCase().replace(/\/+$/, '');
  const marker = '/providers/microsoft.security/';
  if (!path.includes(marker) || !path.includes('jitnetworkaccesspolicies')) return false;
  const sub = segment(path, 'subscriptions');
  const rg = segment(path, 'resourcegroups');
  const location = segment(path, 'locations');
  const name = segment(path, 'jitnetworkaccesspolicies');
  return (
    sub === key(policy.subscriptionId) &&
    (rg === undefined || rg === key(policy.resourceGroup)) &&
    (location === undefined || location === key(policy.location)) &&
    (name === undefined || name === '' || name === key(policy.name))
  );
}

export function createConcurrentWriter(deps: ConcurrentWriterDeps): ConcurrentWriter & {
  /** Feed every logged request here (the request log does). */
  observe(entry: RequestLogEntry): void;
} {
  let armed: Armed[] = [];
  let fired = 0;
  const errors: string[] = [];
  return {
    arm(spec) {
      const afterReads = spec.afterReads ?? 1;
      if (!Number.isInteger(afterReads) || afterReads < 1)
        throw new Error(`concurrentWriter.arm: afterReads must be an integer >= 1, got ${afterReads}`);
      armed.push({ spec, policy: deps.findPolicy(spec.policy, spec.resourceGroup), reads: 0 });
    },
    clear() {
      armed = [];
    },
    fired: () => fired,
    errors: () => [...errors],
    observe(entry) {
      for (const a of armed) {
        if (a.spec.principal !== undefined && key(entry.principal ?? '') !== key(a.spec.principal)) continue;
        const counts =
          a.spec.trigger === 'write' ? writesPolicy(entry, a.policy) : readsPolicy(entry, a.policy);
        if (!counts) continue;
        a.reads += 1;
      }
      const due = armed.filter((a) => a.reads >= (a.spec.afterReads ?? 1));
      if (due.length === 0) return;
      armed = armed.filter((a) => !due.includes(a));
      for (const a of due) {
        try {
          // Found again: the policy may have been deleted and created anew since it was armed.
          deps.apply(deps.findPolicy(a.spec.policy, a.spec.resourceGroup), a.spec.update);
          fired += 1;
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    },
  };
}
