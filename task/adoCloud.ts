/**
 * The cloud of an Azure Resource Manager service connection. In Azure DevOps the
 * connection, not the task's `cloud` input, decides where we sign in and which
 * Resource Manager we call: the agent hands the task the connection's URL
 * (`ENDPOINT_URL_<id>`) and its `environment` / `activeDirectoryAuthority` data.
 */
import { KNOWN_CLOUDS, type CloudEndpoints } from '../shared';

/** The core's comparison (post compares the state's cloud with the connection's the same way). */
export { sameCloud } from '../shared';

/**
 * Authority hosts MSAL can run instance discovery against. Any other host (Azure
 * Stack Hub's, a sovereign one MSAL does not know, the local emulator) needs
 * `disableInstanceDiscovery`, or MSAL asks login.microsoftonline.com about it.
 */
const PUBLIC_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

/** What the agent tells the task about the connection's environment. */
export interface ConnectionEnvironment {
  /** `environment` data: AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureStack; '' when absent. */
  readonly environment: string;
  /** `ENDPOINT_URL_<id>`: the Resource Manager URL, usually with a trailing slash; '' when absent. */
  readonly url: string;
  /** `activeDirectoryAuthority` data (MSAL authority host), '' when absent. */
  readonly activeDirectoryAuthority: string;
  /** `activeDirectoryServiceEndpointResourceId` data; the token audience Azure Stack Hub expects. */
  readonly resourceId: string;
}

const trimSlash = (url: string): string => url.trim().replace(/\/+$/, '');

/**
 * Resolves the connection's cloud. Returns undefined when neither the data nor the
 * known-clouds table gives both URLs (a custom environment without metadata).
 */
export function cloudFromConnection(env: ConnectionEnvironment): CloudEndpoints | undefined {
  const name = env.environment.trim() || 'AzureCloud';
  // Case-insensitive: connections made by scripts do not always spell it like the UI.
  const known = Object.values(KNOWN_CLOUDS).find((c) => c.name.toLowerCase() === name.toLowerCase());
  const resourceManager = trimSlash(env.url) || known?.resourceManager;
  const authorityHost = trimSlash(env.activeDirectoryAuthority) || known?.authorityHost;
  if (!resourceManager || !authorityHost) return undefined;
  // Azure Stack Hub issues tokens for its own audience; everywhere else the
  // Resource Manager URL is the audience (as azure-arm-rest does).
  const isStack = name.toLowerCase() === 'azurestack';
  const audience = isStack && env.resourceId.trim() ? trimSlash(env.resourceId) : resourceManager;
  return { name, resourceManager, authorityHost, scope: `${audience}/.default` };
}

/** True when MSAL may run instance discovery for this authority host. */
export function isPublicAuthority(authorityHost: string): boolean {
  try {
    return PUBLIC_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}
