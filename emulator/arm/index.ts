/**
 * The ARM front door, in the order ARM itself applies its checks: authentication
 * (401), routing, api-version (400), subscription (404), RBAC (403), throttling
 * (429), resource group (404), then the resource provider.
 */
import type { AuthenticatedPrincipal, AuthenticationResult } from '../identity/types';
import { checkApiVersion } from './apiVersions';
import { isAuthorized } from './authz';
import type { ArmEnv, ArmRequest, Route } from './context';
import {
  ArmError,
  authorizationFailed,
  fromGateway,
  resourceGroupNotFound,
  subscriptionNotFound,
  throttled,
} from './errors';
import { armHeaders, serialize, type Provider } from './respond';
import { createRouter } from './router';
import { computeRoutes } from './routes/compute';
import { metadataRoutes } from './routes/metadata';
import { networkRoutes } from './routes/network';
import { resourceRoutes } from './routes/resources';
import { securityRoutes } from './routes/security';
import { key, rgKey, SECURITY_READ_BUDGET, type SubscriptionState } from './state';

export interface PreparedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  provider: Provider;
  apiVersion?: string;
  principal?: string;
  write: boolean;
}

export interface ArmInput {
  method: string;
  url: URL;
  body: Buffer;
  authorization: string | undefined;
  correlationId: string | undefined;
}

export interface ArmHandler {
  handle(input: ArmInput): PreparedResponse;
}

const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

export function providerOfPath(path: string): Provider {
  const p = path.toLowerCase();
  if (p.includes('/providers/microsoft.security/')) return 'security';
  if (p.includes('/providers/microsoft.network/')) return 'network';
  if (p.includes('/providers/microsoft.compute/')) return 'compute';
  return 'resources';
}

export function createArmHandler(
  env: ArmEnv,
  authenticate: (authorization: string | undefined) => AuthenticationResult,
  authorityHost: () => string,
): ArmHandler {
  const resourceTypeRoutes = [...securityRoutes, ...networkRoutes, ...computeRoutes, ...resourceRoutes];
  const router = createRouter([...resourceTypeRoutes, ...metadataRoutes(resourceTypeRoutes)]);
  let computeReads = 0;
  // ARM's subscription read budget as Network and Compute GETs report it (reference §8).
  const readsLeft = new Map<string, number>();

  function rateLimit(
    provider: Provider,
    method: string,
    sub: SubscriptionState | undefined,
    path: string,
  ): Record<string, string> {
    if (provider === 'security' && method === 'GET') {
      return {
        'x-ms-ratelimit-remaining-subscription-resource-requests': String(
          sub?.securityReadBudget ?? SECURITY_READ_BUDGET,
        ),
      };
    }
    if (method === 'DELETE') {
      if (sub) sub.deletesLeft = Math.max(0, sub.deletesLeft - 1);
      return { 'x-ms-ratelimit-remaining-subscription-deletes': String(sub?.deletesLeft ?? 14999) };
    }
    if (WRITE_METHODS.has(method)) {
      if (sub) sub.writesLeft = Math.max(0, sub.writesLeft - 1);
      return { 'x-ms-ratelimit-remaining-subscription-writes': String(sub?.writesLeft ?? 1199) };
    }
    const subscriptionReads = (): Record<string, string> => {
      const k = key(sub?.id ?? '');
      const left = Math.max(0, (readsLeft.get(k) ?? 12000) - 1);
      readsLeft.set(k, left);
      return { 'x-ms-ratelimit-remaining-subscription-reads': String(left) };
    };
    if (provider === 'compute') {
      computeReads += 1;
      return {
        ...subscriptionReads(),
        'x-ms-ratelimit-remaining-resource': `Microsoft.Compute/LowCostGet3Min;${Math.max(0, 3999 - computeReads)},Microsoft.Compute/LowCostGet30Min;${Math.max(0, 31999 - computeReads)}`,
      };
    }
    if (provider === 'network') return subscriptionReads();
    if (provider === 'resources') {
      const tenantLevel = /^\/(subscriptions|tenants)\/?$/i.test(path);
      return { [`x-ms-ratelimit-remaining-${tenantLevel ? 'tenant' : 'subscription'}-reads`]: '11999' };
    }
    return {};
  }

  function respond(
    provider: Provider,
    input: ArmInput,
    status: number,
    body: unknown,
    extra: Record<string, string | string[]>,
    rl: Record<string, string>,
    gateway = false,
  ): PreparedResponse {
    // ARM's own answers look like Resources' (compact JSON, request id = correlation id, no
    // RP Server header), marked `x-ms-failure-cause: gateway`; `provider` stays for the log.
    const form: Provider = gateway ? 'resources' : provider;
    const headers = armHeaders({
      provider: form,
      method: input.method,
      now: env.clock.now(),
      rateLimit: rl,
      ...(input.correlationId ? { clientCorrelationId: input.correlationId } : {}),
    });
    Object.assign(headers, extra);
    if (gateway) headers['x-ms-failure-cause'] = 'gateway';
    const text = body === undefined || input.method === 'HEAD' ? '' : serialize(form, body);
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    return { status, headers, body: text, provider, write: WRITE_METHODS.has(input.method) };
  }

  function run(
    input: ArmInput,
    principal: AuthenticatedPrincipal,
    route: Route,
    params: Record<string, string>,
  ): PreparedResponse {
    let apiVersion: string;
    try {
      apiVersion = checkApiVersion(
        input.url.searchParams.get('api-version'),
        route.versions,
        route.resourceType,
      );
    } catch (error) {
      throw error instanceof ArmError ? fromGateway(error) : error;
    }
    const subId = params.subscriptionId;
    const sub = subId ? env.state.subscriptions.get(key(subId)) : undefined;
    if (subId && !sub) throw fromGateway(subscriptionNotFound(subId));
    if (route.authz) {
      const { action, scope } = route.authz(params);
      const spec = env.principalsByObjectId.get(key(principal.objectId));
      if (!isAuthorized(spec?.roleAssignments ?? [], action, scope))
        throw fromGateway(authorizationFailed(principal.objectId, action, scope));
    }
    const rg = params.resourceGroupName;
    const rgMissing =
      subId &&
      rg &&
      !/resourceGroups\/[^/]+\/?$/i.test(route.pattern) &&
      !env.state.resourceGroups.has(rgKey(subId, rg));
    if (route.provider === 'security' && input.method === 'GET' && sub) {
      if (sub.securityReadBudget <= 0) {
        const { retryAfterSeconds, refill } = env.securityThrottle();
        if (refill && !sub.refillPending) {
          // The window resets once Retry-After has passed (virtual clock), as ARM's does.
          sub.refillPending = true;
          env.clock.schedule(env.clock.nowMs() + retryAfterSeconds * 1000, () => {
            sub.refillPending = false;
            sub.securityReadBudget = SECURITY_READ_BUDGET;
          });
        }
        throw throttled(sub.id, principal.objectId, retryAfterSeconds);
      }
      // A request ARM itself refuses spends nothing of the provider's budget.
      if (!rgMissing) sub.securityReadBudget -= 1;
    }
    if (rgMissing) throw fromGateway(resourceGroupNotFound(rg));
    const req: ArmRequest = {
      method: input.method,
      url: input.url,
      path: input.url.pathname,
      body: input.body,
      apiVersion,
      principal,
      env,
    };
    const handled = route.handle(req, params);
    // HEAD (e.g. `az group exists`) answers 204 where GET answers 200.
    const out =
      input.method === 'HEAD' && handled.status === 200
        ? { ...handled, status: 204, body: undefined }
        : handled;
    const prepared = respond(
      route.provider,
      input,
      out.status,
      out.body,
      out.headers ?? {},
      rateLimit(route.provider, input.method, sub, input.url.pathname),
    );
    prepared.apiVersion = apiVersion;
    return prepared;
  }

  return {
    handle(input: ArmInput): PreparedResponse {
      const path = input.url.pathname;
      const provider = providerOfPath(path);
      const apiVersion = input.url.searchParams.get('api-version') ?? undefined;
      const auth = authenticate(input.authorization);
      if (!auth.ok) {
        const out = respond(
          provider,
          input,
          401,
          new ArmError(401, auth.code, auth.message).envelope(),
          {
            'WWW-Authenticate': `Bearer authorization_uri="${authorityHost()}/${env.state.tenantId}", error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"`,
          },
          {},
          true,
        );
        return { ...out, ...(apiVersion ? { apiVersion } : {}) };
      }
      const principal = auth.principal;
      const found = router.match(input.method, path);
      try {
        if (!found) {
          throw fromGateway(
            new ArmError(
              404,
              'InvalidResourceType',
              `The resource type could not be found for path '${path}' and api version '${apiVersion ?? ''}'.`,
            ),
          );
        }
        if ('methodNotAllowed' in found) {
          throw fromGateway(
            new ArmError(
              405,
              'MethodNotAllowed',
              `The requested method '${input.method}' is not allowed for '${path}'.`,
            ),
          );
        }
        return { ...run(input, principal, found.route, found.params), principal: principal.name };
      } catch (error) {
        if (!(error instanceof ArmError)) throw error;
        const sub =
          found && !('methodNotAllowed' in found)
            ? env.state.subscriptions.get(key(found.params.subscriptionId ?? ''))
            : undefined;
        const rl = error.gateway
          ? {}
          : error.status === 429
            ? { 'x-ms-ratelimit-remaining-subscription-resource-requests': '0' }
            : rateLimit(provider, input.method, sub, path);
        const out = respond(
          provider,
          input,
          error.status,
          error.envelope(),
          error.headers,
          rl,
          error.gateway,
        );
        return { ...out, principal: principal.name, ...(apiVersion ? { apiVersion } : {}) };
      }
    },
  };
}
