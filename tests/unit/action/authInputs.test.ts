import { InputError } from '../../../shared/errors';
import { DEFAULT_AUDIENCE, readAuthInputs, type AuthInputName } from '../../../action/authInputs';

const CLIENT = '11111111-2222-4333-8444-555555555555';
const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';
const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const SECRET = 'sEcReT~value.with-chars_42';

/** A source that records what was masked, and the ORDER of masking vs reading. */
function source(values: Partial<Record<AuthInputName, string>>) {
  const masked: string[] = [];
  return {
    masked,
    getInput: (name: AuthInputName) => values[name] ?? '',
    setSecret: (value: string) => masked.push(value),
  };
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('readAuthInputs', () => {
  it('reads client-id, tenant-id, subscription-id and masks client-secret', () => {
    const s = source({
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'subscription-id': SUB,
      'client-secret': SECRET,
    });
    const inputs = readAuthInputs(s);
    expect(inputs).toMatchObject({
      clientId: CLIENT,
      tenantId: TENANT,
      subscriptionId: SUB,
      audience: DEFAULT_AUDIENCE,
    });
    expect(inputs.clientSecret).toEqual({ value: SECRET, origin: 'input' });
    expect(s.masked).toContain(SECRET);
  });

  it('takes everything from creds and masks both the JSON and the secret inside it', () => {
    const creds = JSON.stringify({
      clientId: CLIENT,
      clientSecret: SECRET,
      tenantId: TENANT,
      subscriptionId: SUB,
    });
    const s = source({ creds });
    const inputs = readAuthInputs(s);
    expect(inputs).toMatchObject({ clientId: CLIENT, tenantId: TENANT, subscriptionId: SUB });
    expect(inputs.clientSecret).toEqual({ value: SECRET, origin: 'creds' });
    expect(s.masked).toEqual(expect.arrayContaining([creds, SECRET]));
  });

  it('accepts the extra keys of `az ad sp create-for-rbac --sdk-auth` and reports unknown ones by name', () => {
    const creds = JSON.stringify({
      clientId: CLIENT,
      clientSecret: SECRET,
      tenantId: TENANT,
      resourceManagerEndpointUrl: 'https://management.azure.com/',
      somethingElse: 'x',
    });
    expect(readAuthInputs(source({ creds })).unknownCredsKeys).toEqual(['somethingElse']);
  });

  it('creds without clientSecret only supplies the IDs (for OIDC)', () => {
    const inputs = readAuthInputs(source({ creds: JSON.stringify({ clientId: CLIENT, tenantId: TENANT }) }));
    expect(inputs.clientSecret).toBeUndefined();
    expect(inputs).toMatchObject({ clientId: CLIENT, tenantId: TENANT });
  });

  it.each([
    ['not JSON', `{"clientSecret": "${SECRET}"`, 'is not valid JSON'],
    ['an array', `["${SECRET}"]`, 'must be a JSON object, got an array'],
    ['a string', JSON.stringify(SECRET), 'must be a JSON object, got string'],
    [
      'a non-string field',
      JSON.stringify({ clientId: CLIENT, tenantId: TENANT, clientSecret: 42 }),
      'creds.clientSecret',
    ],
  ])('rejects creds that is %s without echoing it', (_what, creds, expected) => {
    const s = source({ creds });
    const err = errorOf(() => readAuthInputs(s));
    expect(err.message).toContain(expected);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(creds);
    // Masked before parsing, so even a runner-side echo of the raw text would be hidden.
    expect(s.masked[0]).toBe(creds);
  });

  it('rejects an input that contradicts creds, naming both', () => {
    const creds = JSON.stringify({ clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT });
    const other = '99999999-2222-4333-8444-555555555555';
    const err = errorOf(() => readAuthInputs(source({ creds, 'client-id': other })));
    expect(err.issues).toEqual([expect.objectContaining({ input: 'client-id', value: other })]);
    expect(err.message).toContain('clientId in creds');
  });

  it('reports every bad ID at once, with the input name and value', () => {
    const err = errorOf(() =>
      readAuthInputs(
        source({ 'client-id': 'my-app', 'tenant-id': 'not a tenant', 'subscription-id': 'Contoso Prod' }),
      ),
    );
    expect(err.issues.map((i) => [i.input, i.value])).toEqual([
      ['client-id', 'my-app'],
      ['subscription-id', 'Contoso Prod'],
      ['tenant-id', 'not a tenant'],
    ]);
  });

  it('accepts a tenant domain name', () => {
    expect(
      readAuthInputs(source({ 'client-id': CLIENT, 'tenant-id': 'contoso.onmicrosoft.com' })).tenantId,
    ).toBe('contoso.onmicrosoft.com');
  });

  it('requires tenant-id with a client secret, and never shows the secret', () => {
    const err = errorOf(() => readAuthInputs(source({ 'client-id': CLIENT, 'client-secret': SECRET })));
    expect(err.issues.map((i) => i.input)).toEqual(['tenant-id']);
    expect(err.message).not.toContain(SECRET);
  });

  it('refuses a secret given twice', () => {
    const creds = JSON.stringify({ clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT });
    const err = errorOf(() => readAuthInputs(source({ creds, 'client-secret': 'other-secret' })));
    expect(err.issues.map((i) => i.input)).toEqual(['client-secret']);
    expect(err.message).not.toContain('other-secret');
    expect(err.message).not.toContain(SECRET);
  });

  it('needs nothing at all (the Azure CLI session may do)', () => {
    expect(readAuthInputs(source({}))).toEqual({
      authType: 'SERVICE_PRINCIPAL',
      audience: DEFAULT_AUDIENCE,
      unknownCredsKeys: [],
    });
  });

  it('takes a custom audience', () => {
    expect(readAuthInputs(source({ audience: 'api://AzureADTokenExchangeUSGov' })).audience).toBe(
      'api://AzureADTokenExchangeUSGov',
    );
  });

  it('auth-type: IDENTITY (any case) needs no tenant; an unknown type or a secret with it is refused', () => {
    expect(readAuthInputs(source({ 'auth-type': 'identity' }))).toMatchObject({ authType: 'IDENTITY' });
    expect(readAuthInputs(source({ 'auth-type': 'IDENTITY', 'client-id': CLIENT }))).toMatchObject({
      authType: 'IDENTITY',
      clientId: CLIENT,
    });
    expect(readAuthInputs(source({}))).toMatchObject({ authType: 'SERVICE_PRINCIPAL' });
    const unknown = errorOf(() => readAuthInputs(source({ 'auth-type': 'MSI' })));
    expect(unknown.issues).toEqual([expect.objectContaining({ input: 'auth-type', value: 'MSI' })]);
    const secret = errorOf(() =>
      readAuthInputs(source({ 'auth-type': 'IDENTITY', 'client-id': CLIENT, 'client-secret': SECRET })),
    );
    expect(secret.issues).toEqual([expect.objectContaining({ input: 'client-secret', value: '(hidden)' })]);
  });
});
