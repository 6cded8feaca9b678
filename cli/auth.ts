/**
 * The CLI's `Connect`: @azure/identity's usual chain, in the order a shell
 * user expects: a service principal in the environment (AZURE_CLIENT_ID,
 * AZURE_TENANT_ID + AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH),
 * a federated token file (AZURE_FEDERATED_TOKEN_FILE: GitLab / Kubernetes
 * workload identity), the Azure CLI's session (`az login`), then a managed
 * identity (an Azure VM or self-hosted agent).
 *
 * The core's signIn fetches the first token, so a sign-in problem fails before
 * any other work (exit code 3); this file supplies the chain, its recorder, its
 * words for a failure, and (once signed in) which method answered.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AuthError,
  azCliSubscription,
  endpointHint,
  tlsTrustCode,
  TokenEndpointRecorder,
  type AzureSession,
  type CloudEndpoints,
  type Connect,
  type SignedInDetails,
  type SignInFailure,
} from '../shared';
import {
  AzureCliCredential,
  ChainedTokenCredential,
  EnvironmentCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';

export interface CliAuthOptions {
  /** From --subscription; falls back to AZURE_SUBSCRIPTION_ID, then the Azure CLI's default subscription. */
  readonly subscription?: string;
  /** Extra trusted CA (PEM) for the sign-in calls. */
  readonly tlsCa?: string;
  /** Every access token is handed here the moment it exists, to be masked in all output. */
  readonly onSecret: (value: string) => void;
  readonly debug?: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** Refresh a cached token this long before it expires. */
const REFRESH_MARGIN_MS = 2 * 60_000;

/**
 * Remembers which source of the chain answered (for the log) and caches the
 * token per scope: AzureCliCredential starts an `az` process for every call,
 * and each SDK client would otherwise ask for its own token.
 */
class RecordingCredential implements TokenCredential {
  used: string | undefined;
  private readonly cache = new Map<string, AccessToken>();
  private readonly chain: ChainedTokenCredential;

  constructor(
    sources: readonly (readonly [string, TokenCredential])[],
    private readonly onSecret: (value: string) => void,
  ) {
    this.chain = new ChainedTokenCredential(
      ...sources.map(([name, credential]): TokenCredential => ({
        getToken: async (scopes, options) => {
          const token = await credential.getToken(scopes, options);
          if (token) this.used = name;
          return token;
        },
      })),
    );
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const key = [scopes].flat().join(' ');
    const hit = this.cache.get(key);
    if (hit && hit.expiresOnTimestamp - Date.now() > REFRESH_MARGIN_MS) return hit;
    const token = await this.chain.getToken(scopes, options);
    this.onSecret(token.token);
    this.cache.set(key, token);
    return token;
  }
}

const SIGN_IN_HINT = [
  'Sign in one of these ways, then run again:',
  '  - service principal: export AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH);',
  '  - federated token (GitLab id_tokens, Kubernetes): AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE;',
  "  - Azure CLI: 'az login' (and 'az cloud set' for a sovereign cloud);",
  '  - managed identity: run on an Azure VM / agent with an identity (AZURE_CLIENT_ID selects a user-assigned one).',
].join('\n');

function sources(
  cloud: CloudEndpoints,
  options: CliAuthOptions,
  recorder: TokenEndpointRecorder,
): [string, TokenCredential][] {
  const env = options.env ?? process.env;
  // Remembers the last failed token request, so a failure names the HTTP status / AADSTS code.
  const recording = { additionalPolicies: [recorder.additionalPolicy] };
  // A private cloud or the emulator has no instance-discovery endpoint: MSAL must trust the authority as given.
  const custom = cloud.name === 'Custom' || cloud.name === 'AzureStack';
  const common = {
    authorityHost: cloud.authorityHost,
    ...(custom ? { disableInstanceDiscovery: true } : {}),
    ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}),
    ...recording,
  };
  const list: [string, TokenCredential][] = [
    ['environment (service principal)', new EnvironmentCredential(common)],
  ];
  if (env.AZURE_FEDERATED_TOKEN_FILE) {
    list.push(['federated token file (workload identity)', new WorkloadIdentityCredential(common)]);
  }
  list.push(['Azure CLI session', new AzureCliCredential()]);
  const tls = { ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}), ...recording };
  list.push([
    'managed identity',
    env.AZURE_CLIENT_ID
      ? new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID, ...tls })
      : new ManagedIdentityCredential(tls),
  ]);
  return list;
}

/** `az account show` is quick when az is signed in; a terminal user should not wait long for it. */
const AZ_ACCOUNT_TIMEOUT_MS = 10_000;

/** What the session is called until a method of the chain has answered. */
const CHAIN = 'the credential chain';

export function cliConnect(options: CliAuthOptions): Connect {
  return (cloud: CloudEndpoints): Promise<AzureSession> => {
    const recorder = new TokenEndpointRecorder();
    const credential = new RecordingCredential(sources(cloud, options, recorder), options.onSecret);
    const env = options.env ?? process.env;
    const subscriptionId = options.subscription || env.AZURE_SUBSCRIPTION_ID || undefined;
    return Promise.resolve({
      credential,
      cloud,
      method: CHAIN,
      ...(subscriptionId ? { subscriptionId } : {}),
      recorder,
      signInError: (failure, error) => chainFailure(cloud, failure, error),
      afterSignIn: () => signedIn(credential, options, subscriptionId),
    });
  };
}

/** The method that answered, logged; and the Azure CLI's default subscription when that was `az`. */
async function signedIn(
  credential: RecordingCredential,
  options: CliAuthOptions,
  subscriptionId: string | undefined,
): Promise<SignedInDetails> {
  const method = credential.used ?? CHAIN;
  options.debug?.(`Signed in with: ${method}`);
  if (subscriptionId || method !== 'Azure CLI session') return { method };
  const fromAz = await azCliSubscription(AZ_ACCOUNT_TIMEOUT_MS);
  return fromAz ? { method, subscriptionId: fromAz } : { method };
}

function chainFailure(cloud: CloudEndpoints, described: SignInFailure, error: unknown): AuthError {
  // Nothing configured at all: the chain's own message lists what each method said, which is
  // the useful part; the recorder would only show the last probe (e.g. the IMDS network error).
  const failure =
    error instanceof Error &&
    /^(CredentialUnavailableError|AggregateAuthenticationError)$/.test(error.name) &&
    tlsTrustCode(error) === undefined
      ? { reason: error.message, transient: false }
      : described;
  return new AuthError(
    `No credential could sign in to ${cloud.name} (${cloud.authorityHost}): ${failure.reason}`,
    endpointHint(failure, cloud.authorityHost) ?? SIGN_IN_HINT,
    error,
  );
}
