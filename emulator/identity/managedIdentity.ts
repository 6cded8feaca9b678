/**
 * A managed identity endpoint in App Service's protocol (api-version 2019-08-01),
 * the one MSAL node (behind @azure/identity's ManagedIdentityCredential) selects when
 * IDENTITY_ENDPOINT and IDENTITY_HEADER are set (and IDENTITY_SERVER_THUMBPRINT is
 * not, which would mean Service Fabric). Unlike IMDS (fixed http://169.254.169.254)
 * it takes any URL, so it can be HTTPS on loopback:
 *
 *   GET <IDENTITY_ENDPOINT>?api-version=2019-08-01&resource=<r>[&client_id=|&object_id=|&mi_res_id=]
 *   X-IDENTITY-HEADER: <IDENTITY_HEADER>
 *   -> {"access_token","expires_on":"<epoch s>","resource","token_type":"Bearer","client_id"}
 *
 * Without an id the system-assigned identity answers: the scenario's first ManagedIdentity principal.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isKnownResource, issueAccessToken } from './accessTokens';
import type { IdentityContext, PrincipalRecord } from './context';
import { stripSlash } from './context';
import { sendJson } from './http';

const PATH = '/msi/token';

export interface ManagedIdentityEndpoint {
  env: Record<string, string>;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

export function createManagedIdentityEndpoint(ctx: IdentityContext): ManagedIdentityEndpoint {
  const header = randomBytes(24).toString('hex');
  const env = { IDENTITY_ENDPOINT: `${stripSlash(ctx.opts.armUrl)}${PATH}`, IDENTITY_HEADER: header };

  function fail(res: ServerResponse, status: number, message: string): void {
    sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
  }

  function select(url: URL): PrincipalRecord | undefined {
    const identities = [...ctx.byName.values()].filter((p) => p.spec.type === 'ManagedIdentity');
    const clientId = url.searchParams.get('client_id');
    const objectId = url.searchParams.get('object_id') ?? url.searchParams.get('principal_id');
    const resourceId = url.searchParams.get('mi_res_id');
    if (clientId) return identities.find((p) => p.spec.clientId.toLowerCase() === clientId.toLowerCase());
    if (objectId) return identities.find((p) => p.spec.objectId.toLowerCase() === objectId.toLowerCase());
    if (resourceId) {
      const name = resourceId.split('/').pop()?.toLowerCase();
      return identities.find((p) => p.spec.name.toLowerCase() === name);
    }
    return identities[0];
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    const presented = req.headers['x-identity-header'];
    const given = Buffer.from(typeof presented === 'string' ? presented : '');
    if (given.length !== header.length || !timingSafeEqual(given, Buffer.from(header))) {
      return fail(
        res,
        401,
        'The X-IDENTITY-HEADER request header is missing or does not match IDENTITY_HEADER.',
      );
    }
    if (url.searchParams.get('api-version') !== '2019-08-01') {
      return fail(
        res,
        400,
        `The api-version '${url.searchParams.get('api-version') ?? ''}' is not supported. Use 2019-08-01.`,
      );
    }
    const resource = url.searchParams.get('resource');
    if (!resource) return fail(res, 400, "The request is missing the required 'resource' query parameter.");
    const principal = select(url);
    if (!principal) return fail(res, 400, 'Unable to load the proper Managed Identity.');
    if (!isKnownResource(ctx, resource)) {
      return fail(
        res,
        400,
        `The resource principal named ${resource} was not found in the tenant named ${ctx.opts.tenantId}.`,
      );
    }
    ctx.responsePrincipal.set(res, principal.spec.name);
    const issued = await issueAccessToken(ctx, principal, resource, { appidacr: '2' });
    sendJson(res, 200, {
      access_token: issued.accessToken,
      expires_on: String(issued.expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: principal.spec.clientId,
    });
  }

  return {
    env,
    async handle(req, res, url) {
      if (url.pathname !== PATH) return false;
      await serve(req, res, url);
      return true;
    },
  };
}
