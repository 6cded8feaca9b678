/** Routes of the Entra ID side (discovery, keys, token endpoints, AD FS, ARM cloud metadata). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentityContext } from './context';
import {
  instanceDiscovery,
  isDiscoveryTenant,
  jwks,
  metadataEndpoints,
  openIdConfigurationAdfs,
  openIdConfigurationV1,
  openIdConfigurationV2,
} from './discovery';
import { aad, sendAadError } from './errors';
import { correlationId, sendJson } from './http';
import { handleTokenRequest } from './tokenEndpoint';

const V2_CONFIG = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const V1_CONFIG = /^\/([^/]+)\/\.well-known\/openid-configuration$/;
const KEYS = /^\/([^/]+)\/discovery(?:\/v2\.0)?\/keys$/;
const INSTANCE = /^\/([^/]+)\/discovery\/instance$/;
const V2_TOKEN = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const V1_TOKEN = /^\/([^/]+)\/oauth2\/token$/;
const ADFS_TOKEN = /^\/adfs\/oauth2\/token\/?$/;

/**
 * The origin to build URLs on: the one the client used (Host header) when it is one of
 * ours, so a client whose authority is `https://127.0.0.1:<port>` stays on that name;
 * otherwise the authority host.
 */
function originOf(ctx: IdentityContext, req: IncomingMessage, url: URL): string {
  const host = req.headers.host;
  const candidates = [host ? `https://${host}` : '', url.origin];
  return candidates.find((c) => ctx.origins.includes(c)) ?? ctx.origins[0] ?? url.origin;
}

export async function handleEntra(
  ctx: IdentityContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<boolean> {
  const path = url.pathname;
  const origin = originOf(ctx, req, url);
  const get = (document: () => unknown): true => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
    } else {
      sendJson(res, 200, document());
    }
    return true;
  };
  const unknownTenant = (tenant: string): true => {
    sendAadError(res, aad.tenantNotFound(tenant), correlationId(req), origin);
    return true;
  };

  if (path === '/adfs/.well-known/openid-configuration') return get(() => openIdConfigurationAdfs(origin));
  if (path === '/adfs/discovery/keys') return get(() => jwks(ctx));
  if (ADFS_TOKEN.test(path)) {
    await handleTokenRequest(ctx, req, res, body, 'adfs', 'adfs', origin);
    return true;
  }
  if (path === '/metadata/endpoints') {
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      sendJson(res, 400, {
        error: {
          code: 'MissingApiVersionParameter',
          message: 'The api-version query parameter (?api-version=) is required for all requests.',
        },
      });
      return true;
    }
    return get(() => metadataEndpoints(ctx, apiVersion));
  }

  let m = V2_CONFIG.exec(path);
  if (m?.[1]) {
    const tenant = m[1];
    return isDiscoveryTenant(ctx, tenant)
      ? get(() => openIdConfigurationV2(ctx, origin, tenant))
      : unknownTenant(tenant);
  }
  m = V1_CONFIG.exec(path);
  if (m?.[1]) {
    const tenant = m[1];
    return isDiscoveryTenant(ctx, tenant)
      ? get(() => openIdConfigurationV1(ctx, origin, tenant))
      : unknownTenant(tenant);
  }
  m = KEYS.exec(path);
  if (m?.[1]) return isDiscoveryTenant(ctx, m[1]) ? get(() => jwks(ctx)) : unknownTenant(m[1]);
  m = INSTANCE.exec(path);
  if (m?.[1]) return get(() => instanceDiscovery(ctx, origin, url));
  m = V2_TOKEN.exec(path);
  if (m?.[1]) {
    await handleTokenRequest(ctx, req, res, body, 'v2', m[1], origin);
    return true;
  }
  m = V1_TOKEN.exec(path);
  if (m?.[1]) {
    await handleTokenRequest(ctx, req, res, body, 'v1', m[1], origin);
    return true;
  }
  return false;
}
