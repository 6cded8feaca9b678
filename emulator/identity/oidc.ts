/**
 * The two CI identity-token services whose tokens Entra accepts as federated
 * client assertions:
 *  - GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`;
 *    @actions/core's getIDToken GETs `<url>&audience=<aud>` with the bearer request
 *    token and reads `{ value }`.
 *  - Azure DevOps: `SYSTEM_OIDCREQUESTURI`; AzurePipelinesCredential POSTs
 *    `<uri>?api-version=7.1&serviceConnectionId=<id>` with `Authorization: Bearer
 *    <System.AccessToken>` and reads `{ oidcToken }`.
 * URLs mirror the real services' shapes (distributedtask hubs/plans/jobs paths).
 * Error bodies follow Azure DevOps' `{ $id, innerException, message, typeName, typeKey,
 * errorCode, eventId }` envelope, which GitHub's token service (same lineage) also uses.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentityContext } from './context';
import { adoIssuer, GITHUB_ISSUER, stripSlash, TOKEN_EXCHANGE_AUDIENCE } from './context';
import { bearerToken, sendJson } from './http';
import { signJwt } from './jwt';

const GITHUB_LIFETIME_SECONDS = 300;
const ADO_LIFETIME_SECONDS = 600;

export interface OidcEndpoints {
  github: { requestUrl: string; requestToken: string };
  ado: { oidcRequestUri: string; accessToken: string; serviceConnectionId: string };
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

export function createOidcEndpoints(ctx: IdentityContext): OidcEndpoints {
  const origin = stripSlash(ctx.opts.armUrl);
  const { githubSubject, adoOrganizationId, adoServiceConnections } = ctx.opts.oidc;

  const githubPath = `/_github/${randomUUID()}/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/${randomUUID()}/jobs/${randomUUID()}/idtoken`;
  const github = { requestUrl: `${origin}${githubPath}?api-version=2.0`, requestToken: opaqueToken() };

  const adoSubjectParts = /^sc:\/\/([^/]+)\/([^/]+)\//.exec(adoServiceConnections[0]?.subject ?? '');
  const adoOrg = adoSubjectParts?.[1] ?? 'contoso';
  const adoPath = `/_ado/${adoOrg}/${randomUUID()}/_apis/distributedtask/hubs/build/plans/${randomUUID()}/jobs/${randomUUID()}/oidctoken`;
  const ado = {
    oidcRequestUri: `${origin}${adoPath}`,
    accessToken: opaqueToken(),
    serviceConnectionId: adoServiceConnections[0]?.id ?? '',
  };

  async function issue(claims: Record<string, unknown>, lifetime: number): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const exp = iat + lifetime;
    const token = await signJwt(ctx.key, { jti, ...claims, nbf: iat - 5, exp, iat });
    ctx.issuedOidcTokens.add(jti, exp);
    return token;
  }

  async function serveGithub(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    if (!sameSecret(bearerToken(req), github.requestToken)) return unauthorized(res);
    const repository = /^repo:([^:]+):/.exec(githubSubject)?.[1] ?? 'contoso/webapp';
    const owner = repository.split('/')[0] ?? 'contoso';
    // GitHub's default audience is the URL of the repository owner.
    const audience = url.searchParams.get('audience') || `https://github.com/${owner}`;
    const ref = /:ref:(.+)$/.exec(githubSubject)?.[1] ?? 'refs/heads/main';
    const environment = /:environment:(.+)$/.exec(githubSubject)?.[1];
    const sha = randomBytes(20).toString('hex');
    const value = await issue(
      {
        sub: githubSubject,
        aud: audience,
        ref,
        sha,
        repository,
        repository_owner: owner,
        repository_owner_id: '1000001',
        run_id: '7000000001',
        run_number: '42',
        run_attempt: '1',
        repository_visibility: 'private',
        repository_id: '2000002',
        actor_id: '3000003',
        actor: 'octocat',
        workflow: 'deploy',
        head_ref: '',
        base_ref: '',
        event_name: 'push',
        ref_protected: 'true',
        ref_type: 'branch',
        ...(environment ? { environment } : {}),
        workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
        workflow_sha: sha,
        job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
        job_workflow_sha: sha,
        runner_environment: 'github-hosted',
        iss: GITHUB_ISSUER,
      },
      GITHUB_LIFETIME_SECONDS,
    );
    sendJson(res, 200, { value });
  }

  async function serveAdo(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) {
      return vssError(
        res,
        400,
        'No api-version was supplied for the "POST" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. \'?api-version=1.0\').',
        'VssVersionNotSpecifiedException',
        'Microsoft.VisualStudio.Services.WebApi',
      );
    }
    if (!/^7\.[1-9](-preview(\.\d+)?)?$/.test(apiVersion)) {
      return vssError(
        res,
        400,
        `The requested REST API version of ${apiVersion} is out of range for this server. The latest REST API version this server supports is 7.2.`,
        'VssVersionOutOfRangeException',
        'Microsoft.VisualStudio.Services.WebApi',
      );
    }
    if (!sameSecret(bearerToken(req), ado.accessToken)) return unauthorized(res);
    const connectionId = url.searchParams.get('serviceConnectionId') ?? '';
    const connection = adoServiceConnections.find((c) => c.id.toLowerCase() === connectionId.toLowerCase());
    if (!connection) {
      return vssError(
        res,
        404,
        `Service connection with id '${connectionId}' could not be found, or you do not have permission to use it.`,
        'ServiceEndpointNotFoundException',
        'Microsoft.TeamFoundation.DistributedTask.WebApi',
      );
    }
    const oidcToken = await issue(
      { sub: connection.subject, aud: TOKEN_EXCHANGE_AUDIENCE, iss: adoIssuer(adoOrganizationId) },
      ADO_LIFETIME_SECONDS,
    );
    sendJson(
      res,
      200,
      { oidcToken },
      {
        'x-vss-e2eid': randomUUID(),
        'x-msedge-ref': `Ref A: ${randomBytes(16).toString('hex').toUpperCase()}`,
      },
    );
  }

  return {
    github,
    ado,
    async handle(req, res, url) {
      if (url.pathname === githubPath) {
        await serveGithub(req, res, url);
        return true;
      }
      if (url.pathname === adoPath) {
        await serveAdo(req, res, url);
        return true;
      }
      return false;
    },
  };
}

/** Compares bearer secrets in constant time (they are secrets, even here). */
function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

function vssError(
  res: ServerResponse,
  status: number,
  message: string,
  typeKey: string,
  assembly: string,
): void {
  sendJson(res, status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `${assembly}.${typeKey}, ${assembly}`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
}

function unauthorized(res: ServerResponse): void {
  vssError(
    res,
    401,
    "TF400813: The user '' is not authorized to access this resource.",
    'UnauthorizedRequestException',
    'Microsoft.TeamFoundation.Framework.Server',
  );
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { Allow: allow, 'Content-Type': 'text/plain' }).end('Method Not Allowed');
}
