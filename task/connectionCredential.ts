/**
 * The credential handed to the core, wrapped so that a failed sign-in reads as
 * what it is. Credentials are lazy: the first token request happens inside the
 * core's first ARM call, where a bare identity error would be reported as a
 * failed Azure call. Here it becomes an AuthError that names the service
 * connection, the sign-in method and what to check for that scheme.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  describeSignInFailure,
  type SignInFailure,
  type TokenEndpointRecorder,
  type AuthError,
  type InputError,
} from '../shared';

/** Longest identity error text kept: some embed a whole HTTP response. */
const MAX_CAUSE_LENGTH = 600;

export class ServiceConnectionCredential implements TokenCredential {
  constructor(
    /** The @azure/identity credential for the connection's scheme. */
    readonly inner: TokenCredential,
    /**
     * Builds the error from the cleaned-up failure (status / AADSTS code, never MSAL's filler): an
     * AuthError, or an InputError when the connection's data is at fault (an unknown tenant).
     */
    private readonly describe: (failure: SignInFailure, cause: unknown) => AuthError | InputError,
    /** The inner credential's token-endpoint recorder: the identity library drops the HTTP status. */
    private readonly recorder?: TokenEndpointRecorder,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (e) {
      // Cancellation and deadlines are the core's to report.
      if (options?.abortSignal?.aborted) throw e;
      const failure = describeSignInFailure(e, this.recorder);
      const reason =
        failure.reason.length > MAX_CAUSE_LENGTH
          ? `${failure.reason.slice(0, MAX_CAUSE_LENGTH)}…`
          : failure.reason;
      throw this.describe({ ...failure, reason }, e);
    }
  }
}
