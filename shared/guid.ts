/**
 * GUIDs as Azure writes them (subscription, tenant, client and object IDs):
 * 8-4-4-4-12 hex digits, any case, no braces.
 */

/** The pattern without anchors, for building larger patterns (e.g. "a GUID or a domain name"). */
export const GUID_PATTERN = '[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}';

const GUID = new RegExp(`^${GUID_PATTERN}$`, 'i');

export function isGuid(text: string): boolean {
  return GUID.test(text);
}
