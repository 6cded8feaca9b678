/**
 * Connects and proves the credential works with one token request before any
 * Azure call, so a bad secret or federated credential is reported as a
 * sign-in failure naming the method, not as a failed ARM call later. The
 * credential caches the token, so this costs no extra request overall.
 * Bounded here, for every front-end: @azure/identity's own requests have no
 * timeout, and a token endpoint that never answers must not hang the step.
 */
import { AuthError, isJitError } from '../errors';
import { untilAborted, withDeadline } from '../abort';
import type { AzureSession, CloudEndpoints, Connect } from '../session';
import { describeSignInFailure, endpointHint, recorderOf, transientSignInHint } from './signInFailure';
import { identityOfToken, type SignedInIdentity } from './tokenIdentity';

export const SIGN_IN_TIMEOUT_MS = 60_000;

export async function signIn(
  connect: Connect,
  cloud: CloudEndpoints,
  signal?: AbortSignal,
  timeoutMs: number = SIGN_IN_TIMEOUT_MS,
): Promise<AzureSession> {
  const session = await connect(cloud);
  const authority = session.cloud.authorityHost;
  const deadline = withDeadline(
    signal,
    timeoutMs,
    () =>
      new AuthError(
        `Signing in to Azure with ${session.method} at ${authority} got no answer within ${timeoutMs / 1000} s.`,
        transientSignInHint(authority),
      ),
  );
  let identity: SignedInIdentity;
  try {
    // enableCae as the SDKs' bearer policy asks: @azure/identity caches CAE and
    // non-CAE tokens apart, and a mismatch would cost a second token request.
    const token = await untilAborted(
      session.credential.getToken(session.cloud.scope, { enableCae: true, abortSignal: deadline.signal }),
      deadline.signal,
      'signing in to Azure',
    );
    if (!token) throw new Error('the credential returned no token');
    identity = identityOfToken(token.token);
  } catch (e) {
    if (isJitError(e)) throw e;
    const failure = describeSignInFailure(e, recorderOf(session.credential));
    throw new AuthError(
      `Could not sign in to Azure with ${session.method} at ${authority}: ${failure.reason}`,
      endpointHint(failure, authority),
      e,
    );
  } finally {
    deadline.dispose();
  }
  return { ...session, identity };
}
