/**
 * What `calibrate` sends and what it needs from the test VM's JIT policy. The
 * sources are documentation addresses (RFC 5737) that nobody can connect from,
 * so every rule the probe causes admits no one. JIT matches a source against
 * the policy verbatim, so the policy must allow `*` or list each one exactly.
 */
import type { JitNetworkAccessPolicyVirtualMachine } from '@azure/arm-security';
import { PolicyError } from '../errors';
import { listedSources } from '../jit/allowedSources';
import { isoDurationMinutes } from '../time';

/** Step 1 (two ports) and the request outside the policy: a bare IP. */
export const SOURCE_IP = '192.0.2.10';
/** Step 2: the same VM and port from another source. */
export const SOURCE_OTHER = '198.51.100.10';
/** Step 3: the step-1 IP as its /32 (an IP versus its /32). */
export const SOURCE_IP_32 = `${SOURCE_IP}/32`;
export const PROBE_SOURCES = [SOURCE_IP, SOURCE_OTHER, SOURCE_IP_32] as const;

/** Requests end on their own after this (or the policy's maximum if shorter): a safety net if closing fails. */
export const PROBE_DURATION_MINUTES = 15;
/** JIT's own minimum request length (the SDK documents 5 minutes). */
const MIN_MINUTES = 5;

/** Candidates for the request outside the policy: the first one the policy does not list. */
const OUTSIDE_PORTS = [2222, 2223, 8022, 10022, 50022, 60022] as const;

export interface ProbePlan {
  readonly ports: readonly [number, number];
  /** A port the VM's policy entry does not list (the request outside the policy). */
  readonly outsidePort: number;
  readonly durationMinutes: number;
}

/** The policy a user must configure, in one sentence (for refusals and the docs). */
export function requiredPolicyText(vm: string, ports: readonly number[]): string {
  return (
    `calibrate needs a JIT policy in the VM's resource group that lists VM ${vm} with ports ${ports.join(' and ')}, ` +
    `each allowing source \`*\` or listing exactly ${PROBE_SOURCES.join(', ')} (documentation addresses nobody can use; ` +
    `JIT matches sources verbatim), with a maxRequestAccessDuration of at least PT${MIN_MINUTES}M`
  );
}

/**
 * Checks the VM's policy entry against what the probe sends; every problem is
 * listed in one refusal that ends with the policy it needs.
 */
export function planProbe(
  vm: string,
  policyName: string,
  entry: JitNetworkAccessPolicyVirtualMachine,
  ports: readonly number[],
): ProbePlan {
  const problems: string[] = [];
  if (ports.length !== 2)
    problems.push(`--ports must name exactly two ports (got ${ports.join(',') || 'none'})`);
  let duration = PROBE_DURATION_MINUTES;
  for (const port of ports) {
    const rule = entry.ports.find((p) => p.number === port);
    if (!rule) {
      problems.push(`port ${port} is not in JIT policy '${policyName}' for VM ${vm}`);
      continue;
    }
    const sources = listedSources(rule);
    const missing = sources.includes('*') ? [] : PROBE_SOURCES.filter((s) => !sources.includes(s));
    if (missing.length > 0) {
      problems.push(
        `port ${port} of policy '${policyName}' allows ${sources.join(', ') || 'no source'}, not ${missing.join(', ')}`,
      );
    }
    const max = isoDurationMinutes(rule.maxRequestAccessDuration);
    if (max !== undefined) duration = Math.min(duration, Math.floor(max));
  }
  if (duration < MIN_MINUTES) {
    problems.push(`the policy's maxRequestAccessDuration is shorter than ${MIN_MINUTES} minutes`);
  }
  if (problems.length > 0) {
    throw new PolicyError(
      `calibrate will not run against VM ${vm}: ${problems.join('; ')}.`,
      `${requiredPolicyText(vm, ports.length === 2 ? ports : [22, 3389])}. Use a test VM: the probe opens and closes access on it several times. It never changes a policy.`,
    );
  }
  const listed = new Set(entry.ports.map((p) => p.number));
  const outsidePort = OUTSIDE_PORTS.find((p) => !listed.has(p)) ?? 65001;
  return { ports: [ports[0] as number, ports[1] as number], outsidePort, durationMinutes: duration };
}
