/**
 * `client_assertion` validation. Two kinds arrive at the token endpoint:
 *  - a certificate assertion MSAL builds (iss = sub = client id, x5t or x5t#S256 header,
 *    RS256 or PS256, aud = the token endpoint), checked against the principal's certificate;
 *  - a federated token (GitHub Actions or Azure DevOps OIDC) this emulator issued, checked
 *    for signature, lifetime, and a federated credential matching issuer, subject and audience.
 * Failures throw AadError with Entra's codes (700027, 700024, 700023, 700021, 70021).
 */
import { compactVerify } from 'jose';
import type { IdentityContext, PrincipalRecord } from './context';
import { TOKEN_EXCHANGE_AUDIENCE } from './context';
import { aad } from './errors';
import { decodeJwt, hasValidRs256Signature, numberClaim, stringClaim } from './jwt';

/** Entra tolerates five minutes of clock skew on assertions. */
const SKEW_SECONDS = 300;

export async function validateClientAssertion(
  ctx: IdentityContext,
  principal: PrincipalRecord,
  assertion: string,
  tokenEndpointAudiences: string[],
): Promise<void> {
  const decoded = decodeJwt(assertion);
  if (!decoded) throw aad.malformedAssertion();
  const { header, payload } = decoded;
  const iss = stringClaim(payload, 'iss');
  if (iss === principal.spec.clientId) {
    await validateCertificateAssertion(principal, assertion, header, payload, tokenEndpointAudiences);
  } else {
    validateFederatedAssertion(ctx, principal, assertion, payload);
  }
}

async function validateCertificateAssertion(
  principal: PrincipalRecord,
  assertion: string,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  audiences: string[],
): Promise<void> {
  const { clientId } = principal.spec;
  const x5tS256 = stringClaim(header, 'x5t#S256');
  const x5t = stringClaim(header, 'x5t');
  const presented = Buffer.from(x5tS256 ?? x5t ?? '', 'base64url')
    .toString('hex')
    .toUpperCase();
  const cert = principal.certificate;
  const registered = x5tS256 ? cert?.thumbprintSha256 : cert?.thumbprintSha1;
  if (!cert || !presented || presented !== registered) throw aad.keyNotFound(presented, clientId);
  try {
    await compactVerify(assertion, cert.publicKey, { algorithms: ['RS256', 'PS256'] });
  } catch {
    throw aad.badSignature(clientId);
  }
  if (stringClaim(payload, 'sub') !== clientId) throw aad.assertionClientMismatch();
  checkLifetime(payload);
  const aud = stringClaim(payload, 'aud') ?? '';
  if (!audiences.includes(aud)) throw aad.assertionAudience();
}

function validateFederatedAssertion(
  ctx: IdentityContext,
  principal: PrincipalRecord,
  assertion: string,
  payload: Record<string, unknown>,
): void {
  const iss = stringClaim(payload, 'iss') ?? '';
  const sub = stringClaim(payload, 'sub') ?? '';
  const audClaim = payload.aud;
  const audiences = Array.isArray(audClaim)
    ? audClaim.filter((a): a is string => typeof a === 'string')
    : typeof audClaim === 'string'
      ? [audClaim]
      : [];
  const credentials = (principal.spec.federatedCredentials ?? []).filter((fc) => fc.issuer === iss);
  // Without a credential for this issuer Entra has no keys to check the signature with.
  if (credentials.length === 0) throw aad.noFederatedMatch(iss, sub, audiences.join(','));
  const jti = stringClaim(payload, 'jti');
  if (!hasValidRs256Signature(assertion, ctx.key.publicKey) || !jti || !ctx.issuedOidcTokens.has(jti)) {
    throw aad.federatedSignature();
  }
  checkLifetime(payload);
  const match = credentials.some(
    (fc) =>
      fc.subject === sub && // case-sensitive, as Entra matches since 2025
      audiences.some((a) => (fc.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).includes(a)),
  );
  if (!match) throw aad.noFederatedMatch(iss, sub, audiences.join(','));
}

function checkLifetime(payload: Record<string, unknown>): void {
  const now = Math.floor(Date.now() / 1000);
  const exp = numberClaim(payload, 'exp');
  const nbf = numberClaim(payload, 'nbf');
  if (exp === undefined || exp + SKEW_SECONDS < now || (nbf !== undefined && nbf - SKEW_SECONDS > now)) {
    throw aad.assertionTime(
      new Date(now * 1000),
      nbf === undefined ? undefined : new Date(nbf * 1000),
      exp === undefined ? undefined : new Date(exp * 1000),
    );
  }
}
