/**
 * The source prefixes a JIT policy port (or a request's port in the policy's
 * history) names. Azure writes one in `allowedSourceAddressPrefix` or several
 * in `allowedSourceAddressPrefixes`; every reader takes them from here.
 */
import { isAnySource } from '../ip/address';

export interface SourceFields {
  readonly allowedSourceAddressPrefix?: string;
  readonly allowedSourceAddressPrefixes?: readonly string[];
}

/** The prefixes listed, from whichever field holds them (both, should Azure ever fill both). */
export function listedSources(rule: SourceFields): string[] {
  return [rule.allowedSourceAddressPrefix, ...(rule.allowedSourceAddressPrefixes ?? [])].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

/** What a policy port lets a request name: its listed prefixes, or `*` when it lists none. */
export function allowedPrefixes(rule: SourceFields): string[] {
  const listed = listedSources(rule);
  return listed.length > 0 ? listed : ['*'];
}

/** Whether a policy port lets a request open it to any address (JIT in name only). */
export function allowsAnySource(rule: SourceFields): boolean {
  return allowedPrefixes(rule).some(isAnySource);
}
