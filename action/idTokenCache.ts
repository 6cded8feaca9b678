/**
 * Reuses the job's GitHub ID token while it is comfortably valid. @azure/identity asks for a fresh
 * client assertion on every getToken call, even when MSAL then answers from its cache, and each
 * ARM client asks for a token: without this, one run fetched (and masked) a new ID token from
 * GitHub's token service for every client. Tokens live about 5 minutes; one is reused until a
 * minute before it expires, so Entra never receives an assertion about to lapse.
 */
import { idTokenExpiry } from './idTokenClaims';

const REUSE_MARGIN_MS = 60_000;

export function cacheIdToken(
  fetch: () => Promise<string>,
  now: () => number = Date.now,
): () => Promise<string> {
  let cached: { readonly token: string; readonly reuseUntil: number } | undefined;
  let pending: Promise<string> | undefined;
  return () => {
    if (cached && now() < cached.reuseUntil) return Promise.resolve(cached.token);
    // Concurrent callers (clients created together) share one request.
    pending ??= fetch()
      .then((token) => {
        cached = { token, reuseUntil: (idTokenExpiry(token) ?? 0) - REUSE_MARGIN_MS };
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
