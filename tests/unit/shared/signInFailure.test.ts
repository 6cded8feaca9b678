import { cleanMsalMessage, describeSignInFailure } from '../../../shared/azure/signInFailure';

/** What MSAL's ServerError says when the token endpoint's body has no string `error` (a gateway 5xx). */
const MSAL_FILLER =
  '[object Object]: Error(s): Not Available - Timestamp: Not Available - Description: Not Available - Correlation ID: Not Available - Trace ID: Not Available';

describe('describeSignInFailure (no recorder: the message is all there is)', () => {
  it('keeps an AADSTS code and its text, without MSAL trace fields', () => {
    const e = new Error(
      'AADSTS7000215: Invalid client secret provided. Trace ID: 1f0c Correlation ID: 9a2b Timestamp: 2026-11-22 01:00:00Z',
    );
    expect(describeSignInFailure(e)).toEqual({
      reason: 'AADSTS7000215: Invalid client secret provided.',
      transient: false,
    });
  });

  it('says the endpoint could not be reached for an MSAL network_error', () => {
    const e = new Error('network_error: See https://aka.ms/msal.js.errors#network_error for details');
    expect(describeSignInFailure(e)).toEqual({
      reason: 'the token endpoint could not be reached (network error)',
      transient: true,
    });
  });

  it('never passes on "[object Object]" or "Not Available" filler', () => {
    const { reason } = describeSignInFailure(new Error(MSAL_FILLER));
    expect(reason).not.toMatch(/\[object Object\]|Not Available/);
    expect(reason).toBe('the token endpoint returned an error the identity library could not read');
  });

  it('keeps a plain first line as it is', () => {
    expect(cleanMsalMessage('the credential returned no token\nstack…')).toBe(
      'the credential returned no token',
    );
  });
});
