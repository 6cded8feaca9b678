/** Formats the identity side copies from the real services. */
import { armUtc } from '../../../emulator/identity/accessTokens';
import { AadError, aad, aadTimestamp } from '../../../emulator/identity/errors';

it('renders UTC times the way ARM does in 401 messages', () => {
  expect(armUtc(new Date('2026-11-22T01:02:03Z'))).toBe('11/22/2026 1:02:03 AM');
  expect(armUtc(new Date('2026-01-05T00:00:09Z'))).toBe('1/5/2026 12:00:09 AM');
  expect(armUtc(new Date('2026-07-31T12:30:00Z'))).toBe('7/31/2026 12:30:00 PM');
  expect(armUtc(new Date('2026-07-31T23:59:59Z'))).toBe('7/31/2026 11:59:59 PM');
});

it('renders Entra timestamps as yyyy-mm-dd hh:mm:ssZ', () => {
  expect(aadTimestamp(new Date('2026-11-22T01:02:03.456Z'))).toBe('2026-11-22 01:02:03Z');
});

it.each([
  [aad.invalidSecret('app'), 401, 'invalid_client', 7000215],
  [aad.unknownClient('app', 't'), 400, 'unauthorized_client', 700016],
  [aad.noFederatedMatch('i', 's', 'a'), 400, 'invalid_request', 70021],
  [aad.keyNotFound('AB', 'app'), 401, 'invalid_client', 700027],
  [aad.tenantNotFound('t'), 400, 'invalid_tenant', 90002],
] as const)('%s carries status, OAuth error and AADSTS code', (err: AadError, status, error, code) => {
  expect(err).toBeInstanceOf(AadError);
  expect(err).toMatchObject({ status, error, code });
  expect(err.message.startsWith(`AADSTS${code}: `)).toBe(true);
});
