/**
 * Answers the emulator gives the way real Azure is known to (reference §8): ARM gateway
 * errors in ARM's own form, the subscription-reads header on Network and Compute GETs,
 * JIT's own error codes, and a firewall-only VM (no NSG on its path).
 */
import { startEmulator, type Emulator } from '../../../emulator';
import {
  PROD,
  armToken,
  clientsFor,
  credentialFor,
  raw,
  scenarioWithAdmin,
  vmId,
  type Clients,
} from './clients';

let emu: Emulator;
let c: Clients;

beforeEach(async () => {
  emu = await startEmulator({ scenario: scenarioWithAdmin() });
  c = clientsFor(emu, credentialFor(emu), PROD, { maxRetries: 0 });
});
afterEach(() => emu.stop());

const CORRELATION = '0b9c4a36-5d1e-4f2a-8b3c-7d6e5f4a3b21';
const RG_WEB = `/subscriptions/${PROD}/resourceGroups/rg-web`;
const NSG_PATH = `${RG_WEB}/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`;
const WEB_JIT = `${RG_WEB}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`;
const inMinutes = (m: number): string =>
  new Date(emu.control.clock.now().getTime() + m * 60_000).toISOString();
const initiateBody = (vm = 'web-01'): string =>
  JSON.stringify({
    virtualMachines: [{ id: vmId('rg-web', vm), ports: [{ number: 22, endTimeUtc: inMinutes(30) }] }],
  });

describe('ARM gateway errors', () => {
  const cases: [string, string, string, string | undefined, number, string][] = [
    [
      '401 without a token',
      'GET',
      `${NSG_PATH}?api-version=2024-05-01`,
      undefined,
      401,
      'AuthenticationFailed',
    ],
    [
      '403 initiate by a Reader',
      'POST',
      `${WEB_JIT}/initiate?api-version=2020-01-01`,
      'jit-readonly',
      403,
      'AuthorizationFailed',
    ],
    [
      '403 rule delete by a Reader',
      'DELETE',
      `${NSG_PATH}/securityRules/AllowHttpsInbound?api-version=2024-05-01`,
      'jit-readonly',
      403,
      'AuthorizationFailed',
    ],
    [
      '404 missing resource group',
      'GET',
      `/subscriptions/${PROD}/resourceGroups/rg-nope/providers/Microsoft.Network/networkSecurityGroups/x?api-version=2024-05-01`,
      'jit-deployer',
      404,
      'ResourceGroupNotFound',
    ],
    [
      '404 missing subscription',
      'GET',
      `/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01?api-version=2024-07-01`,
      'jit-deployer',
      404,
      'SubscriptionNotFound',
    ],
    ['400 missing api-version', 'GET', NSG_PATH, 'jit-deployer', 400, 'MissingApiVersionParameter'],
  ];

  test.each(cases)(
    '%s: compact JSON, x-ms-failure-cause gateway, request id = correlation id, no Server, no rate limit',
    async (_label, method, path, principal, status, code) => {
      const res = await raw(emu, method, path, {
        ...(principal ? { token: await armToken(emu, principal) } : {}),
        ...(method === 'POST' ? { body: initiateBody() } : {}),
        headers: { 'x-ms-correlation-request-id': CORRELATION },
      });
      expect(res.status).toBe(status);
      const json = res.json() as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(res.text).toBe(JSON.stringify(json));
      expect(res.headers['x-ms-failure-cause']).toBe('gateway');
      expect(res.headers['x-ms-request-id']).toBe(CORRELATION);
      expect(res.headers['x-ms-correlation-request-id']).toBe(CORRELATION);
      expect(res.headers.server).toBeUndefined();
      expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ms-ratelimit'))).toEqual([]);
    },
  );

  test('a refused request spends nothing: Security read budget and write count', async () => {
    const deployer = await armToken(emu);
    const missingRg = await raw(
      emu,
      'GET',
      `/subscriptions/${PROD}/resourceGroups/rg-nope/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit?api-version=2020-01-01`,
      { token: deployer },
    );
    expect(missingRg.status).toBe(404);
    const first = await raw(emu, 'GET', `${WEB_JIT}?api-version=2020-01-01`, { token: deployer });
    expect(first.headers['x-ms-ratelimit-remaining-subscription-resource-requests']).toBe('749'); // the first read spent

    const post = (token: string) =>
      raw(emu, 'POST', `${WEB_JIT}/initiate?api-version=2020-01-01`, { token, body: initiateBody() });
    const a = await post(deployer);
    expect((await post(await armToken(emu, 'jit-readonly'))).status).toBe(403);
    const b = await post(deployer);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(Number(a.headers['x-ms-ratelimit-remaining-subscription-writes']) - 1).toBe(
      Number(b.headers['x-ms-ratelimit-remaining-subscription-writes']),
    );
  });

  test("the provider's own errors stay in the provider's form", async () => {
    const res = await raw(
      emu,
      'GET',
      `${RG_WEB}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/nope?api-version=2020-01-01`,
      {
        token: await armToken(emu),
      },
    );
    expect(res.status).toBe(404);
    expect((res.json() as { error: { code: string } }).error.code).toBe('PolicyNotFound');
    expect(res.headers['x-ms-failure-cause']).toBeUndefined();
    expect(res.headers.server).toBe('Kestrel');
  });
});

test('Network and Compute GETs carry x-ms-ratelimit-remaining-subscription-reads, counting down', async () => {
  const token = await armToken(emu);
  const nsg = await raw(emu, 'GET', `${NSG_PATH}?api-version=2024-05-01`, { token });
  const vm = await raw(
    emu,
    'GET',
    `${RG_WEB}/providers/Microsoft.Compute/virtualMachines/web-01?api-version=2024-07-01`,
    { token },
  );
  const [n, m] = [nsg, vm].map((r) => Number(r.headers['x-ms-ratelimit-remaining-subscription-reads']));
  expect(n).toBeGreaterThan(11_000);
  expect(m).toBe((n as number) - 1);
  expect(vm.headers['x-ms-ratelimit-remaining-resource']).toMatch(/^Microsoft\.Compute\/LowCostGet3Min;\d+/);
  // Security GETs keep their own header instead (reference §0.8).
  const jit = await raw(emu, 'GET', `${WEB_JIT}?api-version=2020-01-01`, { token });
  expect(jit.headers['x-ms-ratelimit-remaining-subscription-reads']).toBeUndefined();
});

describe('JIT codes', () => {
  test('400 InvalidInitiateInput for a port with neither or both of endTimeUtc and duration; duration alone works', async () => {
    emu.control.clock.freeze();
    const token = await armToken(emu);
    const post = (port: Record<string, unknown>) =>
      raw(emu, 'POST', `${WEB_JIT}/initiate?api-version=2020-01-01`, {
        token,
        body: JSON.stringify({
          virtualMachines: [{ id: vmId('rg-web', 'web-01'), ports: [{ number: 22, ...port }] }],
        }),
      });
    for (const port of [{}, { endTimeUtc: inMinutes(30), duration: 'PT30M' }]) {
      const res = await post(port);
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'InvalidInitiateInput',
          message: "Only one of fields 'EndTimeUtc' and 'Duration' can be set.",
        },
      });
    }
    expect(emu.control.jitRequests()).toEqual([]);
    const ok = await post({ duration: 'PT30M' });
    expect(ok.status).toBe(202);
    const end = (ok.json() as { virtualMachines: { ports: { endTimeUtc: string }[] }[] }).virtualMachines[0]
      ?.ports[0]?.endTimeUtc;
    expect(Date.parse(end ?? '')).toBe(emu.control.clock.now().getTime() + 30 * 60_000);
  });

  test('404 PolicyNotFound through the SDK', async () => {
    await expect(c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'PolicyNotFound',
    });
  });
});

test('firewall-only VM fw-02: no NSG on its path, firewall IP on the policy, mapped port on the request, no rule anywhere', async () => {
  const nic = await c.network.networkInterfaces.get('rg-hub', 'fw-02-nic');
  expect(nic.networkSecurityGroup).toBeUndefined();
  const subnet = await c.network.subnets.get('rg-hub', 'vnet-hub', 'snet-workload');
  expect(subnet.networkSecurityGroup).toBeUndefined();
  const policy = await c.security.jitNetworkAccessPolicies.get('rg-hub', 'eastus', 'hub-jit');
  expect(policy.virtualMachines.map((v) => [v.id.split('/').pop(), v.publicIpAddress])).toEqual([
    ['fw-01', '52.170.20.30'],
    ['fw-02', '52.170.20.30'],
  ]);
  const before = emu.control.rules().length;
  const res = await c.security.jitNetworkAccessPolicies.initiate('rg-hub', 'eastus', 'hub-jit', {
    virtualMachines: [
      { id: vmId('rg-hub', 'fw-02'), ports: [{ number: 22, endTimeUtc: new Date(inMinutes(30)) }] },
    ],
  });
  expect(res.virtualMachines[0]?.ports[0]).toMatchObject({ mappedPort: 50122, status: 'Initiating' });
  emu.control.clock.advance(60_000);
  expect(emu.control.rules().length).toBe(before);
  expect(emu.control.rules().filter((r) => r.properties.destinationAddressPrefix === '10.3.1.5')).toEqual([]);
  const [stored] = emu.control.jitRequests('hub-jit');
  expect(stored?.request.virtualMachines[0]?.ports[0]).toMatchObject({
    mappedPort: 50122,
    status: 'Initiated',
  });
});

test('policy PUT refuses a VM of another resource group or location, naming it; nothing is written', async () => {
  const admin = clientsFor(emu, credentialFor(emu, 'jit-admin'), PROD, { maxRetries: 0 });
  const port = {
    number: 22,
    protocol: 'TCP',
    allowedSourceAddressPrefix: '*',
    maxRequestAccessDuration: 'PT1H',
  };
  const err = (await admin.security.jitNetworkAccessPolicies
    .createOrUpdate('rg-web', 'eastus', 'web-jit', {
      virtualMachines: [
        { id: vmId('rg-web', 'legacy-01'), ports: [port] },
        { id: vmId('rg-api', 'api-01'), ports: [port] },
      ],
    })
    .catch((e: unknown) => e)) as { statusCode?: number; message?: string };
  expect(err.statusCode).toBe(400);
  expect(err.message).toBe(
    `The following Virtual Machines are in a different cloud, subscription, location or resource group than the JIT policy: ${vmId('rg-api', 'api-01')}`,
  );
  const westus = (await admin.security.jitNetworkAccessPolicies
    .createOrUpdate('rg-web', 'westus', 'web-west', {
      virtualMachines: [{ id: vmId('rg-web', 'legacy-01'), ports: [port] }],
    })
    .catch((e: unknown) => e)) as { statusCode?: number };
  expect(westus.statusCode).toBe(400);
  const policy = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
  expect(policy.virtualMachines.map((v) => v.id.split('/').pop())).toEqual(['web-01', 'web-02', 'win-01']);
  expect(emu.control.rules('legacy-01-nsg')).toEqual([]);
});
