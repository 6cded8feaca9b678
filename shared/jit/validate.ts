/**
 * Local validation of the request against each VM's JIT policy, BEFORE any
 * write. Real Azure answers every mismatch with one vague "not a subset of
 * policy"; here each problem names the VM, the policy, the field and what
 * would be accepted, and all problems are reported together.
 */
import type { JitNetworkAccessPortRule } from '@azure/arm-security';
import { InputError, PolicyError } from '../errors';
import type { FrontEnd, Wording } from '../frontEnd';
import { isoDurationMinutes } from '../time';
import { allowedPrefixes } from './allowedSources';
import type { PlannedVm, RequestedSource } from './plan';
import type { VmPolicyMatch } from './policies';
import { prefixFamily, prefixWithin } from './sourcePrefix';

/**
 * JIT writes the allow rule with the description "ASC JIT Network Access rule
 * created by an initiation request for policy '<policy>' of VM '<vm>'.", and
 * a rule description holds 140 characters: over 56 for both names together,
 * Azure accepts the request and silently never writes the rule.
 */
export const MAX_POLICY_AND_VM_NAME = 56;

export interface ValidationInput {
  readonly ports: readonly number[];
  readonly durationMinutes: number;
  readonly source: RequestedSource;
}

export interface ValidationResult {
  readonly vms: readonly PlannedVm[];
  /** Things we could not check locally (e.g. `source: azure` against a restricted policy). */
  readonly warnings: readonly Wording[];
}

/** Throws one PolicyError listing every violation; returns the planned VMs otherwise. */
export function validateRequest(matches: readonly VmPolicyMatch[], input: ValidationInput): ValidationResult {
  requireSourceFamily(matches, input.source);
  const errors: PolicyError[] = [];
  const warnings: Wording[] = [];
  const vms: PlannedVm[] = [];

  for (const match of matches) {
    const { vm, policy, entry } = match;
    const where = `JIT policy '${policy.name}' for VM ${vm.name}`;
    if (policy.name.length + vm.name.length > MAX_POLICY_AND_VM_NAME) {
      errors.push(
        new PolicyError(
          `policy name '${policy.name}' (${policy.name.length} characters) plus VM name '${vm.name}' (${vm.name.length}) is ${policy.name.length + vm.name.length} characters, over ${MAX_POLICY_AND_VM_NAME}: ` +
            'Azure accepts the request but never writes the allow rule (its 140-character rule description would overflow), so access would never open',
          `Have an administrator put ${vm.name} in a JIT policy with a shorter name (at most ${MAX_POLICY_AND_VM_NAME - vm.name.length} characters for this VM), then run again.`,
        ),
      );
    }
    // Behind an Azure Firewall JIT opens a DNAT rule on the firewall: no NSG is needed.
    if (vm.nsgs.length === 0 && entry.publicIpAddress === undefined) {
      errors.push(
        new PolicyError(
          `VM ${vm.name} has no network security group on its NIC or subnet, so JIT has nowhere to open access`,
          `Attach an NSG to ${vm.name}'s network interface or subnet and re-enable JIT on it.`,
        ),
      );
    }
    const allowed = entry.ports.map((p) => p.number);
    const rules: JitNetworkAccessPortRule[] = [];
    for (const port of input.ports) {
      const rule = entry.ports.find((p) => p.number === port);
      if (!rule) {
        errors.push(
          new PolicyError(
            `port ${port} is not in ${where} (allowed: ${allowed.join(', ') || 'none'})`,
            (fe) =>
              `Request only ports the policy lists (${fe.setting('ports', allowed.join(','))}), or have an administrator add port ${port} to policy '${policy.name}'.`,
          ),
        );
        continue;
      }
      rules.push(rule);
      errors.push(...checkDuration(rule, input.durationMinutes, where));
      const source = checkSource(rule, input.source, where);
      errors.push(...source.errors);
      warnings.push(...source.warnings);
    }
    vms.push({ match, ports: rules });
  }
  if (errors.length > 0) throw PolicyError.combine(errors);
  return { vms, warnings };
}

function checkDuration(rule: JitNetworkAccessPortRule, minutes: number, where: string): PolicyError[] {
  const max = isoDurationMinutes(rule.maxRequestAccessDuration);
  if (max === undefined || minutes <= max) return [];
  return [
    new PolicyError(
      `duration ${minutes} minutes exceeds the maximum of ${where} port ${rule.number}: ${rule.maxRequestAccessDuration} (${max} minutes)`,
      (fe) =>
        `Set ${fe.input('duration')} to ${max} or less, or have an administrator raise maxRequestAccessDuration in policy.`,
    ),
  ];
}

function checkSource(
  rule: JitNetworkAccessPortRule,
  source: RequestedSource,
  where: string,
): { errors: PolicyError[]; warnings: Wording[] } {
  const allowed = allowedPrefixes(rule);
  // JIT's own wildcard: a policy port allowing `*` accepts any requested prefix (others match verbatim).
  if (allowed.includes('*')) return { errors: [], warnings: [] };
  const list = allowed.join(', ') || 'none';
  if (source.prefix === undefined) {
    // `source: azure`: Azure uses the address the initiate call comes from,
    // which we deliberately did not look up. We cannot know if it matches.
    return {
      errors: [],
      warnings: [
        (fe) =>
          `${where} port ${rule.number} only allows sources ${list}; with ${fe.setting('source', 'azure')} Azure uses the IP the request comes from, ` +
          'which must equal one of them exactly, or Azure refuses the request ("not a subset of policy"). ' +
          `Set ${fe.input('source')} to one of those prefixes to have it checked before anything is requested.`,
      ],
    };
  }
  const requested = source.prefix;
  if (allowed.includes(requested)) return { errors: [], warnings: [] };

  const family = prefixFamily(requested);
  const families = new Set(allowed.map(prefixFamily));
  if (family === 'ipv6' && !families.has('ipv6')) {
    return {
      errors: [
        new PolicyError(
          `source ${requested} is an IPv6 address but ${where} port ${rule.number} only allows IPv4 sources (${list})`,
          (fe) =>
            `Run from an agent with IPv4 egress, or set ${fe.input('source')} to one of the allowed IPv4 prefixes.`,
        ),
      ],
      warnings: [],
    };
  }
  const containing = allowed.filter((range) => prefixWithin(requested, range));
  const suggestion = (fe: FrontEnd): string =>
    containing.length > 0
      ? `Set ${fe.input('source')} to '${containing[0]}' exactly: JIT compares the requested prefix verbatim, not by containment, so ${requested} inside ${containing[0]} is still refused.`
      : `Set ${fe.input('source')} to one of the allowed prefixes exactly (${list}), or have an administrator add ${requested} to the policy.`;
  return {
    errors: [
      // The suggestion is in the message too: a combined error keeps only the first hint.
      new PolicyError(
        (fe) =>
          `source ${requested} is not allowed by ${where} port ${rule.number} (allowed: ${list}; JIT matches the prefix verbatim). ${suggestion(fe)}`,
        suggestion,
      ),
    ],
    warnings: [],
  };
}

/**
 * An IPv6 source only for VMs with an IPv6 private address: JIT's allow rule has the VM's private
 * IP as destination, and an NSG rule cannot mix families, so Azure accepts the request and the
 * rule never appears (a silent wait until the timeout). Checked before anything is requested.
 * @throws InputError naming the `source` input and the address.
 */
export function requireSourceFamily(matches: readonly VmPolicyMatch[], source: RequestedSource): void {
  const prefix = source.prefix;
  if (prefix === undefined || prefix === '*' || prefixFamily(prefix) !== 'ipv6') return;
  const v4only = matches.filter((m) => !m.vm.privateIps.some((ip) => prefixFamily(ip) === 'ipv6'));
  if (v4only.length === 0) return;
  const names = [...new Set(v4only.map((m) => m.vm.name))].join(', ');
  throw new InputError(
    'source',
    source.kind === 'auto' ? `auto (resolved to ${prefix})` : prefix,
    `is IPv6, but VM ${names} has no IPv6 private address, so JIT could never open access from it`,
    source.kind === 'auto'
      ? (fe) =>
          `give this agent's public IPv4 address as ${fe.input('source')}, use \`${fe.setting('source', 'azure')}\`, or run on an agent with IPv4 egress`
      : 'give an IPv4 address or CIDR, or add an IPv6 configuration to the VM network interface',
  );
}
