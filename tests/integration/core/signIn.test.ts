/**
 * Sign-in is proved before any Azure call: a wrong secret is reported as a
 * sign-in failure naming the method, and no ARM request is made at all.
 */
import { ClientSecretCredential } from '@azure/identity';
import { TokenEndpointRecorder } from '../../../shared/azure/signInFailure';
import { startEmulator } from '../../../emulator';
import { signIn } from '../../../shared/azure/signIn';
import { AuthError, CancelledError } from '../../../shared/errors';
import { runMain } from '../../../shared/run';
import { emulatorCloud, emulatorConnect, PRODUCTION_SUBSCRIPTION } from '../../helpers/emulatorSession';
import { withEmulator } from '../../helpers/ownEmulator';
import { platformFor, type Emulator } from './harness';

jest.setTimeout(30_000);

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

const ARM = new Set(['security', 'network', 'compute', 'resources']);

it('a wrong client secret fails as a sign-in error before any ARM request', async () => {
  const principal = emu.principals['jit-deployer'];
  if (!principal) throw new Error('default scenario lost jit-deployer');
  const credential = new ClientSecretCredential(emu.tenantId, principal.clientId, 'not-the-secret', {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caPem },
  });
  const platform = platformFor(emu);

  const outcome = await runMain({
    platform,
    tlsCa: emu.caPem,
    connect: () =>
      Promise.resolve({
        credential,
        subscriptionId: PRODUCTION_SUBSCRIPTION,
        cloud: emulatorCloud(emu),
        method: 'a test client secret',
      }),
  });

  expect(outcome.ok).toBe(false);
  expect(outcome.ok ? undefined : outcome.error.kind).toBe('auth');
  expect(platform.failures.join('\n')).toContain('Could not sign in to Azure with a test client secret');
  expect(platform.failures.join('\n')).toContain('AADSTS7000215');
  expect(emu.control.requests().filter((r) => ARM.has(r.provider))).toEqual([]);
});

it('a working credential is reported as signed in, and the token is fetched once', async () => {
  const platform = platformFor(emu, { 'dry-run': 'true' });

  const { ok } = await runMain({ platform, tlsCa: emu.caPem, connect: emulatorConnect(emu) });

  expect(ok).toBe(true);
  expect(platform.messages('info').join('\n')).toContain('Signed in with client secret');
  const tokenPosts = emu.control
    .requests()
    .filter((r) => r.provider === 'identity' && r.method === 'POST' && /\/token$/.test(r.path));
  expect(tokenPosts).toHaveLength(1);
});

/**
 * Each case waits out the identity library's retries of the token endpoint (seconds): on an
 * emulator of its own, concurrently.
 */
describe('the token endpoint fails (Entra ID unavailable)', () => {
  function credentialFor(emu: Emulator, recorder?: TokenEndpointRecorder): ClientSecretCredential {
    const principal = emu.principals['jit-deployer'];
    if (!principal?.secret) throw new Error('default scenario lost jit-deployer');
    return new ClientSecretCredential(emu.tenantId, principal.clientId, principal.secret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caPem },
      ...(recorder ? { additionalPolicies: [recorder.additionalPolicy] } : {}),
    });
  }

  /** Signs in with the credential; the recorder, when given, rides on the session as front-ends hand it. */
  async function failureOf(
    emu: Emulator,
    recorder?: TokenEndpointRecorder,
  ): Promise<{ failure: string; hint: string }> {
    const credential = credentialFor(emu, recorder);
    const platform = platformFor(emu);
    const { ok } = await runMain({
      platform,
      tlsCa: emu.caPem,
      connect: () =>
        Promise.resolve({
          credential,
          subscriptionId: PRODUCTION_SUBSCRIPTION,
          cloud: emulatorCloud(emu),
          method: 'a test client secret',
          ...(recorder ? { recorder } : {}),
        }),
    });
    expect(ok).toBe(false);
    expect(emu.control.requests().filter((r) => ARM.has(r.provider))).toEqual([]);
    return { failure: platform.failures.join('\n'), hint: platform.messages('error').join('\n') };
  }

  it.concurrent.each([
    ['HTTP 503', { status: 503 }, /answered HTTP 503/],
    ['a connection reset', { reset: true as const }, /could not be reached \(ECONNRESET\)/],
  ])('%s: says which sign-in failed, how, and what to do; no MSAL filler', (_label, fault, how) =>
    withEmulator({}, async (emu) => {
      emu.control.faults.add({ path: '/oauth2/v2.0/token', times: Infinity, ...fault });
      const { failure } = await failureOf(emu, new TokenEndpointRecorder());
      expect(failure).toContain(
        `Could not sign in to Azure with a test client secret at ${emu.authorityHost}`,
      );
      expect(failure).toMatch(how);
      expect(failure).toContain(`${emu.tenantId}/oauth2/v2.0/token`);
      expect(failure).toMatch(/usually temporary: re-run the job/);
      expect(failure).not.toMatch(/\[object Object\]|Not Available/);
    }),
  );

  it.concurrent('without a recorder (a credential built elsewhere) the reason is still clean', () =>
    withEmulator({}, async (emu) => {
      emu.control.faults.add({ path: '/oauth2/v2.0/token', times: Infinity, status: 503 });
      const { failure } = await failureOf(emu);
      expect(failure).toContain('Could not sign in to Azure with a test client secret');
      expect(failure).not.toMatch(/\[object Object\]|Not Available/);
    }),
  );
});

describe('signIn is bounded for every front-end', () => {
  it('a token endpoint that never answers fails as a sign-in timeout, naming the endpoint', async () => {
    emu.control.faults.add({ path: '/oauth2/v2.0/token', hang: true, times: Infinity });

    const failure = await signIn(emulatorConnect(emu), emulatorCloud(emu), undefined, 500).catch(
      (e: unknown) => e,
    );

    expect(failure).toBeInstanceOf(AuthError);
    expect((failure as AuthError).message).toContain(`at ${emu.authorityHost} got no answer within 0.5 s`);
    expect(emu.control.requests().filter((r) => ARM.has(r.provider))).toEqual([]);
  });

  it('a cancelled run stops waiting for the token and reports the cancellation', async () => {
    emu.control.faults.add({ path: '/oauth2/v2.0/token', hang: true, times: Infinity });
    const cancel = new AbortController();

    const pending = signIn(emulatorConnect(emu), emulatorCloud(emu), cancel.signal).catch((e: unknown) => e);
    cancel.abort();

    expect(await pending).toBeInstanceOf(CancelledError);
  });
});
