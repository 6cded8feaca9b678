/**
 * The one sign-in (shared/azure/signIn.ts) with fake credentials: the front-end's session
 * supplies the credential, the recorder and its words for a failure; the core fetches the token,
 * bounds it, and asks for the front-end's details only once signed in.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { signIn } from '../../../../shared/azure/signIn';
import { TokenEndpointRecorder } from '../../../../shared/azure/signInFailure';
import { KNOWN_CLOUDS } from '../../../../shared/cloud';
import { AuthError, CancelledError, InputError } from '../../../../shared/errors';
import type { AzureSession } from '../../../../shared/session';

const cloud = KNOWN_CLOUDS.AzureCloud;
const token: AccessToken = { token: 'not-a-jwt', expiresOnTimestamp: Date.now() + 3_600_000 };

function session(credential: TokenCredential, extra: Partial<AzureSession> = {}): AzureSession {
  return { credential, cloud, method: 'a test credential', ...extra };
}

const failing = (e: Error): TokenCredential => ({ getToken: () => Promise.reject(e) });
const hanging: TokenCredential = { getToken: () => new Promise<AccessToken>(() => undefined) };

/** A recorder that has seen the token endpoint answer 503 (through its own pipeline policy). */
async function recorderThatSaw503(): Promise<TokenEndpointRecorder> {
  const recorder = new TokenEndpointRecorder();
  const request = createPipelineRequest({
    url: `${cloud.authorityHost}/t/oauth2/v2.0/token?x=1`,
    method: 'POST',
  });
  const response: PipelineResponse = { request, status: 503, headers: createHttpHeaders(), bodyAsText: '' };
  await recorder.additionalPolicy.policy.sendRequest(request, () => Promise.resolve(response));
  return recorder;
}

describe('signIn', () => {
  it('fetches the first token once, with the cloud scope, and reads who signed in from it', async () => {
    const clientId = '11111111-2222-4333-8444-555555555555';
    const payload = Buffer.from(JSON.stringify({ appid: clientId })).toString('base64url');
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = {
      getToken: (s) => {
        scopes.push(s);
        return Promise.resolve({ ...token, token: `e30.${payload}.sig` });
      },
    };
    const signedIn = await signIn(() => Promise.resolve(session(credential)), cloud);
    expect(scopes).toEqual([cloud.scope]);
    expect(signedIn.identity).toEqual({ clientId });
  });

  it('describes a failure from the session recorder, in the core words without a hook', async () => {
    const recorder = await recorderThatSaw503();
    const error = (await signIn(
      () => Promise.resolve(session(failing(new Error('[object Object]: Not Available')), { recorder })),
      cloud,
    ).catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(
      `Could not sign in to Azure with a test credential at ${cloud.authorityHost}: ` +
        `POST ${cloud.authorityHost}/t/oauth2/v2.0/token answered HTTP 503`,
    );
    expect(error.hint).toMatch(/usually temporary/);
  });

  it("asks the front-end's words for a failure, handing it the described failure and the cause", async () => {
    const cause = new Error("AADSTS90002: Tenant 'x' not found.");
    const seen: unknown[] = [];
    const words = new InputError('tenant-id', 'x', 'is not a tenant Entra ID knows');
    const error = await signIn(
      () =>
        Promise.resolve(
          session(failing(cause), {
            signInError: (failure, e) => {
              seen.push(failure.reason, e);
              return words;
            },
          }),
        ),
      cloud,
    ).catch((e: unknown) => e);
    expect(error).toBe(words);
    expect(seen).toEqual(["AADSTS90002: Tenant 'x' not found.", cause]);
  });

  it('bounds the token request itself: a silent endpoint is a timeout, not the credential at fault', async () => {
    let asked = false;
    const error = (await signIn(
      () =>
        Promise.resolve(
          session(hanging, {
            signInError: () => {
              asked = true;
              return new AuthError('not this');
            },
          }),
        ),
      cloud,
      undefined,
      50,
    ).catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(
      `Signing in to Azure with a test credential at ${cloud.authorityHost} got no answer within 0.05 s.`,
    );
    expect(asked).toBe(false);
  });

  it('a cancelled run is a cancellation, whatever the credential says', async () => {
    const cancel = new AbortController();
    const credential: TokenCredential = {
      getToken: (_s, o) =>
        new Promise((_resolve, reject) =>
          o?.abortSignal?.addEventListener('abort', () => reject(new Error('AADSTS50000: aborted'))),
        ),
    };
    const pending = signIn(() => Promise.resolve(session(credential)), cloud, cancel.signal).catch(
      (e: unknown) => e,
    );
    cancel.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
  });

  it('settles what only a working sign-in tells after the token, and not at all after a failure', async () => {
    const order: string[] = [];
    const credential: TokenCredential = {
      getToken: () => {
        order.push('token');
        return Promise.resolve(token);
      },
    };
    const afterSignIn = () => {
      order.push('after');
      return Promise.resolve({ method: 'Azure CLI session', subscriptionId: 'sub-from-az' });
    };
    const signedIn = await signIn(() => Promise.resolve(session(credential, { afterSignIn })), cloud);
    expect(order).toEqual(['token', 'after']);
    expect(signedIn).toMatchObject({ method: 'Azure CLI session', subscriptionId: 'sub-from-az' });

    order.length = 0;
    await signIn(
      () => Promise.resolve(session(failing(new Error('AADSTS7000215: bad secret')), { afterSignIn })),
      cloud,
    ).catch(() => undefined);
    expect(order).toEqual([]);
  });
});
