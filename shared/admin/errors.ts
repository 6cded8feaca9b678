/**
 * Another writer changed a JIT policy while we were editing it. JIT policies
 * have no ETag, so this is found by reading again just before and just after
 * the write; before the write we stop and write nothing.
 */
import { JitError } from '../errors';
import { describeChanges, type VmChange } from './diff';
import { policyLabel, type PolicyAddress } from './policyStore';

export type ChangeStage = 'before-write' | 'after-write';

export class PolicyChangedError extends JitError {
  override readonly name = 'PolicyChangedError';
  readonly kind = 'azure' as const;

  constructor(
    readonly policy: PolicyAddress,
    readonly stage: ChangeStage,
    /** What the other writer changed (before-write: since our read; after-write: since our write). */
    readonly theirs: readonly VmChange[],
    /** What this command meant to change. */
    readonly ours: readonly VmChange[],
  ) {
    const label = policyLabel(policy);
    const list = (changes: readonly VmChange[]): string => {
      const lines = describeChanges(changes);
      return lines.length > 0
        ? lines.map((l) => `  - ${l}`).join('\n')
        : '  - (the policy was created or deleted)';
    };
    const message =
      stage === 'before-write'
        ? `${label} was changed by someone else after this command read it, so nothing was written to it ` +
          `(JIT policies have no ETag: writing now would overwrite their change).\n` +
          `Their change:\n${list(theirs)}\nWhat this command would have changed:\n${list(ours)}`
        : `${label} changed right after this command wrote it: someone else is writing it at the same time. ` +
          `Our write went through, but the policy now differs from it:\n${list(theirs)}`;
    super(message, {
      hint:
        stage === 'before-write'
          ? 'Review their change, then run the same command again: it reads the policy afresh and merges into it.'
          : "Coordinate with whoever else edits this policy, check it (Defender for Cloud, or 'azure-jit-access status'), and run the command again if our change is missing: it merges, so re-running is safe.",
    });
  }
}
