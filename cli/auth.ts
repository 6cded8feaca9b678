/**
 * The CLI's `Connect`: @azure/identity's usual chain, in the order a shell
 * user expects: a service principal in the environment (AZURE_CLIENT_ID,
 * AZURE_TENANT_ID + AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH),
 * a federated token file (AZURE_FEDERATED_TOKEN_FILE: GitLab / Kubernetes
 * workload identity), the Azure CLI's session (`az login`), then a managed
 * identity (an Azure VM or self-hosted agent).
 *
 * The first token is fetched in `connect` itself so a sign-in problem fails
 * before any other work (exit code 3) and the log says which method signed in.
 */
import { execFile } from 'node:child_process';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  attachRecorder,
  describeSignInFailure,
  TokenEndpointRecorder,
  endpointHint,
  AuthError,
  tlsTrustCode,
  type AzureSession,
  type CloudEndpoints,
  type Connect,
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

/** Longest the first sign-in may take, all methods of the chain together. */
const SIGN_IN_TIMEOUT_MS = 60_000;

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

/** The Azure CLI's default subscription, when the CLI is how we signed in and none was given. */
function azDefaultSubscription(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'az',
      ['account', 'show', '--query', 'id', '--output', 'tsv'],
      { timeout: 10_000, shell: process.platform === 'win32' },
      (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined),
    );
  });
}

export function cliConnect(options: CliAuthOptions): Connect {
  return async (cloud: CloudEndpoints): Promise<AzureSession> => {
    const recorder = new TokenEndpointRecorder();
    const credential = attachRecorder(
      new RecordingCredential(sources(cloud, options, recorder), options.onSecret),
      recorder,
    );
    try {
      // Bounded: a managed-identity endpoint or an `az` process that never answers must not hang the run.
      await credential.getToken(cloud.scope, { abortSignal: AbortSignal.timeout(SIGN_IN_TIMEOUT_MS) });
    } catch (error) {
      // Nothing configured at all: the chain's own message lists what each method said, which is
      // the useful part; the recorder would only show the last probe (e.g. the IMDS network error).
      const failure =
        error instanceof Error &&
        /^(CredentialUnavailableError|AggregateAuthenticationError)$/.test(error.name) &&
        tlsTrustCode(error) === undefined
          ? { reason: error.message, transient: false }
          : describeSignInFailure(error, recorder);
      throw new AuthError(
        `No credential could sign in to ${cloud.name} (${cloud.authorityHost}): ${failure.reason}`,
        endpointHint(failure, cloud.authorityHost) ?? SIGN_IN_HINT,
        error,
      );
    }
    const method = credential.used ?? 'credential chain';
    options.debug?.(`Signed in with: ${method}`);
    const env = options.env ?? process.env;
    let subscriptionId = options.subscription || env.AZURE_SUBSCRIPTION_ID || undefined;
    if (!subscriptionId && method === 'Azure CLI session') subscriptionId = await azDefaultSubscription();
    return { credential, cloud, method, ...(subscriptionId ? { subscriptionId } : {}) };
  };
}
