/**
 * What an administrator asks `enable` / `disable` for, validated BEFORE any
 * Azure call: every problem is collected into one InputError naming the flag
 * as the CLI spells it, so nothing is written on bad input.
 *
 * Limits are JIT's own: `maxRequestAccessDuration` is "ISO 8601 duration
 * format. Minimum 5 minutes, maximum 1 day"; protocols `TCP`, `UDP`, `*`;
 * ports 1-65535; allowed sources "IP address or CIDR" (swagger 2020-01-01).
 */
import type { VmRef } from '../config';
import { InputError, type InputIssue } from '../errors';
import { splitWords } from '../inputs/collect';
import { MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, parseDurationMs } from '../inputs/duration';
import { parsePorts } from '../inputs/ports';
import { parseVms, resourceGroupProblem } from '../inputs/vms';
import { hostBitsFixed, isAnySource, isCidr, isIpAddress } from '../ip/address';

export type JitProtocol = 'TCP' | 'UDP' | '*';

/** The portal's defaults when enabling JIT on a VM. */
export const DEFAULT_MAX_DURATION = 'PT3H';
export const DEFAULT_PROTOCOL: JitProtocol = '*';
export const DEFAULT_POLICY_NAME = 'default';
/** Port by the VM's `storageProfile.osDisk.osType`, as the portal proposes: SSH for Linux, RDP for Windows. */
export const DEFAULT_PORT_BY_OS: Readonly<Record<string, number>> = { linux: 22, windows: 3389 };

/**
 * NSG rule descriptions hold at most 140 characters and JIT's fixed text takes 84,
 * so a policy name and a VM name together may have 56: a longer pair is accepted
 * when the policy is written and fails only when access is requested.
 */
export const MAX_POLICY_PLUS_VM_NAME = 56;

/** The raw flag values, '' when a flag was not given. */
export interface AdminFlags {
  readonly vms: string;
  readonly resourceGroup: string;
  readonly policy: string;
  readonly dryRun: boolean;
}

export interface EnableFlags extends AdminFlags {
  readonly ports: string;
  readonly protocol: string;
  readonly maxDuration: string;
  readonly allowedSources: string;
}

export interface AdminOptions {
  readonly vms: readonly VmRef[];
  /** The policy to create (or to pick among several); undefined: the one there is, else `default`. */
  readonly policyName?: string;
  readonly dryRun: boolean;
  /** VMs listed twice, dropped with a warning. */
  readonly duplicates: readonly string[];
}

export interface EnableOptions extends AdminOptions {
  /** Undefined: the portal's default port for each VM's OS. */
  readonly ports?: readonly number[];
  readonly protocol: JitProtocol;
  /** ISO 8601, as it will be stored in the policy. */
  readonly maxDuration: string;
  /** `['*']`, or IP addresses / CIDRs. */
  readonly allowedSources: readonly string[];
}

/** Letters, digits, `-`, `_`, `.`; JIT writes the name into NSG rule descriptions. */
const POLICY_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

const SOURCES_HINT =
  "give your agents' public range, e.g. --allowed-sources 203.0.113.0/24, or --allowed-sources '*' to let a request name any source";

function collect(issues: InputIssue[], fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) issues.push(...error.issues);
    else throw error;
  }
}

function parseCommon(flags: AdminFlags, issues: InputIssue[]): AdminOptions {
  const rg = flags.resourceGroup.trim();
  const rgProblem = rg ? resourceGroupProblem(rg) : undefined;
  if (rgProblem) issues.push({ input: 'resource-group', value: rg, rule: rgProblem });
  let vms: readonly VmRef[] = [];
  let duplicates: readonly string[] = [];
  collect(issues, () => {
    const parsed = parseVms('vms', flags.vms, rgProblem ? '' : rg);
    vms = parsed.vms;
    duplicates = parsed.duplicates;
  });
  const policy = flags.policy.trim();
  if (policy !== '') {
    if (!POLICY_NAME.test(policy) || policy.length >= MAX_POLICY_PLUS_VM_NAME) {
      issues.push({
        input: 'policy',
        value: policy,
        rule: `is not a usable JIT policy name (letters, digits, - _ . and shorter than ${MAX_POLICY_PLUS_VM_NAME} characters)`,
        hint: 'leave it out to use the policy the resource group already has, or `default`',
      });
    } else {
      for (const vm of vms) issues.push(...nameLengthIssues(policy, vm.name, vm.input));
    }
  }
  return { vms, ...(policy ? { policyName: policy } : {}), dryRun: flags.dryRun, duplicates };
}

/** The 56-character rule for one policy/VM pair, as an input issue (empty when fine). */
export function nameLengthIssues(policyName: string, vmName: string, vmInput: string): InputIssue[] {
  const total = policyName.length + vmName.length;
  if (total <= MAX_POLICY_PLUS_VM_NAME) return [];
  return [
    {
      input: 'vms',
      value: vmInput,
      rule: `with JIT policy '${policyName}' makes ${total} characters of policy name plus VM name; JIT allows at most ${MAX_POLICY_PLUS_VM_NAME} (its NSG rule description is limited to 140 characters), and requests for this VM would fail`,
      hint: 'VM names cannot change: choose a policy with a shorter name (--policy)',
    },
  ];
}

export function parseProtocol(raw: string): JitProtocol {
  const v = raw.trim().toUpperCase();
  if (v === '') return DEFAULT_PROTOCOL;
  if (v === 'TCP' || v === 'UDP' || v === '*') return v;
  throw new InputError(
    'protocol',
    raw,
    'is not a JIT protocol; use TCP, UDP or * (any)',
    v === 'ANY' || v === 'ALL' ? "write '*' (quoted in a shell) for any protocol" : undefined,
  );
}

/** ISO 8601 from PT5M to P1D (24 hours), whole minutes. Stored as given (upper case). */
export function parseMaxDuration(raw: string): string {
  const v = raw.trim();
  if (v === '') return DEFAULT_MAX_DURATION;
  if (/^\d+$/.test(v)) {
    throw new InputError(
      'max-duration',
      raw,
      'must be an ISO 8601 duration, as the JIT policy stores it',
      `write e.g. PT${v}M for ${v} minutes or PT3H for 3 hours`,
    );
  }
  let ms: number;
  try {
    ms = parseDurationMs('max-duration', v, 'minutes');
  } catch {
    throw new InputError(
      'max-duration',
      raw,
      'is not an ISO 8601 duration',
      'write e.g. PT3H for 3 hours, PT90M for 90 minutes or P1D for a day',
    );
  }
  const minutes = ms / 60_000;
  if (!Number.isInteger(minutes) || minutes < MIN_DURATION_MINUTES || minutes > MAX_DURATION_MINUTES) {
    throw new InputError(
      'max-duration',
      raw,
      `is outside what JIT allows: from PT${MIN_DURATION_MINUTES}M (5 minutes) to P1D or PT24H (24 hours), in whole minutes`,
    );
  }
  return v.toUpperCase();
}

/** `*` alone, or IP addresses and CIDRs (network addresses), sent to Azure exactly as written. */
export function parseAllowedSources(raw: string): readonly string[] {
  const items = splitWords(raw);
  if (items.length === 0) {
    throw new InputError(
      'allowed-sources',
      raw,
      'is required: a JIT policy says which source addresses a request may open the port to',
      SOURCES_HINT,
    );
  }
  if (items.includes('*')) {
    if (items.length === 1) return ['*'];
    throw new InputError(
      'allowed-sources',
      raw,
      "mixes '*' with addresses; '*' already allows any source",
      SOURCES_HINT,
    );
  }
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    const valid = isIpAddress(item) || isCidr(item);
    if (!valid) {
      issues.push({
        input: 'allowed-sources',
        value: item,
        rule: 'is not an IP address or CIDR (e.g. 203.0.113.10 or 203.0.113.0/24)',
      });
      continue;
    }
    if (isAnySource(item)) {
      issues.push({
        input: 'allowed-sources',
        value: item,
        rule: "means any address; JIT compares sources verbatim, so write '*' for that",
      });
      continue;
    }
    const fixed = item.includes('/') ? hostBitsFixed(item) : undefined;
    if (fixed) {
      issues.push({
        input: 'allowed-sources',
        value: item,
        rule: `has host bits set; did you mean ${fixed}?`,
      });
      continue;
    }
    if (!seen.has(item)) {
      seen.add(item);
      out.push(item);
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return out;
}

/** @throws InputError listing every bad flag. */
export function parseEnableOptions(flags: EnableFlags): EnableOptions {
  const issues: InputIssue[] = [];
  const common = parseCommon(flags, issues);
  let ports: readonly number[] | undefined;
  if (flags.ports.trim() !== '') collect(issues, () => (ports = parsePorts('ports', flags.ports).ports));
  let protocol: JitProtocol = DEFAULT_PROTOCOL;
  collect(issues, () => (protocol = parseProtocol(flags.protocol)));
  let maxDuration = DEFAULT_MAX_DURATION;
  collect(issues, () => (maxDuration = parseMaxDuration(flags.maxDuration)));
  let allowedSources: readonly string[] = [];
  collect(issues, () => (allowedSources = parseAllowedSources(flags.allowedSources)));
  if (issues.length > 0) throw new InputError(issues);
  return { ...common, ...(ports ? { ports } : {}), protocol, maxDuration, allowedSources };
}

/** @throws InputError listing every bad flag. */
export function parseDisableOptions(flags: AdminFlags): AdminOptions {
  const issues: InputIssue[] = [];
  const options = parseCommon(flags, issues);
  if (issues.length > 0) throw new InputError(issues);
  return options;
}
