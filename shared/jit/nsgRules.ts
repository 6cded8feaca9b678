/**
 * Recognising JIT allow rules in an NSG. JIT names its allow rules
 * `SecurityCenter-JITRule-<int>-<HEX>` (hyphens) and its deny rules
 * `SecurityCenter-JITRule_<int>_<HEX>` (underscores); the int may be
 * negative. Names are matched by prefix, never reconstructed. NSG values are
 * stored as written (`Tcp`, `tcp`, `TCP`), so protocol and names compare
 * case-insensitively. Sources compare as parsed prefixes (an IP equals its
 * /32), in `sourceAddressPrefix` or `sourceAddressPrefixes`: Azure's spelling
 * of the source it writes is not documented. One rule may carry several ports
 * (`destinationPortRanges`).
 */
import type { SecurityRule } from '@azure/arm-network';
import { samePrefix } from './sourcePrefix';

const ALLOW_RULE = /^securitycenter-jitrule--?\d+-[0-9a-f]{32}$/i;

export function isJitAllowRuleName(name: string | undefined): boolean {
  return name !== undefined && ALLOW_RULE.test(name);
}

/** What a JIT allow rule must look like to be the one for a given request. */
export interface RuleTarget {
  readonly port: number;
  /** Any of these destination IPs (the private IPs of the NICs the NSG guards). */
  readonly destinations: readonly string[];
  /** Source prefix (compared as a parsed prefix); undefined = any (while learning the `source: azure` address). */
  readonly source?: string;
  /** Policy protocol (`TCP`, `UDP`, `*`). */
  readonly protocol?: string;
}

export function isJitAllowRule(rule: SecurityRule): boolean {
  return (
    isJitAllowRuleName(rule.name) &&
    sameIgnoringCase(rule.access, 'Allow') &&
    sameIgnoringCase(rule.direction, 'Inbound')
  );
}

export function rulePorts(rule: SecurityRule): string[] {
  return [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])].filter((p): p is string => !!p);
}

export function ruleDestinations(rule: SecurityRule): string[] {
  return [rule.destinationAddressPrefix, ...(rule.destinationAddressPrefixes ?? [])].filter(
    (p): p is string => !!p,
  );
}

/** The destination addresses without a prefix length (JIT writes the VM's IP, sometimes as a /32). */
export function destinationAddresses(rule: SecurityRule): string[] {
  return ruleDestinations(rule).map((d) => d.split('/')[0] ?? d);
}

export function ruleSources(rule: SecurityRule): string[] {
  return [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter((p): p is string => !!p);
}

/** Port and destination match (the "slot" a JIT request occupies, whoever made it). */
export function sameSlot(rule: SecurityRule, target: RuleTarget): boolean {
  return (
    isJitAllowRule(rule) &&
    rulePorts(rule).some((p) => portCovers(p, target.port)) &&
    destinationAddresses(rule).some((d) => target.destinations.includes(d)) &&
    protocolMatches(rule.protocol, target.protocol)
  );
}

/** Slot plus our source. */
export function matchesTarget(rule: SecurityRule, target: RuleTarget): boolean {
  return sameSlot(rule, target) && (target.source === undefined || hasSource(rule, target.source));
}

/** Whether the rule allows exactly `source` (one of its source prefixes equals it as a prefix). */
export function hasSource(rule: SecurityRule, source: string): boolean {
  return ruleSources(rule).some((s) => samePrefix(s, source));
}

/** The single ports a rule names (`22`, or `22-22`); a real range yields its bounds only if they are equal. */
export function ruleSinglePorts(rule: SecurityRule): number[] {
  const out: number[] = [];
  for (const range of rulePorts(rule)) {
    const [lo, hi] = range.split('-').map((x) => Number(x.trim()));
    if (lo !== undefined && Number.isInteger(lo) && (hi === undefined || hi === lo)) out.push(lo);
  }
  return out;
}

/** Whether every port the rule opens is one of `ports` (a rule carrying someone else's port is not ours alone). */
export function portsWithin(rule: SecurityRule, ports: readonly number[]): boolean {
  const ranges = rulePorts(rule);
  return (
    ranges.length > 0 &&
    ranges.length === ruleSinglePorts(rule).length &&
    ruleSinglePorts(rule).every((p) => ports.includes(p))
  );
}

export function isLive(rule: SecurityRule): boolean {
  return sameIgnoringCase(rule.provisioningState, 'Succeeded');
}

function portCovers(range: string, port: number): boolean {
  if (range === '*') return false; // a JIT allow rule always names its port; `*` is not ours
  const [lo, hi] = range.split('-').map((x) => Number(x.trim()));
  if (lo === undefined || !Number.isInteger(lo)) return false;
  return hi === undefined ? lo === port : port >= lo && port <= hi;
}

function protocolMatches(ruleProtocol: string | undefined, policyProtocol: string | undefined): boolean {
  if (!ruleProtocol || !policyProtocol || ruleProtocol === '*' || policyProtocol === '*') return true;
  return sameIgnoringCase(ruleProtocol, policyProtocol);
}

/** Rule names, protocol, access and direction: the Network provider ignores their case. */
export function sameIgnoringCase(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}
