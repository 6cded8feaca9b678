/**
 * Address checks on top of ipaddr.js. Only four-part dotted IPv4 is accepted:
 * ipaddr.js's generic `isValid` also takes `127.1`, `0x7f000001` and other
 * legacy forms that NSGs and JIT policies do not.
 */
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ipv4' | 'ipv6';

export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && !text.includes('%'));
}

export function isCidr(text: string): boolean {
  return (
    ipaddr.IPv4.isValidCIDRFourPartDecimal(text) || (ipaddr.IPv6.isValidCIDR(text) && !text.includes('%'))
  );
}

/** Family of an IP or CIDR we already validated. */
export function familyOf(addressOrCidr: string): IpFamily {
  const address = addressOrCidr.split('/')[0] ?? addressOrCidr;
  return ipaddr.parse(address).kind();
}

/** The network address of a CIDR when host bits are set (`10.0.0.1/24` → `10.0.0.0/24`), else undefined. */
export function hostBitsFixed(cidr: string): string | undefined {
  const [address, length] = ipaddr.parseCIDR(cidr);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(cidr).toString();
  return network === address.toString() ? undefined : `${network}/${length}`;
}

/** Prefix length of a CIDR, or the full length for a single address. */
export function prefixLength(addressOrCidr: string): number {
  if (addressOrCidr.includes('/')) return ipaddr.parseCIDR(addressOrCidr)[1];
  return familyOf(addressOrCidr) === 'ipv4' ? 32 : 128;
}

/**
 * ipaddr.js range names that can never be the public address a server on the
 * internet sees us coming from. Deliberately NOT listed: 'reserved', which
 * covers the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32) the emulator and tests use as "public" IPs.
 */
export const NON_PUBLIC_RANGES: Readonly<Record<IpFamily, readonly string[]>> = {
  ipv4: ['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'private', 'carrierGradeNat'],
  ipv6: ['unspecified', 'multicast', 'linkLocal', 'loopback', 'uniqueLocal'],
};

/** Why `address` cannot be a public egress address, or undefined when it can. */
export function nonPublicReason(address: string): string | undefined {
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  return NON_PUBLIC_RANGES[parsed.kind()].includes(range) ? `${range} address, not a public one` : undefined;
}

/** Canonical text of a valid address, for comparing answers (`::FFFF:…`, `2001:DB8::1` and friends). IPv4-mapped IPv6 becomes IPv4. */
export function canonicalAddress(address: string): string {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
  }
  return parsed.toString();
}
