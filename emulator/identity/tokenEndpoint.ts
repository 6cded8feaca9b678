/**
 * The client-credentials token endpoint in its three dialects:
 *  - v2 `/{tenant}/oauth2/v2.0/token` with `scope=<resource>/.default` (MSAL, @azure/identity);
 *  - v1 `/{tenant}/oauth2/token` with `resource=` (ADAL-era tools; string-typed numbers in the answer);
 *  - AD FS `/adfs/oauth2/token[/]` (Azure CLI custom clouds), `resource=` or `scope=`.
 * Credentials: client_secret (post or HTTP Basic) or client_assertion (certificate or federated).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { adfsIssuer, isKnownResource, issueAccessToken } from './accessTokens';
import { validateClientAssertion } from './assertions';
import type { IdentityContext, PrincipalRecord } from './context';
import { AadError, aad, sendAadError } from './errors';
import { correlationId, parseForm, sendJson } from './http';

export type TokenDialect = 'v2' | 'v1' | 'adfs';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ESTS_SERVER = '2.1.19000.5 - EUS ProdSlices';
const IGNORED_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export async function handleTokenRequest(
  ctx: IdentityContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  dialect: TokenDialect,
  tenant: string,
  origin: string,
): Promise<void> {
  const correlation = correlationId(req);
  try {
    if (req.method !== 'POST') throw aad.postOnly(req.method ?? 'GET');
    if (dialect !== 'adfs' && tenant !== ctx.opts.tenantId) throw aad.tenantNotFound(tenant);
    const form = parseForm(body);
    const basic = basicCredentials(req);
    const grant = form.get('grant_type');
    if (!grant) throw aad.missingParameter('grant_type');
    if (grant !== 'client_credentials') throw aad.unsupportedGrant(grant);
    const clientId = form.get('client_id') ?? basic?.clientId;
    if (!clientId) throw aad.missingParameter('client_id');
    const principal = ctx.byClientId.get(clientId);
    if (!principal) throw aad.unknownClient(clientId, ctx.opts.tenantId);
    ctx.responsePrincipal.set(res, principal.spec.name);
    const resource = requestedResource(ctx, form, dialect);
    const appidacr = await authenticateClient(ctx, principal, form, basic?.secret, origin);
    const issued = await issueAccessToken(ctx, principal, resource, {
      appidacr,
      ...(dialect === 'adfs' ? { issuer: adfsIssuer(origin) } : {}),
    });
    // Entra's success headers: the echoed client request id, a per-request id and the ESTS build.
    const headers = {
      'client-request-id': correlation,
      'x-ms-request-id': randomUUID(),
      'x-ms-ests-server': ESTS_SERVER,
    };
    if (dialect === 'v2') {
      sendJson(
        res,
        200,
        {
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          ext_expires_in: issued.expiresIn,
          access_token: issued.accessToken,
        },
        headers,
      );
    } else if (dialect === 'v1') {
      sendJson(
        res,
        200,
        {
          token_type: 'Bearer',
          expires_in: String(issued.expiresIn),
          ext_expires_in: String(issued.expiresIn),
          expires_on: String(issued.expiresOn),
          not_before: String(issued.notBefore),
          resource,
          access_token: issued.accessToken,
        },
        headers,
      );
    } else {
      sendJson(
        res,
        200,
        { access_token: issued.accessToken, token_type: 'bearer', expires_in: issued.expiresIn, resource },
        headers,
      );
    }
  } catch (error) {
    if (!(error instanceof AadError)) throw error;
    sendAadError(res, error, correlation, origin);
  }
}

/** The resource the token is for, from `scope` (v2, AD FS) or `resource` (v1, AD FS). */
function requestedResource(ctx: IdentityContext, form: URLSearchParams, dialect: TokenDialect): string {
  const resourceParam = form.get('resource');
  let resource: string;
  if (dialect === 'v1' || (dialect === 'adfs' && resourceParam)) {
    if (!resourceParam) throw aad.missingParameter('resource');
    resource = resourceParam;
  } else {
    const scope = form.get('scope');
    if (!scope) throw aad.missingParameter('scope');
    const scopes = scope.split(/\s+/).filter((s) => s && !IGNORED_SCOPES.has(s));
    const defaults = scopes.filter((s) => s.endsWith('/.default'));
    if (defaults.length !== 1 || scopes.length !== 1) throw aad.badScope(scope);
    // `https://management.core.windows.net//.default` -> `https://management.core.windows.net/`
    resource = (defaults[0] ?? '').slice(0, -'/.default'.length);
  }
  if (!isKnownResource(ctx, resource)) throw aad.unknownResource(resource, ctx.opts.tenantId);
  return resource;
}

async function authenticateClient(
  ctx: IdentityContext,
  principal: PrincipalRecord,
  form: URLSearchParams,
  basicSecret: string | undefined,
  origin: string,
): Promise<'1' | '2'> {
  const secret = form.get('client_secret') ?? basicSecret;
  const assertion = form.get('client_assertion');
  if (secret !== undefined) {
    if (!principal.spec.secret || secret !== principal.spec.secret)
      throw aad.invalidSecret(principal.spec.clientId);
    return '1';
  }
  if (assertion) {
    if (form.get('client_assertion_type') !== JWT_BEARER) throw aad.badAssertionType();
    await validateClientAssertion(ctx, principal, assertion, assertionAudiences(ctx, origin));
    return '2';
  }
  throw aad.noCredential();
}

/** Where a certificate assertion may be addressed: any of this tenant's token endpoints on either host name. */
function assertionAudiences(ctx: IdentityContext, origin: string): string[] {
  const tenant = ctx.opts.tenantId;
  const origins = ctx.origins.includes(origin) ? ctx.origins : [...ctx.origins, origin];
  return origins.flatMap((o) => [
    `${o}/${tenant}/oauth2/v2.0/token`,
    `${o}/${tenant}/oauth2/token`,
    `${o}/${tenant}/`,
    `${o}/${tenant}`,
    `${o}/adfs/oauth2/token`,
    `${o}/adfs/oauth2/token/`,
  ]);
}

function basicCredentials(req: IncomingMessage): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}
