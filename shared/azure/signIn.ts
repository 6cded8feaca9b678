/**
 * The one sign-in of every front-end: connects and proves the credential works
 * with one token request before any Azure call, so a bad secret or federated
 * credential is reported as a sign-in failure naming the method, not as a
 * failed ARM call later. The credential caches the token, so this costs no
 * extra request overall. Bounded here: @azure/identity's own requests have no
 * overall timeout, and a token endpoint that never answers must not hang the
 * step. Front-ends only build the credential (and, if they have one, its
 * token-endpoint recorder and their words for a failure) in their `Connect`.
 */
import type { AccessToken } from '@azure/core-auth';
import { AuthError, isJitError } from '../errors';
import { abortReason, untilAborted, withDeadline } from '../abort';
import type { AzureSession, CloudEndpoints, Connect } from '../session';
import { describeSignInFailure, endpointHint, transientSignInHint } from './signInFailure';
import { identityOfToken } from './tokenIdentity';

export const SIGN_IN_TIMEOUT_MS = 60_000;

export async function signIn(
  connect: Connect,
  cloud: CloudEndpoints,
  signal?: AbortSignal,
  timeoutMs: number = SIGN_IN_TIMEOUT_MS,
): Promise<AzureSession> {
  const session = await connect(cloud);
  const token = await firstToken(session, signal, timeoutMs);
  const details = (await session.afterSignIn?.()) ?? {};
  return { ...session, ...details, identity: identityOfToken(token.token) };
}

async function firstToken(
  session: AzureSession,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<AccessToken> {
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
  try {
    // enableCae as the SDKs' bearer policy asks: @azure/identity caches CAE and
    // non-CAE tokens apart, and a mismatch would cost a second token request.
    const token = await untilAborted(
      session.credential.getToken(session.cloud.scope, { enableCae: true, abortSignal: deadline.signal }),
      deadline.signal,
      'signing in to Azure',
    );
    if (!token) throw new Error('the credential returned no token');
    return token;
  } catch (e) {
    // Cancellation and the deadline are reported as such, never as the credential's fault.
    if (deadline.signal.aborted) throw abortReason(deadline.signal, 'signing in to Azure');
    throw signInError(session, e);
  } finally {
    deadline.dispose();
  }
}

/** The failure in the front-end's words when it has its own, else the core's. */
function signInError(session: AzureSession, e: unknown): Error {
  if (isJitError(e)) return e;
  const failure = describeSignInFailure(e, session.recorder);
  if (session.signInError) return session.signInError(failure, e);
  const authority = session.cloud.authorityHost;
  return new AuthError(
    `Could not sign in to Azure with ${session.method} at ${authority}: ${failure.reason}`,
    endpointHint(failure, authority),
    e,
  );
}
