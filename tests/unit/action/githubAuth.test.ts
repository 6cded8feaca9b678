/**
 * The GitHub Connect's decisions that need no network. Real sign-ins (OIDC, secret, creds, an
 * Azure CLI session) run against the emulator in tests/e2e/action/auth.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthInputName } from '../../../action/authInputs';
import { createGitHubConnect, type GitHubAuthDeps } from '../../../action/githubAuth';
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
  };
  return { d, log, masked };
}

describe('createGitHubConnect', () => {
  const savedPath = process.env.PATH;
  beforeAll(() => {
    // No `az` anywhere: the CLI fallback must fail the way it fails on a runner without it.
    process.env.PATH = mkdtempSync(join(tmpdir(), 'no-az-'));
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it('with nothing usable, fails with ONE AuthError listing each method tried and what to add', async () => {
    const { d, log } = deps({});
    const error: unknown = await createGitHubConnect(d)(KNOWN_CLOUDS.AzureCloud).catch((e: unknown) => e);

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
    const error = (await createGitHubConnect(d)(KNOWN_CLOUDS.AzureCloud).catch(
      (e: unknown) => e,
    )) as AuthError;

    expect(error.message).toContain('grant `permissions: id-token: write` to the job');
  });

  it('rejects bad sign-in inputs before trying anything, with the secret masked first', async () => {
    const { d, log, masked } = deps({ 'client-id': 'my-app', 'client-secret': 'hunter2-is-not-a-secret' });
    const error = (await createGitHubConnect(d)(KNOWN_CLOUDS.AzureCloud).catch(
      (e: unknown) => e,
    )) as InputError;

    expect(error).toBeInstanceOf(InputError);
    expect(error.issues.map((i) => i.input)).toEqual(['client-id', 'tenant-id']);
    expect(masked).toEqual(['hunter2-is-not-a-secret']);
    expect(error.message).not.toContain('hunter2');
    expect(log.filter((l) => l.includes('Signing in'))).toEqual([]);
  });
});
