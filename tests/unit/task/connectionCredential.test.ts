import type { TokenCredential } from '@azure/core-auth';
import type { SignInFailure } from '../../../shared/azure/signInFailure';
import { AuthError } from '../../../shared/errors';
import { ServiceConnectionCredential } from '../../../task/connectionCredential';

const token = { token: 't', expiresOnTimestamp: 1 };
const toAuthError = ({ reason: message }: SignInFailure, cause: unknown) =>
  new AuthError(`sign-in failed: ${message}`, 'check it', cause);

describe('ServiceConnectionCredential', () => {
  it('passes tokens through', async () => {
    const inner: TokenCredential = { getToken: () => Promise.resolve(token) };
    await expect(new ServiceConnectionCredential(inner, toAuthError).getToken('s')).resolves.toBe(token);
  });

  it('turns an identity error into an AuthError that keeps the cause, and shortens huge messages', async () => {
    const cause = new Error(`AADSTS700213: No matching federated identity record found ${'x'.repeat(2000)}`);
    const inner: TokenCredential = { getToken: () => Promise.reject(cause) };
    const error = (await new ServiceConnectionCredential(inner, toAuthError)
      .getToken('s')
      .catch((e: unknown) => e)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message.startsWith('sign-in failed: AADSTS700213')).toBe(true);
    expect(error.message.length).toBeLessThan(700);
    expect(error.cause).toBe(cause);
    expect(error.hint).toBe('check it');
  });

  it('leaves a cancelled request to the core', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = new Error('The operation was aborted.');
    const inner: TokenCredential = { getToken: () => Promise.reject(aborted) };
    await expect(
      new ServiceConnectionCredential(inner, toAuthError).getToken('s', { abortSignal: controller.signal }),
    ).rejects.toBe(aborted);
  });
});
