/**
 * Writes planned policy changes, one policy at a time, each as
 * read → compare → write → read → compare. JIT policies have no ETag and a PUT
 * replaces the whole VM list, so this is the only protection against
 * overwriting another administrator's change:
 * - the read just before the write must still show what the plan was made
 *   from, or we stop and write nothing (their change and ours are reported);
 * - the read just after must show what we wrote, or someone wrote right
 *   after us and we say so.
 * Between that last read and the write stays a window of one round trip that
 * no client can close without an ETag.
 */
import type { AzureClients } from '../azure/clients';
import { diffEntries, sameEntries, type PolicyMerge, type VmChange } from './diff';
import { PolicyChangedError } from './errors';
import { deletePolicy, readPolicy, writePolicy, type PolicyAddress, type StoredPolicy } from './policyStore';

export type PolicyAction = 'create' | 'update' | 'delete' | 'none';

export interface PolicyPlan {
  readonly address: PolicyAddress;
  readonly id: string;
  readonly kind?: string;
  readonly action: PolicyAction;
  /** False when the policy does not exist yet (`create`). */
  readonly existed: boolean;
  readonly merge: PolicyMerge;
}

export interface AdminAzure {
  readonly clients: AzureClients;
  readonly signal?: AbortSignal;
}

export interface AppliedPolicy {
  readonly plan: PolicyPlan;
  /** The policy as read back after the write (undefined after a delete). */
  readonly stored?: StoredPolicy;
}

const changesOnly = (changes: readonly VmChange[]): VmChange[] =>
  changes.filter((c) => c.change !== 'unchanged');

/** Applies each plan that changes something; `onApplied` hears of each as soon as it is written and verified. */
export async function applyPlans(
  azure: AdminAzure,
  plans: readonly PolicyPlan[],
  onApplied: (applied: AppliedPolicy) => void = () => undefined,
): Promise<AppliedPolicy[]> {
  const done: AppliedPolicy[] = [];
  for (const plan of plans) {
    if (plan.action === 'none') continue;
    const applied = await applyOne(azure, plan);
    done.push(applied);
    onApplied(applied);
  }
  return done;
}

async function applyOne(azure: AdminAzure, plan: PolicyPlan): Promise<AppliedPolicy> {
  const { clients, signal } = azure;
  const { address, merge } = plan;

  const now = await readPolicy(clients, address, signal);
  if ((now !== undefined) !== plan.existed || !sameEntries(merge.before, now?.entries ?? [])) {
    throw new PolicyChangedError(
      address,
      'before-write',
      diffEntries(merge.before, now?.entries ?? []),
      changesOnly(merge.changes),
    );
  }

  if (plan.action === 'delete') {
    await deletePolicy(clients, address, signal);
    const after = await readPolicy(clients, address, signal);
    if (after) throw new PolicyChangedError(address, 'after-write', diffEntries([], after.entries), []);
    return { plan };
  }

  const echoed = await writePolicy(clients, address, plan.kind, merge.after, signal);
  // What Azure says it stored is the reference (it may spell things its own way); what we sent otherwise.
  const written = echoed?.entries ?? merge.after;
  const after = await readPolicy(clients, address, signal);
  if (!after || !sameEntries(written, after.entries)) {
    throw new PolicyChangedError(
      address,
      'after-write',
      diffEntries(written, after?.entries ?? []),
      changesOnly(merge.changes),
    );
  }
  return { plan, stored: after };
}
