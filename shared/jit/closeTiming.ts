import type { CloseOptions } from './close';

/**
 * The close timings, overridable by environment for tests of the shipped
 * bundles (a 30 s re-check per post or close would make them slow). Only the wait
 * changes: what is deleted is decided the same way.
 */
export function closeTiming(): CloseOptions {
  const ms = (name: string): number | undefined => {
    const v = Number(process.env[name]);
    return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? Math.min(v, 120_000) : undefined;
  };
  const recheck = ms('AZURE_JIT_ACCESS_RECHECK_DELAY_MS');
  const late = ms('AZURE_JIT_ACCESS_LATE_RULE_GRACE_MS');
  return {
    ...(recheck !== undefined ? { recheckDelayMs: recheck } : {}),
    ...(late !== undefined ? { lateRuleGraceMs: late } : {}),
  };
}
