import { identityOfToken } from '../../../../shared/azure/tokenIdentity';

const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"none"}', JSON.stringify(claims), ''].map((p) => Buffer.from(p).toString('base64url')).join('.');
const APP = '11111111-aaaa-4bbb-8ccc-000000000001';
const OID = '22222222-aaaa-4bbb-8ccc-000000000001';

describe('identityOfToken', () => {
  it('reads appid (v1) or azp (v2), oid and tid', () => {
    expect(identityOfToken(jwt({ appid: APP, oid: OID, tid: APP }))).toEqual({
      clientId: APP,
      principalId: OID,
      tenantId: APP,
    });
    expect(identityOfToken(jwt({ azp: APP.toUpperCase() })).clientId).toBe(APP);
  });

  it('passes on GUIDs only, and nothing from a token that is not a JWT', () => {
    expect(identityOfToken(jwt({ appid: '$(rm -rf /)', oid: 42 }))).toEqual({});
    expect(identityOfToken('opaque-token')).toEqual({});
    expect(identityOfToken('a.!!!notbase64json.c')).toEqual({});
  });
});
