/**
 * Sign-in from an Azure Resource Manager service connection (`azureSubscription`),
 * mapped onto @azure/identity the way Microsoft's own tasks (azure-arm-rest) read
 * the connection:
 *   ServicePrincipal + spnKey         -> ClientSecretCredential
 *   ServicePrincipal + spnCertificate -> ClientCertificateCredential (PEM with key)
 *   WorkloadIdentityFederation        -> AzurePipelinesCredential (OIDC token from
 *                                        SYSTEM_OIDCREQUESTURI with System.AccessToken)
 *   ManagedServiceIdentity            -> ManagedIdentityCredential (msiclientId if set)
 * The connection's environment decides the cloud; its subscription is the default
 * one. Every secret is masked the moment it is read. The core's signIn fetches the
 * first token; this file gives it the words for a failure (the connection, the
 * method, what to check for that scheme) and the agent's proxy for every call.
 */
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import {
  AuthError,
  InputError,
  endpointHint,
  proxyPipelineOptions,
  TokenEndpointRecorder,
  type AzureSession,
  type CloudEndpoints,
  type Connect,
  type JitError,
  type ProxyPipelineOptions,
  type ProxyRoute,
  type SignInFailure,
} from '../shared';
import { cloudFromConnection, isPublicAuthority } from './adoCloud';
import { credentialPolicies } from './credentialPolicy';
import type { Localize, MessageKey } from './messages';

/** The task input that holds the service connection's id. */
export const CONNECTION_INPUT = 'azureSubscription';

/** One service connection as the agent exposes it to a task. */
export interface ServiceConnection {
  readonly id: string;
  /** Authorization scheme as the agent gives it, e.g. `ServicePrincipal`. */
  readonly scheme: string;
  /** Authorization parameter by name (case-insensitive); '' when absent. May be a secret. */
  param(key: string): string;
  /** Endpoint data by name (case-insensitive); '' when absent. */
  data(key: string): string;
  /** `ENDPOINT_URL_<id>`; '' when absent. */
  readonly url: string;
}

/** What the auth code needs from the agent; `adoPlatform.ts` implements it with task-lib. */
export interface AdoAuthContext {
  /** The service connection id from the `azureSubscription` input; '' when empty. */
  connectionId(): string;
  /** undefined when the agent passed no such connection. */
  connection(id: string): ServiceConnection | undefined;
  /** System.AccessToken (the SystemVssConnection's AccessToken); '' when absent. */
  systemAccessToken(): string;
  /** SYSTEM_OIDCREQUESTURI; '' when absent. AzurePipelinesCredential reads it from process.env itself. */
  oidcRequestUri(): string;
  setSecret(value: string): void;
  info(message: string): void;
  loc: Localize;
}

/**
 * How messages name the connection. The agent hands a task the connection's GUID, never its
 * name; a GUID means nothing to the user reading the log, the connection's subscription does.
 */
export function connectionName(conn: ServiceConnection): string {
  const subscription = conn.data('subscriptionname').trim();
  return subscription
    ? `the service connection for subscription '${subscription}'`
    : 'the service connection';
}

/** The connection's name at the start of a sentence. */
const capitalized = (name: string): string => name.replace(/^t/, 'T');

const SUPPORTED_SCHEMES = ['serviceprincipal', 'workloadidentityfederation', 'managedserviceidentity'];

/**
 * What can be a tenant ID (a GUID or a domain name): the same rule @azure/identity applies, which
 * throws a bare Error otherwise. A well-formed but unknown tenant is Entra ID's AADSTS90002.
 */
const TENANT_ID = /^[0-9a-zA-Z.-]+$/;

/** Longest identity error text kept in a sign-in failure: some embed a whole HTTP response. */
const MAX_REASON_LENGTH = 600;

/** `proxy`: the agent's (task/adoProxy.ts), for the credential and, through the session, every Azure call. */
export function createAdoConnect(ctx: AdoAuthContext, proxy?: ProxyRoute): Connect {
  // The service connection decides the cloud (Azure DevOps shows no cloud inputs): the core's is not asked.
  const connect = (): Promise<AzureSession> => {
    try {
      return Promise.resolve(connectFromServiceConnection(ctx, proxy));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
  // The connection, not the `cloud` input, decides the cloud: post compares it with the state's.
  return Object.assign(connect, { cloudFor: () => connectionCloud(ctx).cloud });
}

/** The service connection and its cloud, read without signing in. */
function connectionCloud(ctx: AdoAuthContext): {
  conn: ServiceConnection;
  scheme: string;
  cloud: CloudEndpoints;
} {
  const id = ctx.connectionId().trim();
  if (!id) throw new AuthError(ctx.loc('NoConnection'));
  const conn = ctx.connection(id);
  if (!conn) throw new AuthError(ctx.loc('ConnectionNotFound'));
  const Named = capitalized(connectionName(conn));

  const scheme = conn.scheme.trim();
  if (!SUPPORTED_SCHEMES.includes(scheme.toLowerCase())) {
    throw new AuthError(
      ctx.loc('UnsupportedScheme', Named, scheme || '(none)'),
      ctx.loc('UnsupportedSchemeHint'),
    );
  }
  if (conn.data('EnableAdfsAuthentication').toLowerCase() === 'true') {
    throw new AuthError(ctx.loc('AdfsNotSupported', Named), ctx.loc('UnsupportedSchemeHint'));
  }

  const environment = conn.data('environment');
  const cloud = cloudFromConnection({
    environment,
    url: conn.url,
    activeDirectoryAuthority: conn.data('activeDirectoryAuthority'),
    resourceId: conn.data('activeDirectoryServiceEndpointResourceId'),
  });
  if (!cloud) {
    throw new AuthError(ctx.loc('UnknownEnvironment', Named, environment), ctx.loc('UnknownEnvironmentHint'));
  }
  return { conn, scheme, cloud };
}

function connectFromServiceConnection(ctx: AdoAuthContext, proxy: ProxyRoute | undefined): AzureSession {
  const { conn, scheme, cloud } = connectionCloud(ctx);
  const subscriptionId = conn.data('subscriptionid').trim() || undefined;
  logConnection(ctx, conn, scheme, cloud, subscriptionId);

  const recorder = new TokenEndpointRecorder();
  const options: CredentialOptions = {
    authorityHost: cloud.authorityHost,
    // MSAL would ask login.microsoftonline.com to validate any other authority.
    disableInstanceDiscovery: !isPublicAuthority(cloud.authorityHost),
    // The recorder keeps the token endpoint's HTTP status, which the identity library drops.
    additionalPolicies: [...credentialPolicies((v) => ctx.setSecret(v)), recorder.additionalPolicy],
    ...(proxy ? proxyPipelineOptions(proxy) : {}),
  };
  const built = credentialFor(ctx, conn, scheme.toLowerCase(), options);
  return {
    credential: built.credential,
    cloud,
    method: built.method,
    ...(subscriptionId ? { subscriptionId } : {}),
    recorder,
    signInError: connectionSignInError(ctx, conn, cloud, built),
    ...(proxy ? { proxy } : {}),
  };
}

function logConnection(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  scheme: string,
  cloud: CloudEndpoints,
  subscriptionId: string | undefined,
): void {
  const Named = capitalized(connectionName(conn));
  ctx.info(
    ctx.loc(
      'ConnectionCloud',
      Named,
      cloud.name,
      cloud.resourceManager,
      cloud.authorityHost,
      subscriptionId ?? '(none)',
      scheme,
    ),
  );
  if (!subscriptionId) ctx.info(ctx.loc('NoSubscription', Named, conn.data('scopeLevel') || 'unknown'));
}

/** A failed first token request in the connection's terms: its method, and what to check for its scheme. */
function connectionSignInError(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  cloud: CloudEndpoints,
  { method, hint, tenantId }: BuiltCredential,
): (failure: SignInFailure, cause: unknown) => JitError {
  return (described, cause) => {
    const reason =
      described.reason.length > MAX_REASON_LENGTH
        ? `${described.reason.slice(0, MAX_REASON_LENGTH)}…`
        : described.reason;
    // AADSTS90002 / 900023: Entra ID knows no such tenant; the connection's data is wrong, not its secret.
    if (tenantId && /AADSTS(90002|900023)\b/.test(reason)) {
      return new InputError(
        CONNECTION_INPUT,
        tenantId,
        ctx.loc('TenantNotFound', connectionName(conn), cloud.authorityHost, reason),
        ctx.loc('TenantHint'),
      );
    }
    return new AuthError(
      ctx.loc('SignInFailed', method, reason),
      // Entra ID down, unreachable or not trusted: the connection's checklist would mislead.
      endpointHint({ ...described, reason }, cloud.authorityHost) ?? ctx.loc(hint),
      cause,
    );
  };
}

/** What every credential of a connection shares (authority, policies, the agent's proxy). */
interface CredentialOptions extends Partial<ProxyPipelineOptions> {
  readonly authorityHost: string;
  readonly disableInstanceDiscovery: boolean;
  readonly additionalPolicies: ReturnType<typeof credentialPolicies>;
}

interface BuiltCredential {
  readonly credential: TokenCredential;
  readonly method: string;
  readonly hint: MessageKey;
  readonly tenantId?: string;
}

function credentialFor(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  scheme: string,
  options: CredentialOptions,
): BuiltCredential {
  if (scheme === 'managedserviceidentity') return managedIdentity(ctx, conn, options);
  const tenantId = required(ctx, conn, 'tenantid', conn.param('tenantid'));
  // @azure/identity throws a bare Error for a malformed tenant, which would read as a bug of ours.
  if (!TENANT_ID.test(tenantId)) {
    throw new InputError(
      CONNECTION_INPUT,
      tenantId,
      ctx.loc('InvalidTenant', connectionName(conn)),
      ctx.loc('TenantHint'),
    );
  }
  const clientId = required(ctx, conn, 'serviceprincipalid', conn.param('serviceprincipalid'));
  if (scheme === 'workloadidentityfederation') {
    return workloadIdentity(ctx, conn, { tenantId, clientId }, options);
  }
  return servicePrincipal(ctx, conn, { tenantId, clientId }, options);
}

function required(ctx: AdoAuthContext, conn: ServiceConnection, key: string, value: string): string {
  if (value.trim()) return value.trim();
  throw new AuthError(
    ctx.loc('MissingConnectionValue', capitalized(connectionName(conn)), conn.scheme, key),
    ctx.loc('MissingConnectionValueHint'),
  );
}

/** Reads a secret parameter and masks it before anything else can log it. */
function secret(ctx: AdoAuthContext, conn: ServiceConnection, key: string): string {
  const value = conn.param(key);
  if (value) ctx.setSecret(value);
  return required(ctx, conn, key, value);
}

function managedIdentity(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  options: CredentialOptions,
): BuiltCredential {
  const clientId = conn.data('msiclientId').trim();
  // Not `options` whole: a managed identity takes no authority; the proxy and policies it does take.
  const { authorityHost: _authority, disableInstanceDiscovery: _discovery, ...transport } = options;
  return {
    credential: new ManagedIdentityCredential({ ...(clientId ? { clientId } : {}), ...transport }),
    method: ctx.loc(
      'MethodManagedIdentity',
      clientId ? ` (client ID ${clientId})` : '',
      connectionName(conn),
    ),
    hint: 'SignInFailedManagedIdentityHint',
  };
}

interface Principal {
  readonly tenantId: string;
  readonly clientId: string;
}

function workloadIdentity(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  { tenantId, clientId }: Principal,
  options: CredentialOptions,
): BuiltCredential {
  const token = ctx.systemAccessToken();
  if (token) ctx.setSecret(token);
  else
    throw new AuthError(
      ctx.loc('MissingAccessToken', capitalized(connectionName(conn))),
      ctx.loc('MissingAccessTokenHint'),
    );
  if (!ctx.oidcRequestUri()) {
    throw new AuthError(
      ctx.loc('MissingOidcRequestUri', capitalized(connectionName(conn))),
      ctx.loc('MissingOidcRequestUriHint'),
    );
  }
  return {
    credential: new AzurePipelinesCredential(tenantId, clientId, conn.id, token, options),
    method: ctx.loc('MethodWorkloadIdentity', clientId, connectionName(conn)),
    hint: 'SignInFailedWorkloadIdentityHint',
    tenantId,
  };
}

/** ServicePrincipal: a secret unless the connection says certificate. */
function servicePrincipal(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  { tenantId, clientId }: Principal,
  options: CredentialOptions,
): BuiltCredential {
  const authType = conn.param('authenticationType').trim() || 'spnKey';
  const kind: MessageKey | undefined =
    authType.toLowerCase() === 'spnkey'
      ? 'MethodSecret'
      : authType.toLowerCase() === 'spncertificate'
        ? 'MethodCertificate'
        : undefined;
  if (!kind)
    throw new AuthError(
      ctx.loc('UnsupportedAuthType', capitalized(connectionName(conn)), authType),
      ctx.loc('UnsupportedSchemeHint'),
    );
  const method = ctx.loc(kind, clientId, connectionName(conn));
  if (kind === 'MethodSecret') {
    const key = secret(ctx, conn, 'serviceprincipalkey');
    return {
      credential: new ClientSecretCredential(tenantId, clientId, key, options),
      method,
      hint: 'SignInFailedSecretHint',
      tenantId,
    };
  }
  const pem = secret(ctx, conn, 'servicePrincipalCertificate');
  return {
    credential: new ClientCertificateCredential(tenantId, clientId, { certificate: pem }, options),
    method,
    hint: 'SignInFailedCertificateHint',
    tenantId,
  };
}
