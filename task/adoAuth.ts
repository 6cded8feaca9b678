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
 * one. Every secret is masked the moment it is read.
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
  TokenEndpointRecorder,
  type AzureSession,
  type CloudEndpoints,
  type Connect,
} from '../shared';
import { cloudFromConnection, isPublicAuthority } from './adoCloud';
import { ServiceConnectionCredential } from './connectionCredential';
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

export function createAdoConnect(ctx: AdoAuthContext): Connect {
  // The service connection decides the cloud (Azure DevOps shows no cloud inputs): the core's is not asked.
  const connect = (): Promise<AzureSession> => {
    try {
      return Promise.resolve(connectFromServiceConnection(ctx));
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

function connectFromServiceConnection(ctx: AdoAuthContext): AzureSession {
  const { conn, scheme, cloud } = connectionCloud(ctx);
  const Named = capitalized(connectionName(conn));

  const subscriptionId = conn.data('subscriptionid').trim() || undefined;
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

  const recorder = new TokenEndpointRecorder();
  const { credential, method, hint, tenantId } = credentialFor(
    ctx,
    conn,
    scheme.toLowerCase(),
    cloud,
    recorder,
  );
  const wrapped = new ServiceConnectionCredential(
    credential,
    (failure, cause) =>
      // AADSTS90002 / 900023: Entra ID knows no such tenant; the connection's data is wrong, not its secret.
      tenantId && /AADSTS(90002|900023)\b/.test(failure.reason)
        ? new InputError(
            CONNECTION_INPUT,
            tenantId,
            ctx.loc('TenantNotFound', connectionName(conn), cloud.authorityHost, failure.reason),
            ctx.loc('TenantHint'),
          )
        : new AuthError(
            ctx.loc('SignInFailed', method, failure.reason),
            // Entra ID down, unreachable or not trusted: the connection's checklist would mislead.
            endpointHint(failure, cloud.authorityHost) ?? ctx.loc(hint),
            cause,
          ),
    recorder,
  );
  return { credential: wrapped, cloud, method, ...(subscriptionId ? { subscriptionId } : {}) };
}

function credentialFor(
  ctx: AdoAuthContext,
  conn: ServiceConnection,
  scheme: string,
  cloud: CloudEndpoints,
  recorder: TokenEndpointRecorder,
): { credential: TokenCredential; method: string; hint: MessageKey; tenantId?: string } {
  const options = {
    authorityHost: cloud.authorityHost,
    // MSAL would ask login.microsoftonline.com to validate any other authority.
    disableInstanceDiscovery: !isPublicAuthority(cloud.authorityHost),
    // The recorder keeps the token endpoint's HTTP status, which the identity library drops.
    additionalPolicies: [...credentialPolicies((v) => ctx.setSecret(v)), recorder.additionalPolicy],
  };
  const required = (key: string, value: string): string => {
    if (value.trim()) return value.trim();
    throw new AuthError(
      ctx.loc('MissingConnectionValue', capitalized(connectionName(conn)), conn.scheme, key),
      ctx.loc('MissingConnectionValueHint'),
    );
  };
  /** Reads a secret parameter and masks it before anything else can log it. */
  const secret = (key: string): string => {
    const value = conn.param(key);
    if (value) ctx.setSecret(value);
    return required(key, value);
  };

  if (scheme === 'managedserviceidentity') {
    const clientId = conn.data('msiclientId').trim();
    return {
      credential: new ManagedIdentityCredential({
        ...(clientId ? { clientId } : {}),
        additionalPolicies: options.additionalPolicies,
      }),
      method: ctx.loc(
        'MethodManagedIdentity',
        clientId ? ` (client ID ${clientId})` : '',
        connectionName(conn),
      ),
      hint: 'SignInFailedManagedIdentityHint',
    };
  }

  const tenantId = required('tenantid', conn.param('tenantid'));
  // @azure/identity throws a bare Error for a malformed tenant, which would read as a bug of ours.
  if (!TENANT_ID.test(tenantId)) {
    throw new InputError(
      CONNECTION_INPUT,
      tenantId,
      ctx.loc('InvalidTenant', connectionName(conn)),
      ctx.loc('TenantHint'),
    );
  }
  const clientId = required('serviceprincipalid', conn.param('serviceprincipalid'));

  if (scheme === 'workloadidentityfederation') {
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

  // ServicePrincipal: a secret unless the connection says certificate.
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
  if (kind === 'MethodSecret') {
    const key = secret('serviceprincipalkey');
    return {
      credential: new ClientSecretCredential(tenantId, clientId, key, options),
      method: ctx.loc(kind, clientId, connectionName(conn)),
      hint: 'SignInFailedSecretHint',
      tenantId,
    };
  }
  const pem = secret('servicePrincipalCertificate');
  return {
    credential: new ClientCertificateCredential(tenantId, clientId, { certificate: pem }, options),
    method: ctx.loc(kind, clientId, connectionName(conn)),
    hint: 'SignInFailedCertificateHint',
    tenantId,
  };
}
