/**
 * Address-prefix helpers for source checks. JIT itself matches prefixes
 * VERBATIM (policy `10.0.0.0/24` refuses a request for `10.0.0.5`), so these
 * are only used to explain a refusal and suggest the prefix that would work.
 */
import { familyOf, isIpAddress, parsePrefix } from '../ip/address';

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
  const p = parsePrefix(prefix.trim());
  const r = parsePrefix(range.trim());
  if (!p || !r) return false;
  const [addr, bits] = p;
  const [rangeAddr, rangeBits] = r;
  if (addr.kind() !== rangeAddr.kind() || bits < rangeBits) return false;
  return addr.match(rangeAddr, rangeBits);
}

/**
 * Whether two source prefixes name the same addresses: `10.0.0.5` equals
 * `10.0.0.5/32`, `2001:db8::1` equals `2001:db8::1/128`, and `10.0.0.0/24`
 * equals `10.0.0.0/24` however it is spelt. Azure may write the source of
 * an allow rule as requested, as a /32 or in `sourceAddressPrefixes`, so
 * rules are compared as parsed prefixes, never as text. `*`, service tags
 * and anything that is no address by isIpAddress / isCidr compare
 * case-insensitively as text.
 */
export function samePrefix(a: string, b: string): boolean {
  const pa = parsePrefix(a.trim());
  const pb = parsePrefix(b.trim());
  if (!pa || !pb) return a.trim().toLowerCase() === b.trim().toLowerCase();
  return (
    pa[0].kind() === pb[0].kind() &&
    pa[1] === pb[1] &&
    pa[0].toNormalizedString() === pb[0].toNormalizedString()
  );
}
