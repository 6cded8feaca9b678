/**
 * Address checks on top of ipaddr.js. Only four-part dotted IPv4 is accepted:
 * ipaddr.js's generic `isValid` also takes `127.1`, `0x7f000001` and other
 * legacy forms that NSGs and JIT policies do not.
 */
import ipaddr from 'ipaddr.js';
import type { Wording } from '../frontEnd';

export type IpFamily = 'ipv4' | 'ipv6';

/*
 * Every IPv6 text has a colon and no IPv4 text has one, so the colon picks the family's parser.
 * ipaddr.js's generic `parse` and `parseCIDR` try IPv6 first: that compiles its IPv6 expressions
 * in every run, and `parseCIDR` throws (an Error, with its stack) for every IPv4 block, which NSG
 * polls of many VMs compared thousands of times.
 */
const isV6 = (text: string): boolean => text.includes(':');

export function isIpAddress(text: string): boolean {
  return isV6(text)
    ? ipaddr.IPv6.isValid(text) && !text.includes('%')
    : ipaddr.IPv4.isValidFourPartDecimal(text);
}

export function isCidr(text: string): boolean {
  return isV6(text)
    ? ipaddr.IPv6.isValidCIDR(text) && !text.includes('%')
    : ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
}

/** A valid address (isIpAddress) parsed by its family's parser. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  return isV6(text) ? ipaddr.IPv6.parse(text) : ipaddr.IPv4.parse(text);
}

/** A valid CIDR (isCidr) parsed by its family's parser. */
function parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return isV6(text) ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text);
}

/** NSG service tags that stand for every address. */
const ANY_TAGS: readonly string[] = ['internet', 'any'];

/**
 * THE definition of "any source": `*` (JIT's and NSGs' wildcard), a /0 block of
 * either family (`0.0.0.0/0`, `::/0`), or the NSG service tags `Internet` and `Any`.
 */
export function isAnySource(prefix: string): boolean {
  const p = prefix.trim();
  if (p === '*' || ANY_TAGS.includes(p.toLowerCase())) return true;
  return isCidr(p) && prefixLength(p) === 0;
}

/**
 * An address or CIDR as (address, prefix length), by the same rules as
 * isIpAddress / isCidr (`127.1` is no address); a bare address is its /32 or /128.
 * Undefined for anything else.
 */
export function parsePrefix(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  if (isCidr(text)) return parseCidr(text);
  if (!isIpAddress(text)) return undefined;
  const address = parseAddress(text);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** Family of an IP or CIDR we already validated. */
export function familyOf(addressOrCidr: string): IpFamily {
  const address = addressOrCidr.split('/')[0] ?? addressOrCidr;
  return isV6(address) ? 'ipv6' : 'ipv4';
}

/** The network address of a CIDR when host bits are set (`10.0.0.1/24` → `10.0.0.0/24`), else undefined. */
export function hostBitsFixed(cidr: string): string | undefined {
  const [address, length] = parseCidr(cidr);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(cidr).toString();
  return network === address.toString() ? undefined : `${network}/${length}`;
}

/** Prefix length of a CIDR, or the full length for a single address. */
export function prefixLength(addressOrCidr: string): number {
  if (addressOrCidr.includes('/')) return parseCidr(addressOrCidr)[1];
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
  const parsed = parseAddress(address);
  const range = parsed.range();
  return NON_PUBLIC_RANGES[parsed.kind()].includes(range) ? `${range} address, not a public one` : undefined;
}

/** Canonical text of a valid address, for comparing answers (`::FFFF:…`, `2001:DB8::1` and friends). IPv4-mapped IPv6 becomes IPv4. */
export function canonicalAddress(address: string): string {
  const parsed = parseAddress(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
  }
  return parsed.toString();
}

/** Shortest prefix accepted without allow-any-source: /8 is already 16.7 million IPv4 addresses. */
export const MIN_PREFIX_LENGTH: Readonly<Record<IpFamily, number>> = { ipv4: 8, ipv6: 32 };

/**
 * Blocks that are never a source a JIT rule should allow, whatever allow-any-source says: no
 * client on the internet comes from them, and some (the instance metadata service at
 * 169.254.169.254, loopback) would let the VM's own services in. IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * is refused too: an NSG rule with it does not match IPv4 traffic; give the IPv4 address.
 */
const NEVER_A_SOURCE: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (169.254.169.254 is the instance metadata service)'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'the loopback address'],
  ['fe80::/10', 'a link-local address'],
  ['ff00::/8', 'a multicast address'],
  ['::ffff:0:0/96', 'an IPv4-mapped IPv6 address (give the IPv4 address itself)'],
];

/**
 * NEVER_A_SOURCE parsed, per family, on first use: parsing the IPv6 blocks at start-up would
 * compile ipaddr.js's IPv6 expressions in every run, most of which never see an IPv6 address.
 */
const neverRanges = new Map<IpFamily, { range: [ipaddr.IPv4 | ipaddr.IPv6, number]; what: string }[]>();
function neverRangesOf(family: IpFamily) {
  let ranges = neverRanges.get(family);
  if (!ranges) {
    ranges = NEVER_A_SOURCE.filter(([cidr]) => cidr.includes(':') === (family === 'ipv6')).map(
      ([cidr, what]) => ({ range: parseCidr(cidr), what }),
    );
    neverRanges.set(family, ranges);
  }
  return ranges;
}

/**
 * THE rule for a source prefix, for the `source` input and for IP providers' answers alike:
 * why the address or CIDR (already syntax-checked with isIpAddress / isCidr) must not be a JIT
 * source, or undefined when it may. A prefix of length 0 is "any address" and, like any prefix
 * shorter than MIN_PREFIX_LENGTH, needs allow-any-source: those problems, and only those, are
 * worded per front-end (a function), since they name the input that lifts them.
 */
export function sourceProblem(prefix: string, allowAnySource: boolean): Wording | undefined {
  const [address, length] = prefix.includes('/')
    ? parseCidr(prefix)
    : ([parseAddress(prefix), isV6(prefix) ? 128 : 32] as const);
  const family = address.kind();
  if (length === 0) {
    return allowAnySource
      ? undefined
      : (fe) => `allows any address on the internet, which needs ${fe.setting('allow-any-source', 'true')}`;
  }
  if (length < MIN_PREFIX_LENGTH[family] && !allowAnySource) {
    const min = MIN_PREFIX_LENGTH[family];
    return (fe) =>
      `is a /${length} block, wider than /${min} (${family === 'ipv4' ? 'IPv4' : 'IPv6'}): opening it needs ${fe.setting('allow-any-source', 'true')}`;
  }
  for (const { range, what } of neverRangesOf(family)) {
    const [base, bits] = range;
    // Inside the block: the prefix is at least as long as the block's and shares its bits.
    if (length >= bits && address.match(base, bits)) {
      return `is ${what}, never a valid source`;
    }
  }
  return undefined;
}
