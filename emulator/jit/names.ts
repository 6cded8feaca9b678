/**
 * Names of the NSG rules JIT writes (reference §0.6 and §3): allow
 * `SecurityCenter-JITRule-<int32>-<32 HEX>`, deny `SecurityCenter-JITRule_<int32>_<32 HEX>`.
 * The int32 may be negative. Clients must match by prefix, never rebuild a name.
 */
import { randomBytes } from 'node:crypto';

function int32(): number {
  return randomBytes(4).readInt32BE(0);
}

function hex32(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

export function allowRuleName(n: number = int32()): string {
  return `SecurityCenter-JITRule-${n}-${hex32()}`;
}

export function denyRuleName(n: number = int32(), hex: string = hex32()): string {
  return `SecurityCenter-JITRule_${n}_${hex}`;
}

export function allowRuleDescription(policy: string, vm: string): string {
  return `ASC JIT Network Access rule created by an initiation request for policy '${policy}' of VM '${vm}'.`;
}

export function denyRuleDescription(policy: string, vm: string): string {
  return `ASC JIT Network Access rule for policy '${policy}' of VM '${vm}'.`;
}
