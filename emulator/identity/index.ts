/**
 * The emulator's identity side: Entra ID (discovery, token endpoints, AD FS, cloud
 * metadata), the GitHub Actions and Azure DevOps OIDC token services, an App Service
 * style managed identity endpoint, and `authenticate` for ARM requests.
 * The server (emulator/server) mounts `handle` before its ARM routes.
 */
import type { IdentityContext, PrincipalRecord } from './context';
import { stripSlash } from './context';
import { authenticate, issueAccessToken } from './accessTokens';
import { handleEntra } from './entraRoutes';
import { IssuedTokens } from './issuedTokens';
import { certificateCredential, signingKey } from './keys';
import { createManagedIdentityEndpoint } from './managedIdentity';
import { createOidcEndpoints } from './oidc';
import type { IdentityOptions, IdentityService, PrincipalCredentials } from './types';

export type * from './types';

export async function createIdentityService(opts: IdentityOptions): Promise<IdentityService> {
  validateOptions(opts);
  const [key, records] = await Promise.all([
    signingKey(),
    Promise.all(
      opts.principals.map(async (spec): Promise<PrincipalRecord> =>
        spec.certificate
          ? { spec, certificate: await certificateCredential(spec.clientId, spec.name) }
          : { spec },
      ),
    ),
  ]);
  const authorityOrigin = new URL(opts.authorityHost).origin;
  const armOrigin = new URL(opts.armUrl).origin;
  const ctx: IdentityContext = {
    opts: { ...opts, authorityHost: stripSlash(opts.authorityHost), armUrl: stripSlash(opts.armUrl) },
    key,
    byName: new Map(records.map((r) => [r.spec.name, r])),
    byClientId: new Map(records.map((r) => [r.spec.clientId, r])),
    byObjectId: new Map(records.map((r) => [r.spec.objectId, r])),
    issuedAccessTokens: new IssuedTokens(),
    issuedOidcTokens: new IssuedTokens(),
    origins: authorityOrigin === armOrigin ? [authorityOrigin] : [authorityOrigin, armOrigin],
    responsePrincipal: new WeakMap(),
  };
  const oidc = createOidcEndpoints(ctx);
  const managedIdentity = createManagedIdentityEndpoint(ctx);

  const principals: Record<string, PrincipalCredentials> = {};
  for (const { spec, certificate } of records) {
    principals[spec.name] = {
      clientId: spec.clientId,
      objectId: spec.objectId,
      ...(spec.secret !== undefined ? { secret: spec.secret } : {}),
      ...(certificate ? { certificatePem: certificate.pem } : {}),
    };
  }

  return {
    async handle(req, res, url, body) {
      return (
        (await oidc.handle(req, res, url)) ||
        (await managedIdentity.handle(req, res, url)) ||
        (await handleEntra(ctx, req, res, url, body))
      );
    },
    authenticate: (authorization) => authenticate(ctx, authorization),
    principals,
    github: oidc.github,
    ado: oidc.ado,
    managedIdentity: { env: managedIdentity.env },
    async issueAccessToken(principalName, options = {}) {
      const principal = ctx.byName.get(principalName);
      if (!principal) {
        throw new Error(
          `issueAccessToken: unknown principal '${principalName}'; known: ${[...ctx.byName.keys()].join(', ')}.`,
        );
      }
      const issued = await issueAccessToken(ctx, principal, options.audience ?? `${ctx.opts.armUrl}/`, {
        appidacr: principal.spec.secret ? '1' : '2',
        ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
        ...(options.issuedAt ? { issuedAt: options.issuedAt } : {}),
      });
      return issued.accessToken;
    },
    principalOf: (res) => ctx.responsePrincipal.get(res),
  };
}

/** Scenario mistakes surface at start, naming the principal and the field, not as odd 401s later. */
function validateOptions(opts: IdentityOptions): void {
  const seen = { name: new Set<string>(), clientId: new Set<string>(), objectId: new Set<string>() };
  for (const p of opts.principals) {
    for (const field of ['name', 'clientId', 'objectId'] as const) {
      if (!p[field])
        throw new Error(`Scenario principal ${JSON.stringify(p.name ?? '?')}: '${field}' is required.`);
      if (seen[field].has(p[field])) {
        throw new Error(
          `Scenario principal '${p.name}': ${field} '${p[field]}' is used by another principal; it must be unique.`,
        );
      }
      seen[field].add(p[field]);
    }
    for (const fc of p.federatedCredentials ?? []) {
      if (!fc.issuer || !fc.subject) {
        throw new Error(
          `Scenario principal '${p.name}': every federated credential needs 'issuer' and 'subject'.`,
        );
      }
    }
  }
  for (const [field, value] of [
    ['authorityHost', opts.authorityHost],
    ['armUrl', opts.armUrl],
  ] as const) {
    if (!/^https:\/\//.test(value))
      throw new Error(`Identity service: ${field} must be an https URL, got '${value}'.`);
  }
}
