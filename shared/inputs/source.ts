/**
 * The `source` input: `auto`, `azure`, an IP address, a CIDR, or `*`.
 *
 * Explicit prefixes are sent exactly as written (trimmed): JIT compares a
 * request's prefix with the policy's allowed prefixes verbatim. Decisions:
 * - malformed addresses and CIDRs are refused (only four-part dotted IPv4);
 * - a CIDR with host bits set (`10.0.0.1/24`) is refused with the network
 *   address suggested: it can never match a policy prefix and its meaning is
 *   ambiguous (one host or the whole network?);
 * - "any address" in any spelling (`*`, `0.0.0.0/0`, `::/0`) and blocks wider than /8 (IPv4) or
 *   /32 (IPv6) need allow-any-source; loopback, unspecified, multicast, broadcast, link-local and
 *   IPv4-mapped IPv6 are always refused (`sourceProblem`, the rule IP providers' answers obey too);
 * - private addresses ARE allowed: a self-hosted agent inside the VNet reaches
 *   the VM from its private IP.
 */
import type { SourceSpec } from '../config';
import { InputError } from '../errors';
import { hostBitsFixed, isCidr, isIpAddress, sourceProblem } from '../ip/address';

const EXAMPLES = '`auto`, `azure`, an IP address (`203.0.113.10`) or a CIDR (`203.0.113.0/24`)';

/** @param allowAnySource the parsed allow-any-source input (false when it was invalid). */
export function parseSource(input: string, raw: string, allowAnySource: boolean): SourceSpec {
  const v = raw.trim();
  const lower = v.toLowerCase();
  if (lower === 'auto' || v === '') return { kind: 'auto' };
  if (lower === 'azure') return { kind: 'azure' };
  if (v === '*') {
    if (!allowAnySource) {
      throw new InputError(
        input,
        raw,
        (fe) => `allows any address on the internet, which needs ${fe.setting('allow-any-source', 'true')}`,
        (fe) => `set ${fe.setting('allow-any-source', 'true')} if that is really meant, or use ${EXAMPLES}`,
      );
    }
    return { kind: 'explicit', prefix: v };
  }
  if (isIpAddress(v) || isCidr(v)) {
    // The one rule shared with the IP providers' answers (shared/ip/address.ts).
    const problem = sourceProblem(v, allowAnySource);
    if (problem) {
      // A problem that allow-any-source lifts is the only one worded per front-end.
      throw new InputError(
        input,
        raw,
        problem,
        typeof problem === 'function'
          ? (fe) =>
              `set ${fe.setting('allow-any-source', 'true')} if that is really meant, or use ${EXAMPLES}`
          : `use ${EXAMPLES}`,
      );
    }
  }
  if (isIpAddress(v)) return { kind: 'explicit', prefix: v };
  if (v.includes('/')) {
    if (!isCidr(v)) {
      throw new InputError(
        input,
        raw,
        'is not a valid CIDR (address/prefix length, e.g. 203.0.113.0/24 or 2001:db8::/48)',
      );
    }
    const fixed = hostBitsFixed(v);
    if (fixed) {
      throw new InputError(
        input,
        raw,
        `has host bits set, so it matches no JIT policy prefix; did you mean ${fixed}?`,
      );
    }
    return { kind: 'explicit', prefix: v };
  }
  throw new InputError(input, raw, `is not a valid source; use ${EXAMPLES}`);
}
