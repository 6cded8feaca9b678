/**
 * The GitHub Connect's decisions that need no network, through the core's signIn (which fetches
 * the first token and asks the Connect's words for a failure). Real sign-ins (OIDC, secret, creds, an
 * Azure CLI session) run against the emulator in tests/e2e/action/auth.test.ts.
 */
import { CredentialUnavailableError } from '@azure/identity';
import type { AuthInputName } from '../../../action/authInputs';
import { createGitHubConnect, type GitHubAuthDeps } from '../../../action/githubAuth';
import { signIn } from '../../../shared/azure/signIn';
import { KNOWN_CLOUDS } from '../../../shared/cloud';
import { AuthError, InputError } from '../../../shared/errors';

function deps(inputs: Partial<Record<AuthInputName, string>>, env: Record<string, string> = {}) {
  const log: string[] = [];
  const masked: string[] = [];
  const d: GitHubAuthDeps = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: (v) => masked.push(v),
    getIDToken: () => Promise.reject(new Error('no ID token in unit tests')),
    info: (m) => log.push(`info: ${m}`),
    warning: (m) => log.push(`warning: ${m}`),
    debug: (m) => log.push(`debug: ${m}`),
    env,
    // What AzureCliCredential throws where `az` is not installed (the e2e tests run the real one).
    cliCredential: () => ({
      getToken: () =>
        Promise.reject(new CredentialUnavailableError('Azure CLI could not be found. Install it.')),
    }),
    cliSubscription: () => Promise.resolve(undefined),
  };
  return { d, log, masked };
}

describe('createGitHubConnect', () => {
  it('with nothing usable, fails with ONE AuthError listing each method tried and what to add', async () => {
    const { d, log } = deps({});
    const error: unknown = await signIn(createGitHubConnect(d), KNOWN_CLOUDS.AzureCloud).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(AuthError);
    const { message, hint } = error as AuthError;
    expect(message.split('\n')).toEqual([
      'No way to sign in to Azure was usable. Tried, in order:',
      '  - OIDC: not configured (client-id and tenant-id are not set).',
      '  - Client secret: not configured (neither client-secret nor creds with a clientSecret).',
      expect.stringMatching(/^ {2}- Azure CLI session: Azure CLI could not be found/),
    ]);
    expect(hint).toContain('id-token: write');
    expect(hint).toContain('client-id: ${{ vars.AZURE_CLIENT_ID }}');
    expect(hint).toContain('creds: ${{ secrets.AZURE_CREDENTIALS }}');
    expect(log).toContain(
      'debug: Signing in to AzureCloud with the Azure CLI session (e.g. from azure/login).',
    );
  });

  it('explains a missing id-token permission when client-id and tenant-id are set', async () => {
    const { d } = deps({
      'client-id': '11111111-2222-4333-8444-555555555555',
      'tenant-id': 'contoso.onmicrosoft.com',
    });
    const error = (await signIn(createGitHubConnect(d), KNOWN_CLOUDS.AzureCloud).catch(
      (e: unknown) => e,
    )) as AuthError;

    expect(error.message).toContain('grant `permissions: id-token: write` to the job');
  });

  it('asks GitHub for the ID token as soon as the OIDC credential exists, and only once when refused', async () => {
    const { d } = deps(
      { 'client-id': '11111111-2222-4333-8444-555555555555', 'tenant-id': 'contoso.onmicrosoft.com' },
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/idtoken' },
    );
    const audiences: string[] = [];
    d.getIDToken = (audience) => {
      audiences.push(audience);
      return Promise.reject(new Error('Failed to get ID Token. Error Code : 403'));
    };
    const connect = createGitHubConnect(d);

    // Before any token is asked for: the answer travels while MSAL prepares its request.
    await connect(KNOWN_CLOUDS.AzureCloud);
    expect(audiences).toEqual(['api://AzureADTokenExchange']);

    const error = (await signIn(connect, KNOWN_CLOUDS.AzureCloud).catch((e: unknown) => e)) as AuthError;
    expect(error.message).toContain('Failed to get ID Token. Error Code : 403');
    // signIn built a second credential (its own connect): one request each, the refusal not asked again.
    expect(audiences).toHaveLength(2);
  });

  it('rejects bad sign-in inputs before trying anything, with the secret masked first', async () => {
    const { d, log, masked } = deps({ 'client-id': 'my-app', 'client-secret': 'hunter2-is-not-a-secret' });
    const error = (await signIn(createGitHubConnect(d), KNOWN_CLOUDS.AzureCloud).catch(
      (e: unknown) => e,
    )) as InputError;

    expect(error).toBeInstanceOf(InputError);
    expect(error.issues.map((i) => i.input)).toEqual(['client-id', 'tenant-id']);
    expect(masked).toEqual(['hunter2-is-not-a-secret']);
    expect(error.message).not.toContain('hunter2');
    expect(log.filter((l) => l.includes('Signing in'))).toEqual([]);
  });

  it('uses an Azure CLI session with its subscription when no sign-in input is given', async () => {
    const { d } = deps({});
    const token = { token: 'cli-token', expiresOnTimestamp: Date.now() + 3_600_000 };
    const tenants: (string | undefined)[] = [];
    const session = await signIn(
      createGitHubConnect({
        ...d,
        cliCredential: (tenantId) => {
          tenants.push(tenantId);
          return { getToken: () => Promise.resolve(token) };
        },
        cliSubscription: () => Promise.resolve('a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d'),
      }),
      KNOWN_CLOUDS.AzureUSGovernment,
    );

    expect(session.method).toBe('the Azure CLI session (e.g. from azure/login)');
    expect(session.subscriptionId).toBe('a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d');
    expect(session.cloud).toBe(KNOWN_CLOUDS.AzureUSGovernment);
    expect(tenants).toEqual([undefined]);
  });

  it('prefers the subscription-id input over the CLI default', async () => {
    const { d } = deps({ 'subscription-id': 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e' });
    const session = await signIn(
      createGitHubConnect({
        ...d,
        cliCredential: () => ({
          getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }),
        }),
        cliSubscription: () => Promise.resolve('a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d'),
      }),
      KNOWN_CLOUDS.AzureCloud,
    );

    expect(session.subscriptionId).toBe('b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e');
  });

  it('fetches no token itself: the Connect only builds the credential, the core signs in once', async () => {
    const { d } = deps({});
    let tokenRequests = 0;
    let subscriptionAsked = false;
    const connect = createGitHubConnect({
      ...d,
      cliCredential: () => ({
        getToken: () => {
          tokenRequests += 1;
          return Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 60_000 });
        },
      }),
      cliSubscription: () => {
        subscriptionAsked = true;
        return Promise.resolve(undefined);
      },
    });

    const session = await connect(KNOWN_CLOUDS.AzureCloud);
    expect(tokenRequests).toBe(0);
    expect(subscriptionAsked).toBe(false);
    await signIn(() => Promise.resolve(session), KNOWN_CLOUDS.AzureCloud);
    expect(tokenRequests).toBe(1);
    expect(subscriptionAsked).toBe(true);
  });

  it('asks az for its subscription only once its session has signed in', async () => {
    const { d } = deps({});
    let subscriptionAsked = false;
    const error = await signIn(
      createGitHubConnect({
        ...d,
        cliSubscription: () => {
          subscriptionAsked = true;
          return Promise.resolve('a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d');
        },
      }),
      KNOWN_CLOUDS.AzureCloud,
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthError);
    expect(subscriptionAsked).toBe(false);
  });
});
