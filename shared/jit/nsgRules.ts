/**
 * Recognising JIT allow rules in an NSG. JIT names its allow rules
 * `SecurityCenter-JITRule-<int>-<HEX>` (hyphens) and its deny rules
 * `SecurityCenter-JITRule_<int>_<HEX>` (underscores); the int may be
 * negative. Names are matched by prefix, never reconstructed. NSG values are
 * stored as written (`Tcp`, `tcp`, `TCP`), so protocol and names compare
 * case-insensitively; source prefixes compare exactly (JIT writes what was
 * requested, verbatim).
 */
import type { SecurityRule } from '@azure/arm-network';

const ALLOW_RULE = /^securitycenter-jitrule--?\d+-[0-9a-f]+$/i;

export function isJitAllowRuleName(name: string | undefined): boolean {
  return name !== undefined && ALLOW_RULE.test(name);
}

/** What a JIT allow rule must look like to be the one for a given request. */
export interface RuleTarget {
  readonly port: number;
  /** Any of these destination IPs (the private IPs of the NICs the NSG guards). */
  readonly destinations: readonly string[];
  /** Exact source prefix; undefined = any (used while learning the `source: azure` address). */
  readonly source?: string;
  /** Policy protocol (`TCP`, `UDP`, `*`). */
  readonly protocol?: string;
}

export function isJitAllowRule(rule: SecurityRule): boolean {
  return isJitAllowRuleName(rule.name) && eqi(rule.access, 'Allow') && eqi(rule.direction, 'Inbound');
}

export function rulePorts(rule: SecurityRule): string[] {
  return [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])].filter((p): p is string => !!p);
}

export function ruleDestinations(rule: SecurityRule): string[] {
  return [rule.destinationAddressPrefix, ...(rule.destinationAddressPrefixes ?? [])].filter(
    (p): p is string => !!p,
  );
}

export function ruleSources(rule: SecurityRule): string[] {
  return [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter((p): p is string => !!p);
}

/** Port and destination match (the "slot" a JIT request occupies, whoever made it). */
export function sameSlot(rule: SecurityRule, target: RuleTarget): boolean {
  return (
    isJitAllowRule(rule) &&
    rulePorts(rule).some((p) => portCovers(p, target.port)) &&
    ruleDestinations(rule).some((d) => target.destinations.includes(d.split('/')[0] ?? d)) &&
    protocolMatches(rule.protocol, target.protocol)
  );
}

/** Slot plus our exact source. */
export function matchesTarget(rule: SecurityRule, target: RuleTarget): boolean {
  return sameSlot(rule, target) && (target.source === undefined || ruleSources(rule).includes(target.source));
}

export function isLive(rule: SecurityRule): boolean {
  return eqi(rule.provisioningState, 'Succeeded');
}

function portCovers(range: string, port: number): boolean {
  if (range === '*') return false; // a JIT allow rule always names its port; `*` is not ours
  const [lo, hi] = range.split('-').map((x) => Number(x.trim()));
  if (lo === undefined || !Number.isInteger(lo)) return false;
  return hi === undefined ? lo === port : port >= lo && port <= hi;
}

function protocolMatches(ruleProtocol: string | undefined, policyProtocol: string | undefined): boolean {
  if (!ruleProtocol || !policyProtocol || ruleProtocol === '*' || policyProtocol === '*') return true;
  return eqi(ruleProtocol, policyProtocol);
}

function eqi(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}
