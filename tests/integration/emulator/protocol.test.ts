/**
 * Wire details the SDKs hide: headers per resource provider, api-version checks,
 * 401s, subscriptions/tenants/locations, and times with 0, 3, 6 or 7 fraction digits.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { validateSecurity } from '../../../emulator/specs/validate';
import { DATA, PROD, all, armToken, clientsFor, credentialFor, raw, vmId } from './clients';

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startEmulator();
  token = await armToken(emu);
});
afterAll(() => emu.stop());

const RG = `/subscriptions/${PROD}/resourceGroups`;
const initiatePath = `${RG}/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit/initiate?api-version=2020-01-01`;

test('Security RP: compact JSON, Kestrel, request id = correlation id on reads, empty on writes', async () => {
  const res = await raw(
    emu,
    'GET',
    `/subscriptions/${PROD}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01`,
    {
      token,
      headers: { 'x-ms-correlation-request-id': 'c0ffee00-0000-4000-8000-000000000001' },
    },
  );
  expect(res.status).toBe(200);
  expect(res.text).not.toContain('\n');
  expect(res.headers).toMatchObject({
    'cache-control': 'no-cache',
    pragma: 'no-cache',
    expires: '-1',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'content-type': 'application/json; charset=utf-8',
    server: 'Kestrel',
    'x-ms-correlation-request-id': 'c0ffee00-0000-4000-8000-000000000001',
    'x-ms-request-id': 'c0ffee00-0000-4000-8000-000000000001',
  });
  expect(String(res.headers['x-ms-routing-request-id'])).toMatch(
    /^[A-Z]+:\d{8}T\d{6}Z:c0ffee00-0000-4000-8000-000000000001$/,
  );
  expect(validateSecurity('JitNetworkAccessPoliciesList', res.json())).toEqual([]);
});

test('initiate over the wire: 202, no LRO headers, times echoed with the service precision', async () => {
  const now = emu.control.clock.now().getTime();
  const iso = (ms: number): string => new Date(now + ms).toISOString();
  const cases: [string, string][] = [
    [iso(3_600_000).replace(/\.\d{3}Z$/, 'Z'), ''], // 0 digits
    [iso(3_600_000).replace(/\.\d{3}Z$/, '.123Z'), '.123'], // 3 digits (JS SDK)
    [iso(3_600_000).replace(/\.\d{3}Z$/, '.123456Z'), '.123456'], // 6 digits (Python)
    [iso(3_600_000).replace(/\.\d{3}Z$/, '.5921811Z'), '.5921811'], // 7 digits (.NET)
  ];
  for (const [endTimeUtc, fraction] of cases) {
    const body = JSON.stringify({
      virtualMachines: [
        {
          id: vmId('rg-web', 'web-01'),
          ports: [{ number: 22, allowedSourceAddressPrefix: '192.0.2.1', endTimeUtc }],
        },
      ],
    });
    const res = await raw(emu, 'POST', initiatePath, { token, body });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['azure-asyncoperation']).toBeUndefined();
    expect(res.headers['x-ms-request-id']).toBe('');
    expect(res.headers['x-ms-ratelimit-remaining-subscription-writes']).toMatch(/^11\d\d$/);
    const json = res.json() as {
      virtualMachines: { ports: { endTimeUtc: string; status: string }[] }[];
      startTimeUtc: string;
      requestor: string;
    };
    expect(Object.keys(json)).toEqual(['virtualMachines', 'startTimeUtc', 'requestor']);
    expect(json.virtualMachines[0]?.ports[0]?.endTimeUtc).toBe(
      endTimeUtc.replace(/\.\d+Z$|Z$/, `${fraction}Z`),
    );
    expect(json.virtualMachines[0]?.ports[0]?.status).toBe('Initiating');
    expect(json.startTimeUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(validateSecurity('JitNetworkAccessRequest', json)).toEqual([]);
  }
  expect(emu.control.rules('web-01-nsg').filter((r) => r.jit === 'allow')).toHaveLength(1); // each one superseded the last
});

test('api-version: missing and unsupported are 400; every version current clients send is accepted', async () => {
  const nsg = `${RG}/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`;
  const missing = await raw(emu, 'GET', nsg, { token });
  expect([missing.status, (missing.json() as { error: { code: string } }).error.code]).toEqual([
    400,
    'MissingApiVersionParameter',
  ]);
  const bad = await raw(emu, 'GET', `${nsg}?api-version=2099-01-01`, { token });
  expect([bad.status, (bad.json() as { error: { code: string } }).error.code]).toEqual([
    400,
    'NoRegisteredProviderFound',
  ]);
  for (const v of ['2021-08-01', '2024-05-01', '2024-07-01', '2025-05-01', '2026-01-01']) {
    expect((await raw(emu, 'GET', `${nsg}?api-version=${v}`, { token })).status).toBe(200);
  }
  for (const v of ['2024-07-01', '2025-04-01', '2026-04-01']) {
    expect(
      (
        await raw(
          emu,
          'GET',
          `${RG}/rg-web/providers/Microsoft.Compute/virtualMachines/web-01?api-version=${v}`,
          { token },
        )
      ).status,
    ).toBe(200);
  }
  for (const v of ['2015-06-01-preview', '2020-01-01']) {
    expect(
      (
        await raw(
          emu,
          'GET',
          `${RG}/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit?api-version=${v}`,
          { token },
        )
      ).status,
    ).toBe(200);
  }
  const jitBad = await raw(
    emu,
    'GET',
    `${RG}/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit?api-version=2025-01-01`,
    { token },
  );
  expect(jitBad.status).toBe(400);
});

test('401 without or with a bad token, with a WWW-Authenticate challenge', async () => {
  const path = `${RG}/rg-web/providers/Microsoft.Compute/virtualMachines/web-01?api-version=2024-07-01`;
  const none = await raw(emu, 'GET', path);
  expect(none.status).toBe(401);
  expect(String(none.headers['www-authenticate'])).toMatch(
    /^Bearer authorization_uri="https:\/\/localhost:\d+\/5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b", error="invalid_token"/,
  );
  expect((none.json() as { error: { code: string } }).error.code).toBeTruthy();
  const forged = await raw(emu, 'GET', path, { token: `${token.slice(0, -4)}AAAA` });
  expect(forged.status).toBe(401);
  expect(
    emu.control
      .requests()
      .filter((r) => r.status === 401)
      .every((r) => r.principal === undefined),
  ).toBe(true);
});

test('subscriptions, tenants, resource groups and Security locations', async () => {
  const subs = (await raw(emu, 'GET', '/subscriptions?api-version=2022-12-01', { token })).json() as {
    value: { subscriptionId: string; displayName: string; tenantId: string; state: string }[];
  };
  expect(subs.value.map((s) => [s.subscriptionId, s.displayName, s.state])).toEqual([
    [PROD, 'Contoso Production', 'Enabled'],
    [DATA, 'Contoso Data', 'Enabled'],
  ]);
  expect(subs.value.every((s) => s.tenantId === emu.tenantId)).toBe(true);
  const tenants = (await raw(emu, 'GET', '/tenants?api-version=2022-12-01', { token })).json() as {
    value: { tenantId: string }[];
  };
  expect(tenants.value.map((t) => t.tenantId)).toEqual([emu.tenantId]);
  const rg = await raw(emu, 'GET', `/subscriptions/${DATA}/resourcegroups/rg-data?api-version=2024-11-01`, {
    token,
  });
  expect((rg.json() as { location: string }).location).toBe('westeurope');
  const noRg = await raw(emu, 'GET', `/subscriptions/${DATA}/resourcegroups/rg-nope?api-version=2024-11-01`, {
    token,
  });
  expect([noRg.status, (noRg.json() as { error: { code: string } }).error.code]).toEqual([
    404,
    'ResourceGroupNotFound',
  ]);
  const head = await raw(
    emu,
    'HEAD',
    `/subscriptions/${DATA}/resourcegroups/rg-data?api-version=2024-11-01`,
    { token },
  );
  expect([head.status, head.text]).toEqual([204, '']); // `az group exists`
  expect(
    (
      await raw(emu, 'HEAD', `/subscriptions/${DATA}/resourcegroups/rg-nope?api-version=2024-11-01`, {
        token,
      })
    ).status,
  ).toBe(404);
  const noSub = await raw(
    emu,
    'GET',
    `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups?api-version=2024-11-01`,
    { token },
  );
  expect([noSub.status, (noSub.json() as { error: { code: string } }).error.code]).toEqual([
    404,
    'SubscriptionNotFound',
  ]);
  const c = clientsFor(emu, credentialFor(emu), DATA);
  const locations = await all(c.security.locations.list());
  expect(
    locations.map((l) => [l.name, (l.properties as { homeRegionName?: string }).homeRegionName]),
  ).toEqual([['westeurope', 'westeurope']]);
});

test('the Azure CLI lower-cases resourcegroups; paths are case-insensitive', async () => {
  const res = await raw(
    emu,
    'GET',
    `/subscriptions/${PROD}/resourcegroups/RG-WEB/providers/microsoft.network/networksecuritygroups/WEB-01-NSG?api-version=2024-05-01`,
    { token },
  );
  expect(res.status).toBe(200);
  expect((res.json() as { name: string }).name).toBe('web-01-nsg');
});
