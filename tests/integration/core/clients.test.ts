/**
 * The SDK client factory on its own against the emulator: a hung call is cut
 * by the per-attempt timeout and retried (reads only), and the policy list
 * follows nextLink pages.
 */
import { loadScenario, startEmulator } from '../../../emulator';
import { azureCall } from '../../../shared/azure/call';
import { createAzureClients } from '../../../shared/azure/clients';
import { resolveTopologies } from '../../../shared/azure/topology';
import { AzureApiError } from '../../../shared/errors';
import { listPolicies, prefetchPolicies } from '../../../shared/jit/policies';
import { instantOf } from '../../../shared/time';
import { initiateAsOther } from '../../helpers/otherRequest';
import { emulatorCloud, emulatorConnect } from '../../helpers/emulatorSession';
import { SUB, type Emulator } from './harness';

// Real HTTPS, real OAuth, a shared 2-core machine: allow more than jest's 5 s default.
jest.setTimeout(30_000);

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function clientsFor(e: Emulator, requestTimeoutMs?: number) {
  const session = await emulatorConnect(e)(emulatorCloud(e));
  return createAzureClients(session, { tlsCa: e.caPem, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
}

it('a read that hangs is timed out and retried', async () => {
  emu = await startEmulator();
  emu.control.faults.add({ method: 'GET', path: /virtualMachines\/web-01\?/, hang: true, times: 1 });
  const clients = await clientsFor(emu, 500);
  const [vm] = await resolveTopologies(clients, [
    { input: 'web-01', name: 'web-01', resourceGroup: 'rg-web' },
  ]);
  expect(vm?.privateIps).toEqual(['10.1.1.4']);
  const vmReads = emu.control.requests().filter((r) => r.provider === 'compute');
  expect(vmReads.length).toBeGreaterThanOrEqual(1);
  expect(vmReads.at(-1)?.status).toBe(200);
});

it('a write that hangs is not retried (initiate is not idempotent) and fails naming the operation', async () => {
  emu = await startEmulator();
  emu.control.faults.add({ method: 'POST', path: /\/initiate/, hang: true, times: 1 });
  const clients = await clientsFor(emu, 500);
  const security = clients.security(SUB);
  const body = {
    virtualMachines: [
      {
        id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`,
        ports: [{ number: 22, endTimeUtc: new Date(Date.now() + 600_000) }],
      },
    ],
  };
  const error = await azureCall('initiate web-jit', undefined, (o) =>
    security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', body, o),
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AzureApiError);
  expect((error as AzureApiError).message).toContain('initiate web-jit');
  expect((error as AzureApiError).message).toContain('got no response within 500 ms');
  expect(emu.control.jitRequests('web-jit')).toHaveLength(0);
});

it('policies are listed per resource group (never subscription-wide), once per distinct group, following nextLink pages', async () => {
  emu = await startEmulator({ pageSize: 1 });
  const clients = await clientsFor(emu);
  const policies = await listPolicies(clients, [
    { subscriptionId: SUB, resourceGroup: 'rg-web' },
    { subscriptionId: SUB.toUpperCase(), resourceGroup: 'RG-WEB' },
    { subscriptionId: SUB, resourceGroup: 'rg-api' },
  ]);
  expect(policies.map((p) => p.name).sort()).toEqual(['default', 'web-jit']);
  const lists = emu.control.requests().filter((r) => r.provider === 'security');
  expect(lists).toHaveLength(2); // one list per distinct group (case-insensitive), one page each
  for (const l of lists) expect(l.path.toLowerCase()).toContain('/resourcegroups/');
  expect(policies.find((p) => p.name === 'web-jit')).toMatchObject({
    resourceGroup: 'rg-web',
    location: 'eastus',
  });
});

it("main's policy lists leave the request history out, the single read keeps it as JSON: the same policies otherwise", async () => {
  // Two policies in rg-web, one a page: the second comes through nextLink.
  const scenario = loadScenario(undefined);
  const web = scenario.subscriptions[0]?.resourceGroups.find((g) => g.name === 'rg-web');
  const policy = web?.jitPolicies?.[0];
  if (!web?.jitPolicies || !policy) throw new Error('the default scenario changed: no rg-web policy');
  const legacy = policy.virtualMachines.filter((v) => v.vm === 'legacy-01');
  policy.virtualMachines = policy.virtualMachines.filter((v) => v.vm !== 'legacy-01');
  web.jitPolicies.push({ ...policy, name: 'legacy-jit', virtualMachines: legacy });
  emu = await startEmulator({ pageSize: 1, scenario });
  for (const vm of ['web-01', 'web-02'])
    expect(
      await initiateAsOther(emu, { vm, resourceGroup: 'rg-web', policy: 'web-jit', source: '198.51.100.7' }),
    ).toBe(202);
  const clients = await clientsFor(emu);
  const jit = clients.security(SUB).jitNetworkAccessPolicies;
  const full = [];
  for await (const p of jit.listByResourceGroup('rg-web')) full.push(p);
  const slim = [];
  for await (const p of jit.listByResourceGroupWithoutHistory('rg-web')) slim.push(p);

  expect(full.map((p) => p.name)).toEqual(['web-jit', 'legacy-jit']);
  expect(full[0]?.requests).toHaveLength(2);
  expect(slim.map((p) => 'requests' in p)).toEqual([false, false]);
  expect(slim).toEqual(full.map(({ requests: _history, ...rest }) => rest));
  // Each list is two pages (pageSize 1), and main's prefetch uses the slim one.
  const policies = await prefetchPolicies(clients, [{ subscriptionId: SUB, resourceGroup: 'rg-web' }])([
    { subscriptionId: SUB, resourceGroup: 'rg-web' },
  ]);
  expect(policies.map((p) => [p.name, p.virtualMachines.length, p.requests.length])).toEqual([
    ['web-jit', policy.virtualMachines.length, 0],
    ['legacy-jit', legacy.length, 0],
  ]);
  const lists = emu.control.requests().filter((r) => r.provider === 'security' && r.method === 'GET');
  expect(lists).toHaveLength(6);

  // The single read that post and the wait make: the same policy, its history as the JSON Azure sent.
  const sdk = await jit.get('rg-web', 'eastus', 'web-jit');
  const raw = await jit.getWithRawHistory('rg-web', 'eastus', 'web-jit');
  const { requests: sdkHistory, ...sdkRest } = sdk;
  const { requests: rawHistory, ...rawRest } = raw;
  expect(rawRest).toEqual(sdkRest);
  expect(rawHistory).toHaveLength(2);
  expect(typeof rawHistory?.[0]?.startTimeUtc).toBe('string');
  // The same instants as the SDK's Dates, read the way the history readers read them (instantOf).
  type Entry = {
    startTimeUtc?: Date | string;
    virtualMachines?: readonly { ports?: readonly { endTimeUtc: Date | string }[] }[];
  };
  const times = (h: readonly Entry[] | undefined) =>
    (h ?? []).map((r) =>
      [r.startTimeUtc, r.virtualMachines?.[0]?.ports?.[0]?.endTimeUtc].map((t) =>
        instantOf(t)?.toISOString(),
      ),
    );
  expect(times(rawHistory)).toEqual(times(sdkHistory));
  expect(typeof rawHistory?.[0]?.virtualMachines?.[0]?.ports?.[0]?.endTimeUtc).toBe('string');
});
