/**
 * Who signed in, read from the ARM access token's claims (never verified here: Resource Manager
 * does that; we only report). v1 tokens carry the client in `appid`, v2 tokens in `azp`; `oid` is
 * the principal's object ID and `tid` its tenant. Only GUIDs are passed on: the values become step
 * outputs that later steps may use in commands.
 */
import { isGuid } from '../guid';

export interface SignedInIdentity {
  readonly clientId?: string;
  readonly principalId?: string;
  readonly tenantId?: string;
}

export function identityOfToken(token: string): SignedInIdentity {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    claims = parsed as Record<string, unknown>;
  } catch {
    return {};
  }
  const guid = (...names: string[]): string | undefined => {
    for (const name of names) {
      const v = claims[name];
      if (typeof v === 'string' && isGuid(v)) return v.toLowerCase();
    }
    return undefined;
  };
  const clientId = guid('appid', 'azp');
  const principalId = guid('oid');
  const tenantId = guid('tid');
  return {
    ...(clientId ? { clientId } : {}),
    ...(principalId ? { principalId } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}
