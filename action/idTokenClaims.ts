/**
 * Describes a GitHub OIDC token by the claims a federated credential is matched on. The token
 * itself is a secret (and masked by core.getIDToken); issuer, subject and audience are not, and
 * they are exactly what a user must copy into the federated credential when sign-in fails.
 */

const SHOWN_CLAIMS = ['iss', 'sub', 'aud', 'job_workflow_ref'] as const;

export function describeIdToken(token: string): string {
  const payload = token.split('.')[1];
  if (!payload) return 'not a JWT (claims unknown)';
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'claims unreadable';
  }
  if (typeof claims !== 'object' || claims === null) return 'claims unreadable';
  const record = claims as Record<string, unknown>;
  const parts = SHOWN_CLAIMS.flatMap((name) => {
    const value = record[name];
    if (typeof value === 'string') return [`${name} '${value}'`];
    if (Array.isArray(value)) return [`${name} '${value.map(String).join(', ')}'`];
    return [];
  });
  return parts.length > 0 ? parts.join(', ') : 'no iss/sub/aud claims';
}
