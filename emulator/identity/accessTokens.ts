/**
 * Access tokens: what the token endpoints issue and what ARM accepts.
 *
 * Tokens look like the v1 app-only tokens Entra issues for ARM (ARM's resource
 * accepts v1 tokens only): iss `https://sts.windows.net/<tid>/`, aud = the resource
 * exactly as requested (so `https://management.azure.com` and `.../` both occur),
 * appid, appidacr, idtyp `app`, oid = sub, tid, uti, ver 1.0.
 *
 * Lifetimes use REAL time, not the emulator's virtual clock: MSAL caches tokens by
 * real time, so a virtual-clock jump must not turn every cached token into a 401.
 */
import { randomBytes } from 'node:crypto';
import type { IdentityContext, PrincipalRecord } from './context';
import { stripSlash } from './context';
import { decodeJwt, hasValidRs256Signature, numberClaim, signJwt, stringClaim } from './jwt';
import type { AuthenticationResult } from './types';

export const DEFAULT_LIFETIME_SECONDS = 3599;

export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export function adfsIssuer(origin: string): string {
  return `${origin}/adfs/services/trust`;
}

/** Audiences ARM accepts, in the order its 401 message lists them, plus the emulator's own ARM URL. */
export function armAudiences(armUrl: string): string[] {
  const own = stripSlash(armUrl);
  return [
    'https://management.core.windows.net/',
    'https://management.core.windows.net',
    'https://management.azure.com/',
    'https://management.azure.com',
    `${own}/`,
    own,
  ];
}

const OTHER_KNOWN_RESOURCES = ['https://graph.microsoft.com', 'https://graph.windows.net'];

/** Resources the tenant has a service principal for (others get AADSTS500011). */
export function isKnownResource(ctx: IdentityContext, resource: string): boolean {
  const bare = stripSlash(resource);
  return (
    armAudiences(ctx.opts.armUrl).some((aud) => stripSlash(aud) === bare) ||
    OTHER_KNOWN_RESOURCES.includes(bare) ||
    ctx.origins.includes(bare)
  );
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  /** Epoch seconds. */
  expiresOn: number;
  notBefore: number;
}

export interface IssueOptions {
  /** Defaults to the v1 Entra issuer of the tenant. */
  issuer?: string;
  /** '1' client secret, '2' certificate or assertion, '0' public/managed identity. */
  appidacr: '0' | '1' | '2';
  lifetimeSeconds?: number;
  issuedAt?: Date;
}

export async function issueAccessToken(
  ctx: IdentityContext,
  principal: PrincipalRecord,
  resource: string,
  options: IssueOptions,
): Promise<IssuedToken> {
  const tid = ctx.opts.tenantId;
  const iat = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  const lifetime = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  const exp = iat + lifetime;
  const nbf = iat;
  const uti = randomBytes(16).toString('base64url').slice(0, 22);
  const issuer = options.issuer ?? v1Issuer(tid);
  const { spec } = principal;
  const accessToken = await signJwt(ctx.key, {
    aud: resource,
    iss: issuer,
    iat,
    nbf,
    exp,
    aio: randomBytes(24).toString('base64'),
    appid: spec.clientId,
    appidacr: options.appidacr,
    idp: v1Issuer(tid),
    idtyp: 'app',
    oid: spec.objectId,
    rh: `0.${randomBytes(24).toString('base64url')}.`,
    sub: spec.objectId,
    tid,
    uti,
    ver: '1.0',
    xms_tcdt: 1600000000,
    ...(spec.type === 'ManagedIdentity' ? { xms_mirid: `/emulator/managedIdentities/${spec.name}` } : {}),
  });
  ctx.issuedAccessTokens.add(uti, exp);
  return { accessToken, expiresIn: exp - Math.floor(Date.now() / 1000), expiresOn: exp, notBefore: nbf };
}

type Failure = Extract<AuthenticationResult, { ok: false }>;

function failure(ctx: IdentityContext, code: string, message: string, error = 'invalid_token'): Failure {
  // ARM's challenge points clients at the authority; description mirrors the message.
  const authorizationUri = `${stripSlash(ctx.opts.authorityHost)}/`;
  return {
    ok: false,
    status: 401,
    code,
    message,
    wwwAuthenticate: `Bearer authorization_uri="${authorizationUri}", error="${error}", error_description="${message.replace(/"/g, "'")}"`,
  };
}

/** ARM's own rendering of UTC times in 401 messages: `11/22/2026 1:02:03 AM`. */
export function armUtc(date: Date): string {
  const h = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Validates an ARM request's bearer token the way ARM does, with ARM's codes and messages. */
export function authenticate(ctx: IdentityContext, authorization: string | undefined): AuthenticationResult {
  if (authorization === undefined || authorization.trim() === '') {
    return failure(
      ctx,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const token = match?.[1];
  if (!token) {
    return failure(
      ctx,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    );
  }
  const decoded = decodeJwt(token);
  if (!decoded || !hasValidRs256Signature(token, ctx.key.publicKey)) {
    return failure(ctx, 'InvalidAuthenticationToken', 'The access token is invalid.');
  }
  const { payload } = decoded;
  const uti = stringClaim(payload, 'uti');
  if (!uti || !ctx.issuedAccessTokens.has(uti)) {
    // Signed with the process-wide key by another emulator instance: not ours.
    return failure(ctx, 'InvalidAuthenticationToken', 'The access token is invalid.');
  }
  const now = Date.now();
  const exp = numberClaim(payload, 'exp');
  const nbf = numberClaim(payload, 'nbf');
  if (exp === undefined || exp * 1000 <= now) {
    const expiry = new Date((exp ?? 0) * 1000);
    return failure(
      ctx,
      'ExpiredAuthenticationToken',
      `The access token expiry UTC time '${armUtc(expiry)}' is earlier than current UTC time '${armUtc(new Date(now))}'.`,
    );
  }
  if (nbf !== undefined && nbf * 1000 > now + 5 * 60 * 1000) {
    // ARM tolerates five minutes of clock skew.
    return failure(
      ctx,
      'InvalidAuthenticationToken',
      `The access token validity start UTC time '${armUtc(new Date(nbf * 1000))}' is later than current UTC time '${armUtc(new Date(now))}'.`,
    );
  }
  const aud = stringClaim(payload, 'aud') ?? '';
  const allowed = armAudiences(ctx.opts.armUrl);
  if (!allowed.includes(aud)) {
    return failure(
      ctx,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(',')}.`,
    );
  }
  const iss = stringClaim(payload, 'iss') ?? '';
  const tid = stringClaim(payload, 'tid');
  const expectedIssuer = v1Issuer(ctx.opts.tenantId);
  const adfs = ctx.origins.map(adfsIssuer);
  if ((iss !== expectedIssuer && !adfs.includes(iss)) || tid !== ctx.opts.tenantId) {
    return failure(
      ctx,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${iss}'. It must match the tenant '${expectedIssuer}' associated with this subscription. Please use the authority (URL) '${stripSlash(ctx.opts.authorityHost)}/${ctx.opts.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    );
  }
  const principal = ctx.byObjectId.get(stringClaim(payload, 'oid') ?? '');
  if (!principal) {
    return failure(
      ctx,
      'InvalidAuthenticationToken',
      "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.",
    );
  }
  const { name, clientId, objectId } = principal.spec;
  return { ok: true, principal: { name, clientId, objectId } };
}
