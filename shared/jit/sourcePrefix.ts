/**
 * Address-prefix helpers for source checks. JIT itself matches prefixes
 * VERBATIM (policy `10.0.0.0/24` refuses a request for `10.0.0.5`), so these
 * are only used to explain a refusal and suggest the prefix that would work.
 */
import ipaddr from 'ipaddr.js';
import { familyOf, isIpAddress } from '../ip/address';

export type PrefixFamily = 'ipv4' | 'ipv6' | 'any' | 'other';

export function prefixFamily(prefix: string): PrefixFamily {
  if (prefix === '*') return 'any';
  const address = prefix.split('/')[0] ?? '';
  // The one address syntax (four-part IPv4 only): ipaddr.isValid would also take `127.1`.
  if (!isIpAddress(address)) return 'other';
  return familyOf(address);
}

/** Whether `prefix` (an IP or CIDR) lies inside `range` (an IP or CIDR) by address arithmetic. */
export function prefixWithin(prefix: string, range: string): boolean {
  try {
    const [addr, bits] = toCidr(prefix);
    const [rangeAddr, rangeBits] = toCidr(range);
    if (addr.kind() !== rangeAddr.kind() || bits < rangeBits) return false;
    return addr.match(rangeAddr, rangeBits);
  } catch {
    return false;
  }
}

function toCidr(prefix: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (prefix.includes('/')) return ipaddr.parseCIDR(prefix);
  const addr = ipaddr.parse(prefix);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}
