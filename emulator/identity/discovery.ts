/**
 * Entra ID metadata documents: OpenID discovery (v2 and v1), signing keys,
 * instance discovery, the ADFS variant the Azure CLI uses for custom clouds, and
 * ARM's `/metadata/endpoints` cloud description (Azure Stack / `az cloud register`).
 * MSAL refuses a discovery document without `jwks_uri`.
 */
import type { IdentityContext } from './context';
import { stripSlash } from './context';
import { v1Issuer } from './accessTokens';

const DISCOVERY_TENANTS = new Set(['common', 'organizations', 'consumers']);

export function isDiscoveryTenant(ctx: IdentityContext, tenant: string): boolean {
  return tenant === ctx.opts.tenantId || DISCOVERY_TENANTS.has(tenant);
}

/** `/{tenant}/v2.0/.well-known/openid-configuration` */
export function openIdConfigurationV2(
  ctx: IdentityContext,
  origin: string,
  tenant: string,
): Record<string, unknown> {
  const issuerTenant = tenant === ctx.opts.tenantId ? tenant : '{tenantid}';
  const base = `${origin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${origin}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: claimsSupported,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** `/{tenant}/.well-known/openid-configuration` (v1, what ADAL-era clients and the v1 token endpoint pair with). */
export function openIdConfigurationV1(
  ctx: IdentityContext,
  origin: string,
  tenant: string,
): Record<string, unknown> {
  const base = `${origin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${origin}/common/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: tenant === ctx.opts.tenantId ? v1Issuer(tenant) : 'https://sts.windows.net/{tenantid}/',
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: claimsSupported,
    check_session_iframe: `${base}/oauth2/checksession`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** `/adfs/.well-known/openid-configuration`, an AD FS 2019 document (trailing slashes are AD FS's). */
export function openIdConfigurationAdfs(origin: string): Record<string, unknown> {
  const base = `${origin}/adfs`;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth2/authorize/`,
    token_endpoint: `${base}/oauth2/token/`,
    jwks_uri: `${base}/discovery/keys`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'client_secret_basic',
      'private_key_jwt',
      'windows_client_authentication',
    ],
    response_types_supported: [
      'code',
      'id_token',
      'code id_token',
      'id_token token',
      'code token',
      'code id_token token',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'implicit',
      'password',
      'srv_challenge',
      'urn:ietf:params:oauth:grant-type:device_code',
      'device_code',
    ],
    subject_types_supported: ['pairwise'],
    scopes_supported: [
      'openid',
      'profile',
      'email',
      'allatclaims',
      'aza',
      'logon_cert',
      'user_impersonation',
      'vpn_cert',
      'winhello_cert',
    ],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    access_token_issuer: `${base}/services/trust`,
    claims_supported: [
      'aud',
      'iss',
      'iat',
      'exp',
      'auth_time',
      'nonce',
      'at_hash',
      'c_hash',
      'sub',
      'upn',
      'unique_name',
      'pwd_url',
      'pwd_exp',
      'mfa_auth_time',
      'sid',
      'nbf',
    ],
    microsoft_multi_refresh_token: true,
    userinfo_endpoint: `${base}/userinfo`,
    capabilities: [],
    end_session_endpoint: `${base}/oauth2/logout`,
    as_access_token_token_binding_supported: true,
    as_refresh_token_token_binding_supported: true,
    resource_access_token_token_binding_supported: true,
    op_id_token_token_binding_supported: true,
    rp_id_token_token_binding_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
  };
}

/** The JWKS every `keys` endpoint serves. */
export function jwks(ctx: IdentityContext): Record<string, unknown> {
  return { keys: [ctx.key.jwk] };
}

/** `/common/discovery/instance`: MSAL's instance discovery answer for this host. */
export function instanceDiscovery(ctx: IdentityContext, origin: string, url: URL): Record<string, unknown> {
  const host = new URL(origin).host;
  const aliases = ctx.origins.map((o) => new URL(o).host);
  return {
    tenant_discovery_endpoint: `${origin}/${ctx.opts.tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': url.searchParams.get('api-version') ?? '1.1',
    metadata: [
      {
        preferred_network: host,
        preferred_cache: host,
        aliases: [host, ...aliases.filter((a) => a !== host)],
      },
    ],
  };
}

/**
 * `/metadata/endpoints?api-version=...` on the ARM host. `2015-01-01` is the Azure Stack
 * shape (`az cloud register --endpoint-resource-manager`, azure-arm-rest for AzureStack);
 * later versions return the array of clouds management.azure.com returns.
 *
 * Both advertise the AD FS authority (`<authority>/adfs`), as a disconnected Azure Stack
 * Hub does: clients treat an AAD authority on an unknown host as needing instance
 * discovery at login.microsoftonline.com (unreachable offline), while an AD FS authority
 * is used as given. The AAD-style paths stay available for clients configured directly.
 */
export function metadataEndpoints(ctx: IdentityContext, apiVersion: string): unknown {
  const arm = stripSlash(ctx.opts.armUrl);
  const login = `${stripSlash(ctx.opts.authorityHost)}/adfs`;
  const audiences = [`${arm}/`, arm];
  if (apiVersion === '2015-01-01') {
    return {
      galleryEndpoint: `${arm}/`,
      graphEndpoint: 'https://graph.windows.net/',
      portalEndpoint: `${arm}/`,
      authentication: { loginEndpoint: login, audiences },
    };
  }
  return [
    {
      portal: arm,
      authentication: { loginEndpoint: login, audiences, tenant: 'adfs', identityProvider: 'ADFS' },
      media: 'https://rest.media.azure.net',
      graphAudience: 'https://graph.windows.net/',
      graph: 'https://graph.windows.net/',
      name: 'AzureJitEmulator',
      suffixes: {
        azureDataLakeStoreFileSystem: 'azuredatalakestore.net',
        acrLoginServer: 'azurecr.io',
        sqlServerHostname: 'database.windows.net',
        azureDataLakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.net',
        keyVaultDns: 'vault.azure.net',
        storage: 'core.windows.net',
        azureFrontDoorEndpointSuffix: 'azurefd.net',
        storageSyncEndpointSuffix: 'afs.azure.net',
        mhsmDns: 'managedhsm.azure.net',
        mysqlServerEndpoint: 'mysql.database.azure.com',
        postgresqlServerEndpoint: 'postgres.database.azure.com',
        mariadbServerEndpoint: 'mariadb.database.azure.com',
        synapseAnalytics: 'dev.azuresynapse.net',
        attestationEndpoint: 'attest.azure.net',
      },
      batch: 'https://batch.core.windows.net/',
      resourceManager: `${arm}/`,
      vmImageAliasDoc:
        'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json',
      activeDirectoryDataLake: 'https://datalake.azure.net/',
      sqlManagement: 'https://management.core.windows.net:8443/',
      gallery: `${arm}/`,
      microsoftGraphResourceId: 'https://graph.microsoft.com/',
      appInsightsResourceId: 'https://api.applicationinsights.io',
      appInsightsTelemetryChannelResourceId: 'https://dc.applicationinsights.azure.com/v2/track',
      attestationResourceId: 'https://attest.azure.net',
      synapseAnalyticsResourceId: 'https://dev.azuresynapse.net',
      logAnalyticsResourceId: 'https://api.loganalytics.io',
      ossrDbmsResourceId: 'https://ossrdbms-aad.database.windows.net',
    },
  ];
}

const claimsSupported = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
];
