import { describeIdToken } from '../../../action/idTokenClaims';

const jwt = (claims: object): string =>
  ['{"alg":"RS256"}', JSON.stringify(claims)].map((p) => Buffer.from(p).toString('base64url')).join('.') +
  '.sig';

describe('describeIdToken', () => {
  it('shows the claims a federated credential matches on, never the token', () => {
    const token = jwt({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:contoso/webapp:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
      run_id: '42',
    });
    const text = describeIdToken(token);
    expect(text).toBe(
      "iss 'https://token.actions.githubusercontent.com', sub 'repo:contoso/webapp:ref:refs/heads/main', aud 'api://AzureADTokenExchange'",
    );
    expect(text).not.toContain(token.split('.')[1]);
  });

  it('copes with array audiences and with garbage', () => {
    expect(describeIdToken(jwt({ aud: ['a', 'b'] }))).toBe("aud 'a, b'");
    expect(describeIdToken('opaque')).toBe('not a JWT (claims unknown)');
    expect(describeIdToken('a.!!!.c')).toBe('claims unreadable');
  });
});
