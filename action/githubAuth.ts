/**
 * The Action's `Connect`: turns the sign-in inputs into one credential for the run and names the
 * method in `AzureSession.method` (the core logs it once signed in). The core's signIn fetches the
 * first token; this file supplies the words for a failure (which input to fix, the federated
 * credential to add) and, for an Azure CLI session, the subscription azure/login selected. See
 * authPlan.ts for the order.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import {
  AuthError,
  azCliSubscription,
  endpointHint,
  TokenEndpointRecorder,
  type AzureSession,
  type CloudEndpoints,
  type Connect,
  type SignedInDetails,
  type SignInFailure,
} from '../shared';
import { readAuthInputs, type AuthInputSource } from './authInputs';
import { planAuth, type AuthPlan } from './authPlan';
import { describeIdToken } from './idTokenClaims';
import { cacheIdToken } from './idTokenCache';

export interface GitHubAuthDeps extends AuthInputSource {
  /** `core.getIDToken`: fetches (and masks) the job's GitHub OIDC token. */
  getIDToken(audience: string): Promise<string>;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The Azure CLI's credential and current subscription. Injectable because the machine running
   * unit tests may have its own `az` session; the end-to-end tests control `az` through PATH.
   */
  cliCredential?(tenantId: string | undefined): TokenCredential;
  cliSubscription?(): Promise<string | undefined>;
}

const WHAT_TO_ADD =
  'Add to the workflow either OIDC (recommended):\n' +
  '    permissions:\n      id-token: write\n      contents: read\n' +
  '    with:\n      client-id: ${{ vars.AZURE_CLIENT_ID }}\n      tenant-id: ${{ vars.AZURE_TENANT_ID }}\n' +
  '      subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n' +
  '  (with a federated credential for this repository on the app registration), or a client secret:\n' +
  '    with:\n      creds: ${{ secrets.AZURE_CREDENTIALS }}\n' +
  '  or run azure/login before this step.';

export function createGitHubConnect(deps: GitHubAuthDeps): Connect {
  // Through a promise, so bad inputs reject like any other sign-in failure.
  return (cloud: CloudEndpoints) => Promise.resolve().then(() => gitHubSession(deps, cloud));
}

function gitHubSession(deps: GitHubAuthDeps, cloud: CloudEndpoints): AzureSession {
  const inputs = readAuthInputs(deps);
  if (inputs.unknownCredsKeys.length > 0) {
    deps.warning(`Ignoring unknown keys in creds: ${inputs.unknownCredsKeys.join(', ')}.`);
  }
  const plan = planAuth(inputs, deps.env);
  const built = buildCredential(plan, cloud, deps);
  // The core logs "Signed in with <method>" once signed in; a failure names the method itself.
  deps.debug(`Signing in to ${cloud.name} with ${built.method}.`);
  const { credential, method, recorder } = built;
  const subscriptionId = inputs.subscriptionId;
  return {
    credential,
    cloud,
    method,
    ...(subscriptionId ? { subscriptionId } : {}),
    ...(recorder ? { recorder } : {}),
    signInError: (failure, e) => {
      const idTokenFailure = built.idTokenFailure?.();
      if (idTokenFailure) return idTokenFailure;
      deps.debug(`Sign-in error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return authFailure(plan, cloud, failure, e);
    },
    // azure/login selected a subscription for its session: asked only once that session has worked.
    ...(plan.kind === 'cli' && !subscriptionId ? { afterSignIn: () => cliSubscriptionOf(deps) } : {}),
  };
}

async function cliSubscriptionOf(deps: GitHubAuthDeps): Promise<SignedInDetails> {
  const subscriptionId = await (deps.cliSubscription ?? azCliSubscription)();
  return subscriptionId ? { subscriptionId } : {};
}

interface BuiltCredential {
  readonly credential: TokenCredential;
  readonly method: string;
  /** The token endpoint's last failed answer (secret and OIDC; the CLI credential makes no HTTP call of ours). */
  readonly recorder?: TokenEndpointRecorder;
  /** Why the GitHub ID token could not be had, if that is what failed (identity re-wraps it). */
  idTokenFailure?(): AuthError | undefined;
}

function buildCredential(plan: AuthPlan, cloud: CloudEndpoints, deps: GitHubAuthDeps): BuiltCredential {
  const recorder = new TokenEndpointRecorder();
  const options = {
    authorityHost: cloud.authorityHost,
    // Keeps the token endpoint's HTTP status: the identity library drops it from its errors.
    additionalPolicies: [recorder.additionalPolicy],
    // MSAL validates the authority against login.microsoftonline.com's instance metadata; a
    // custom authority (Azure Stack, the emulator) is not listed there, and offline it fails.
    disableInstanceDiscovery: cloud.name === 'Custom' || cloud.name === 'AzureStack',
  };
  switch (plan.kind) {
    case 'secret':
      return {
        credential: new ClientSecretCredential(plan.tenantId, plan.clientId, plan.secret, options),
        recorder,
        method: `a client secret (from ${plan.origin === 'input' ? 'the client-secret input' : 'creds'}) for client ${plan.clientId}`,
      };
    case 'oidc':
      return oidcCredential(plan, options, recorder, deps);
    case 'identity':
      return {
        // IMDS on an Azure VM or scale set; IDENTITY_ENDPOINT/IDENTITY_HEADER where the host sets them.
        credential: new ManagedIdentityCredential({
          ...(plan.clientId ? { clientId: plan.clientId } : {}),
          additionalPolicies: [recorder.additionalPolicy],
        }),
        recorder,
        method: plan.clientId
          ? `the runner's managed identity (user-assigned, client ${plan.clientId})`
          : "the runner's managed identity (system-assigned)",
      };
    case 'cli':
      return {
        credential: (deps.cliCredential ?? azCliCredential)(plan.tenantId),
        method: 'the Azure CLI session (e.g. from azure/login)',
      };
  }
}

type OidcPlan = Extract<AuthPlan, { kind: 'oidc' }>;

/** GitHub's ID token exchanged for Entra tokens (a federated credential on the app registration). */
function oidcCredential(
  plan: OidcPlan,
  options: ConstructorParameters<typeof ClientAssertionCredential>[3],
  recorder: TokenEndpointRecorder,
  deps: GitHubAuthDeps,
): BuiltCredential {
  let described = false;
  let failure: AuthError | undefined;
  const getAssertion = cacheIdToken(async () => {
    const token = await fetchIdToken(deps, plan.audience).catch((e: AuthError) => {
      failure = e;
      throw e;
    });
    if (!described) {
      // The claims (not the token) are what users need to match a federated credential.
      deps.info(`GitHub OIDC token: ${describeIdToken(token)}.`);
      described = true;
    }
    return token;
  });
  // Asked for now, not when MSAL first wants it: MSAL prepares its token request first (and on a
  // custom cloud reads the authority's metadata), so GitHub's answer arrives meanwhile instead of
  // after. The credential is built only to sign in, so the token is needed anyway. Its first call
  // takes this very answer, a failure included: one request to GitHub, not two.
  const prefetched = getAssertion();
  prefetched.catch(() => undefined);
  let first: Promise<string> | undefined = prefetched;
  const assertion = (): Promise<string> => {
    const answer = first ?? getAssertion();
    first = undefined;
    return answer;
  };
  return {
    credential: new ClientAssertionCredential(plan.tenantId, plan.clientId, assertion, options),
    recorder,
    method: `OIDC (workload identity federation) for client ${plan.clientId}`,
    idTokenFailure: () => failure,
  };
}

async function fetchIdToken(deps: GitHubAuthDeps, audience: string): Promise<string> {
  try {
    return await deps.getIDToken(audience);
  } catch (e) {
    throw new AuthError(
      `Could not get the GitHub OIDC token for audience '${audience}': ${messageOf(e)}`,
      'Grant `permissions: id-token: write` to the job (workflows triggered from forks never get one).',
      e,
    );
  }
}

function authFailure(plan: AuthPlan, cloud: CloudEndpoints, failure: SignInFailure, e: unknown): AuthError {
  const where = `tenant ${'tenantId' in plan && plan.tenantId ? plan.tenantId : '(the CLI default)'} on ${cloud.name} (${cloud.authorityHost})`;
  // Entra ID down, unreachable or not trusted (TLS): the credential is not at fault, so its checklist would mislead.
  const endpoint = endpointHint(failure, cloud.authorityHost);
  switch (plan.kind) {
    case 'secret':
      return new AuthError(
        `Sign-in with a client secret for client ${plan.clientId} in ${where} failed: ${failure.reason}`,
        endpoint ??
          'Check client-id, tenant-id and that the secret is current (secrets expire); check `cloud` for sovereign clouds.',
        e,
      );
    case 'oidc':
      return new AuthError(
        `OIDC sign-in for client ${plan.clientId} in ${where} failed: ${failure.reason}`,
        endpoint ??
          'The app registration (or managed identity) needs a federated credential with issuer ' +
            'https://token.actions.githubusercontent.com and the subject and audience shown in the "GitHub OIDC token" ' +
            'line above (e.g. repo:OWNER/REPO:ref:refs/heads/main, or repo:OWNER/REPO:environment:NAME for jobs with an environment).',
        e,
      );
    case 'identity':
      return new AuthError(
        `Sign-in with the runner's managed identity${plan.clientId ? ` (client ${plan.clientId})` : ''} on ${cloud.name} failed: ${failure.reason}`,
        endpoint ??
          'auth-type: IDENTITY needs a self-hosted runner on an Azure VM or scale set with a managed identity ' +
            'assigned (for a user-assigned one, its client ID as client-id), and that identity needs the JIT role on the VMs.',
        e,
      );
    case 'cli':
      return new AuthError(
        'No way to sign in to Azure was usable. Tried, in order:\n' +
          [...plan.skipped, `Azure CLI session: ${messageOf(e)}`].map((line) => `  - ${line}`).join('\n'),
        WHAT_TO_ADD,
        e,
      );
  }
}

/** First line of an error message: identity messages can run to many lines of MSAL detail. */
function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

function azCliCredential(tenantId: string | undefined): TokenCredential {
  return new AzureCliCredential({ ...(tenantId ? { tenantId } : {}), processTimeoutInMs: 30_000 });
}
