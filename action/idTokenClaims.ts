/**
 * Describes a GitHub OIDC token by the claims a federated credential is matched on. The token
 * itself is a secret (and masked by core.getIDToken); issuer, subject and audience are not, and
 * they are exactly what a user must copy into the federated credential when sign-in fails.
 */

const SHOWN_CLAIMS = ['iss', 'sub', 'aud', 'job_workflow_ref'] as const;

/** The payload of a JWT, or a reason it has none. */
function claimsOf(token: string): Record<string, unknown> | 'not a JWT' | 'unreadable' {
  const payload = token.split('.')[1];
  if (!payload) return 'not a JWT';
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** When the token expires (`exp`, in ms since the epoch), if it says. */
export function idTokenExpiry(token: string): number | undefined {
  const claims = claimsOf(token);
  return typeof claims === 'object' && typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
}

export function describeIdToken(token: string): string {
  const record = claimsOf(token);
  if (record === 'not a JWT') return 'not a JWT (claims unknown)';
  if (record === 'unreadable') return 'claims unreadable';
  const parts = SHOWN_CLAIMS.flatMap((name) => {
    const value = record[name];
    if (typeof value === 'string') return [`${name} '${value}'`];
    if (Array.isArray(value)) return [`${name} '${value.map(String).join(', ')}'`];
    return [];
  });
  return parts.length > 0 ? parts.join(', ') : 'no iss/sub/aud claims';
}
