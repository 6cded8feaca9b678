/**
 * Types shared by the emulator's Entra ID, OIDC and managed-identity endpoints and
 * by the server that mounts them (EMU-ARM). Scenario principals are carried as-is;
 * roleAssignments are enforced by the ARM side, the identity side only issues tokens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FederatedCredentialSpec {
  issuer: string;
  subject: string;
  /** Defaults to `['api://AzureADTokenExchange']`, as in the Azure portal. */
  audiences?: string[];
}

export interface RoleAssignmentSpec {
  scope: string;
  actions: string[];
  notActions?: string[];
}

export interface PrincipalSpec {
  name: string;
  type: 'ServicePrincipal' | 'ManagedIdentity';
  clientId: string;
  objectId: string;
  secret?: string;
  /** When true the emulator generates a certificate (RSA, like Entra requires) for this principal. */
  certificate?: boolean;
  federatedCredentials?: FederatedCredentialSpec[];
  roleAssignments: RoleAssignmentSpec[];
}

export interface IdentityOptions {
  principals: PrincipalSpec[];
  tenantId: string;
  /** e.g. `https://localhost:<port>`; issuer and endpoints in discovery documents are built on it. */
  authorityHost: string;
  /** e.g. `https://127.0.0.1:<port>`; a token for `<armUrl>/.default` is an ARM token. */
  armUrl: string;
  oidc: {
    adoOrganizationId: string;
    adoServiceConnections: { id: string; subject: string }[];
    githubSubject: string;
  };
}

/** The identity a valid ARM bearer token stands for. */
export interface AuthenticatedPrincipal {
  name: string;
  clientId: string;
  objectId: string;
}

export type AuthenticationResult =
  | { ok: true; principal: AuthenticatedPrincipal }
  | {
      ok: false;
      status: 401;
      code: string;
      message: string;
      /** The `WWW-Authenticate` header ARM sends with this 401. */
      wwwAuthenticate?: string;
    };

export interface PrincipalCredentials {
  clientId: string;
  objectId: string;
  secret?: string;
  /** Certificate and its private key in one PEM, the form ClientCertificateCredential takes. */
  certificatePem?: string;
}

export interface IdentityService {
  /** Serves Entra ID, OIDC and managed-identity paths; resolves false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean>;
  /** Checks an ARM request's `Authorization` header the way ARM does (signature, expiry, audience, issuer). */
  authenticate(authorization: string | undefined): AuthenticationResult;
  principals: Record<string, PrincipalCredentials>;
  /** ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  github: { requestUrl: string; requestToken: string };
  /** SYSTEM_OIDCREQUESTURI, System.AccessToken and the default service connection id. */
  ado: { oidcRequestUri: string; accessToken: string; serviceConnectionId: string };
  /** Environment variables that point @azure/identity's ManagedIdentityCredential at the emulator. */
  managedIdentity: { env: Record<string, string> };
  /**
   * Extra for tests and the server: mints an ARM access token for a principal without an
   * OAuth round trip (e.g. an already-expired one). Defaults: audience `<armUrl>/`, 3599 s.
   */
  issueAccessToken(principalName: string, options?: IssueAccessTokenOptions): Promise<string>;
  /** Extra for the request log: the principal (name) a served identity request authenticated as. */
  principalOf(res: ServerResponse): string | undefined;
}

export interface IssueAccessTokenOptions {
  audience?: string;
  lifetimeSeconds?: number;
  /** Defaults to now (real time, see accessTokens.ts). */
  issuedAt?: Date;
}
