/**
 * Connects and proves the credential works with one token request before any
 * Azure call, so a bad secret or federated credential is reported as a
 * sign-in failure naming the method, not as a failed ARM call later. The
 * credential caches the token, so this costs no extra request overall.
 */
import { AuthError, isJitError } from '../errors';
import type { AzureSession, CloudEndpoints, Connect } from '../session';
import { describeSignInFailure, recorderOf, transientSignInHint } from './signInFailure';

export async function signIn(connect: Connect, cloud: CloudEndpoints): Promise<AzureSession> {
  const session = await connect(cloud);
  try {
    // enableCae as the SDKs' bearer policy asks: @azure/identity caches CAE and
    // non-CAE tokens apart, and a mismatch would cost a second token request.
    const token = await session.credential.getToken(session.cloud.scope, { enableCae: true });
    if (!token) throw new Error('the credential returned no token');
  } catch (e) {
    if (isJitError(e)) throw e;
    const failure = describeSignInFailure(e, recorderOf(session.credential));
    throw new AuthError(
      `Could not sign in to Azure with ${session.method} at ${session.cloud.authorityHost}: ${failure.reason}`,
      failure.transient ? transientSignInHint(session.cloud.authorityHost) : undefined,
      e,
    );
  }
  return session;
}
