import { parseCreds } from '../../../action/credsJson';
import { InputError } from '../../../shared/errors';

const SECRET = 'Zx9~secret-value';

function failure(raw: string): InputError {
  try {
    parseCreds(raw);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('parseCreds accepted it');
}

describe('parseCreds', () => {
  it('keeps the four keys it uses, trimmed, and names the keys it does not know', () => {
    const raw = JSON.stringify({
      clientId: ' 00000000-0000-0000-0000-000000000001 ',
      clientSecret: SECRET,
      tenantId: 'contoso.onmicrosoft.com',
      subscriptionId: null,
      resourceManagerEndpointUrl: 'https://management.azure.com/',
      mystery: 'x',
    });
    expect(parseCreds(raw)).toEqual({
      creds: {
        clientId: '00000000-0000-0000-0000-000000000001',
        clientSecret: SECRET,
        tenantId: 'contoso.onmicrosoft.com',
      },
      unknownKeys: ['mystery'],
    });
  });

  it('accepts an object without any of them (the other inputs may supply them)', () => {
    expect(parseCreds('{}')).toEqual({ creds: {}, unknownKeys: [] });
  });

  it('lists every bad key in one error, never echoing a value', () => {
    const e = failure(JSON.stringify({ clientId: 7, clientSecret: '   ', tenantId: { t: SECRET } }));
    expect(e.issues.map((i) => i.input)).toEqual(['creds.clientId', 'creds.clientSecret', 'creds.tenantId']);
    expect(e.issues.every((i) => i.rule === 'must be a non-empty string')).toBe(true);
    expect(e.message).not.toContain(SECRET);
  });

  it.each([
    [`{"clientSecret": "${SECRET}"`, 'is not valid JSON'],
    ['[1]', 'must be a JSON object, got an array'],
    ['"text"', 'must be a JSON object, got string'],
    ['null', 'must be a JSON object, got object'],
  ])('refuses %j without quoting it', (raw, rule) => {
    const e = failure(raw);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ input: 'creds', rule });
    expect(e.message).not.toContain(SECRET);
  });
});
