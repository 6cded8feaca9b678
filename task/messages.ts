/**
 * The task's own localizable strings (the core's messages are English and come
 * through the Platform). task.json `messages` holds the same table: the agent's
 * localization reads it through `tl.loc`, and tests/unit/task keeps both equal.
 * The English here is also the fallback when no resource file is loaded (unit
 * tests run the sources, where task.json is not next to the bundle).
 */
import { format } from 'node:util';

export const MESSAGES = {
  NoConnection:
    "Input 'azureSubscription' is empty: select an Azure Resource Manager service connection (YAML: `azureSubscription: <connection name>`).",
  ConnectionNotFound:
    "The agent passed no details for the service connection selected in input 'azureSubscription': check the connection name and that this pipeline is authorized to use it.",
  UnsupportedScheme:
    "%s uses the authentication scheme '%s', which this task does not support. Supported schemes: ServicePrincipal (secret or certificate), WorkloadIdentityFederation, ManagedServiceIdentity.",
  UnsupportedSchemeHint:
    'Create an Azure Resource Manager service connection with workload identity federation (recommended), a service principal, or a managed identity, and select it in azureSubscription.',
  UnsupportedAuthType:
    "%s (ServicePrincipal) has authenticationType '%s'; expected 'spnKey' (client secret) or 'spnCertificate' (certificate).",
  MissingConnectionValue: "%s (%s) has no '%s' value.",
  MissingConnectionValueHint:
    'Edit the service connection in Project settings > Service connections and fill in the missing value, or recreate it.',
  InvalidTenant:
    "is the tenant ID of %s, and it cannot be one: a tenant ID is a GUID, or a domain name such as contoso.onmicrosoft.com (letters, digits, '-' and '.')",
  TenantNotFound: 'is the tenant ID of %s, and Entra ID at %s does not know it: %s',
  TenantHint:
    "Edit the service connection in Project settings > Service connections: set the Directory (tenant) ID shown on the app registration's overview page, and check that the connection's environment is the cloud of that tenant.",
  AdfsNotSupported:
    '%s uses AD FS authentication (Azure Stack Hub disconnected), which this task does not support.',
  MissingOidcRequestUri:
    '%s uses workload identity federation, but the agent did not set SYSTEM_OIDCREQUESTURI.',
  MissingOidcRequestUriHint:
    'Workload identity federation needs Azure DevOps Services or Server 2022.1+ and an agent that provides the OIDC request URL; update the agent, or use a service principal connection.',
  MissingAccessToken:
    "%s uses workload identity federation, which needs the job's System.AccessToken, but the task did not receive it.",
  MissingAccessTokenHint:
    "The agent hands every task the job's access token (the SystemVssConnection endpoint); update the agent, or use a service principal connection.",
  UnknownEnvironment: "%s has environment '%s' but no Resource Manager URL or authority.",
  UnknownEnvironmentHint:
    'For Azure Stack Hub and other custom environments the connection must carry the Resource Manager URL and the activeDirectoryAuthority; recreate it with the environment metadata.',
  ConnectionCloud: '%s: environment %s, Resource Manager %s, authority %s, subscription %s, scheme %s.',
  NoSubscription: '%s is not scoped to a subscription (scope level %s): give every VM as a full resource ID.',
  MethodSecret: 'service principal %s with a client secret (%s)',
  MethodCertificate: 'service principal %s with a certificate (%s)',
  MethodWorkloadIdentity: 'workload identity federation as %s (%s)',
  MethodManagedIdentity: "the agent's managed identity%s (%s)",
  SignInFailed: 'Sign-in with %s failed: %s',
  SignInFailedSecretHint:
    "Check the service connection's client secret: it may have expired or been rotated. Create a new secret for the app registration and update the connection.",
  SignInFailedCertificateHint:
    "Check the service connection's certificate: it must be the PEM with the private key, not expired, and uploaded to the app registration's certificates.",
  SignInFailedWorkloadIdentityHint:
    "Check the app registration's federated credential: issuer https://vstoken.dev.azure.com/<organization id>, subject sc://<organization>/<project>/<connection name>, audience api://AzureADTokenExchange; and that this pipeline is allowed to use the service connection.",
  SignInFailedManagedIdentityHint:
    'The agent must run on an Azure VM or scale set with this managed identity assigned (and, for a user-assigned identity, the client ID set in the connection).',
  ProxyInUse: "Azure calls go through the agent's proxy %s (bypass: %s).",
  ProxyBypassSkipped:
    "The agent's proxy bypass entry '%s' is a regular expression that cannot be turned into a host name; hosts it matches will go through the proxy.",
  ProxyInvalid: "The agent's proxy URL '%s' is not a valid URL; Azure calls will not use a proxy.",
  SummaryUploadFailed: 'Could not write the task summary (%s); the log above has the same information.',
} as const;

export type MessageKey = keyof typeof MESSAGES;

/** Formats a message; `localize` is tl.loc once the resource file is set. */
export type Localize = (key: MessageKey, ...args: readonly (string | number)[]) => string;

export const englishMessages: Localize = (key, ...args) => format(MESSAGES[key], ...args);
