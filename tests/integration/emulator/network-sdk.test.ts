/**
 * NSG, security rule, NIC, subnet, virtual network, public IP and VM operations
 * through the unmodified @azure/arm-network 39 and @azure/arm-compute 24 clients (modular generation),
 * including the security-rule LROs and the Network RP's byte format.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import { startEmulator, type Emulator } from '../../../emulator';
import { validateNetwork } from '../../../emulator/specs/validate';
import {
  PROD,
  all,
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

async function restError(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (error) {
    return error as RestError;
  }
  throw new Error('expected the SDK call to fail');
}

async function openWeb01(): Promise<string> {
  await c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
    virtualMachines: [
      {
        id: vmId('rg-web', 'web-01'),
        ports: [{ number: 22, endTimeUtc: new Date(emu.control.clock.now().getTime() + 3600_000) }],
      },
    ],
  });
  const rule = emu.control.rules('web-01-nsg').find((r) => r.jit === 'allow');
  if (!rule) throw new Error('no allow rule');
  return rule.name;
}

test('VM -> NIC -> subnet -> NSG walk, as a JIT client does it', async () => {
  const vm = await c.compute.virtualMachines.get('rg-web', 'web-02');
  expect(vm.id).toBe(vmId('rg-web', 'web-02'));
  const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id ?? '';
  expect(nicId).toMatch(/networkInterfaces\/web-02-nic$/);
  const nic = await c.network.networkInterfaces.get('rg-web', 'web-02-nic');
  expect(nic.networkSecurityGroup).toBeUndefined();
  expect(nic.virtualMachine?.id).toBe(vm.id);
  const ipc = nic.ipConfigurations?.[0];
  expect(ipc?.privateIPAddress).toBe('10.1.2.4');
  expect(ipc?.publicIPAddress).toBeUndefined();
  const subnet = await c.network.subnets.get('rg-web', 'vnet-web', 'snet-web2');
  expect(subnet.id).toBe(ipc?.subnet?.id);
  expect(subnet.networkSecurityGroup?.id).toMatch(/networkSecurityGroups\/snet-web2-nsg$/);
  const nsg = await c.network.networkSecurityGroups.get('rg-web', 'snet-web2-nsg');
  expect(nsg.subnets?.map((s) => s.id)).toEqual([subnet.id]);
  expect(nsg.defaultSecurityRules?.map((r) => r.name)).toEqual([
    'AllowVnetInBound',
    'AllowAzureLoadBalancerInBound',
    'DenyAllInBound',
    'AllowVnetOutBound',
    'AllowInternetOutBound',
    'DenyAllOutBound',
  ]);
  const vnet = await c.network.virtualNetworks.get('rg-web', 'vnet-web');
  expect(vnet.subnets?.map((s) => s.name)).toEqual(['snet-web1', 'snet-web2']);
  // The subnet list: the same subnets as their GETs, paged like every ARM list.
  emu.control.setPageSize(1);
  const listed = await all(c.network.subnets.list('rg-web', 'vnet-web'));
  expect(listed).toEqual([await c.network.subnets.get('rg-web', 'vnet-web', 'snet-web1'), subnet]);
  expect(emu.control.requests().filter((r) => /\/vnet-web\/subnets$/.test(r.path))).toHaveLength(2);
  const noVnet = await restError(all(c.network.subnets.list('rg-web', 'nope-vnet')));
  expect([noVnet.statusCode, noVnet.code]).toEqual([404, 'ResourceNotFound']);
});

test('public IP with FQDN; VM lists', async () => {
  const pip = await c.network.publicIPAddresses.get('rg-web', 'web-01-pip');
  expect(pip.ipAddress).toBe('20.121.40.10');
  expect(pip.dnsSettings?.fqdn).toBe('web-01.eastus.cloudapp.azure.com');
  expect(pip.ipConfiguration?.id).toMatch(/web-01-nic\/ipConfigurations\/ipconfig1$/);
  const nics = await all(c.network.networkInterfaces.list('rg-web'));
  expect(nics.map((n) => n.name).sort()).toEqual(['legacy-01-nic', 'web-01-nic', 'web-02-nic', 'win-01-nic']);
  expect((await all(c.network.publicIPAddresses.list('rg-web'))).map((p) => p.name)).toEqual(['web-01-pip']);
  expect((await all(c.network.networkInterfaces.listAll())).length).toBe(7);
  expect((await all(c.network.publicIPAddresses.listAll())).map((p) => p.name)).toEqual(['web-01-pip']);
  expect((await all(c.compute.virtualMachines.list('rg-api'))).map((v) => v.name)).toEqual(['api-01']);
  expect((await all(c.compute.virtualMachines.listAll())).length).toBe(7);
  const win = await c.compute.virtualMachines.get('rg-web', 'win-01');
  expect(win.storageProfile?.osDisk?.osType).toBe('Windows');
});

test('NSG lists and security rule list/get', async () => {
  const name = await openWeb01();
  expect((await all(c.network.networkSecurityGroups.list('rg-api'))).map((n) => n.name).sort()).toEqual([
    'api-01-nsg',
    'snet-api-nsg',
  ]);
  expect((await all(c.network.networkSecurityGroups.listAll())).length).toBe(7);
  const rules = await all(c.network.securityRules.list('rg-web', 'web-01-nsg'));
  expect(rules.map((r) => r.name)).toContain(name);
  const rule = await c.network.securityRules.get('rg-web', 'web-01-nsg', name);
  expect(rule).toMatchObject({
    access: 'Allow',
    direction: 'Inbound',
    priority: 100,
    destinationAddressPrefix: '10.1.1.4',
    provisioningState: 'Succeeded',
  });
  const missing = await restError(c.network.securityRules.get('rg-web', 'web-01-nsg', 'nope'));
  expect([missing.statusCode, missing.code]).toEqual([404, 'NotFound']);
  const noNsg = await restError(c.network.networkSecurityGroups.get('rg-web', 'nope-nsg'));
  expect([noNsg.statusCode, noNsg.code]).toEqual([404, 'ResourceNotFound']);
  expect(noNsg.message).toBe(
    "The Resource 'Microsoft.Network/networkSecurityGroups/nope-nsg' under resource group 'rg-web' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
});

test('rule DELETE is an LRO: 202 + Azure-AsyncOperation + Location, polled until Succeeded', async () => {
  const name = await openWeb01();
  emu.control.setRuleDelay(5000);
  const token = await armToken(emu);
  const path = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg/securityRules/${name}?api-version=2024-05-01`;
  const del = await raw(emu, 'DELETE', path, { token });
  expect(del.status).toBe(202);
  expect(del.text).toBe('');
  expect(del.headers['content-length']).toBe('0');
  expect(del.headers['x-ms-ratelimit-remaining-subscription-deletes']).toBe('14998');
  const op = String(del.headers['azure-asyncoperation']);
  const loc = String(del.headers.location);
  expect(
    op.startsWith(
      `${emu.armUrl}/subscriptions/${PROD}/providers/Microsoft.Network/locations/eastus/operations/`,
    ),
  ).toBe(true);
  expect(loc).toContain('/operationResults/');
  expect(emu.control.rules('web-01-nsg').find((r) => r.name === name)?.provisioningState).toBe('Deleting');
  expect((await raw(emu, 'GET', op, { token })).json()).toEqual({ status: 'InProgress' });
  expect((await raw(emu, 'GET', loc, { token })).status).toBe(202);
  emu.control.clock.advance(5000);
  const done = await raw(emu, 'GET', op, { token });
  expect(done.text).toBe('{\r\n  "status": "Succeeded"\r\n}'); // 29 bytes, as recorded
  expect(validateNetwork('AsyncOperationStatus', done.json())).toEqual([]);
  expect((await raw(emu, 'GET', loc, { token })).status).toBe(204);
  expect(emu.control.rules('web-01-nsg').some((r) => r.name === name)).toBe(false);
});

test('rule DELETE through the SDK poller, and 204 for a rule that is gone', async () => {
  const name = await openWeb01();
  await c.network.securityRules.beginDeleteAndWait('rg-web', 'web-01-nsg', name, { updateIntervalInMs: 5 });
  expect(emu.control.rules('web-01-nsg').some((r) => r.name === name)).toBe(false);
  const polls = emu.control.requests().filter((r) => r.path.includes('/operations/'));
  expect(polls.length).toBeGreaterThanOrEqual(1);
  await c.network.securityRules.beginDeleteAndWait('rg-web', 'web-01-nsg', name, { updateIntervalInMs: 5 });
  expect(
    emu.control
      .requests()
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.status),
  ).toEqual([202, 204]);
});

test('rule PUT: 201 Updating, then Succeeded after the delay; priority clash refused; 403 without write', async () => {
  const admin = clientsFor(emu, credentialFor(emu, 'jit-admin'), PROD, { maxRetries: 0 });
  emu.control.setRuleDelay(2000);
  const poller = await admin.network.securityRules.beginCreateOrUpdate(
    'rg-web',
    'web-01-nsg',
    'AllowSshFromOffice',
    {
      protocol: 'Tcp',
      access: 'Allow',
      direction: 'Inbound',
      priority: 200,
      sourceAddressPrefix: '192.0.2.0/24',
      destinationPortRange: '22',
    },
    { updateIntervalInMs: 5 },
  );
  expect(poller.getOperationState().status).toBe('running');
  expect(
    emu.control.rules('web-01-nsg').find((r) => r.name === 'AllowSshFromOffice')?.provisioningState,
  ).toBe('Updating');
  emu.control.clock.advance(2000);
  const created = await poller.pollUntilDone();
  expect(created).toMatchObject({
    name: 'AllowSshFromOffice',
    priority: 200,
    provisioningState: 'Succeeded',
  });
  expect(emu.control.requests().find((r) => r.method === 'PUT')?.status).toBe(201);
  emu.control.setRuleDelay(0);
  const clash = await restError(
    admin.network.securityRules.beginCreateOrUpdateAndWait('rg-web', 'web-01-nsg', 'Other', {
      protocol: 'Tcp',
      access: 'Deny',
      direction: 'Inbound',
      priority: 200,
    }),
  );
  expect([clash.statusCode, clash.code]).toEqual([400, 'SecurityRuleConflict']);
  const denied = await restError(
    c.network.securityRules.beginCreateOrUpdateAndWait('rg-web', 'web-01-nsg', 'x', {
      protocol: 'Tcp',
      access: 'Allow',
      direction: 'Inbound',
      priority: 210,
    }),
  );
  expect(denied.statusCode).toBe(403);
  expect(denied.message).toContain("'Microsoft.Network/networkSecurityGroups/securityRules/write'");
});

test('the Network RP writes CRLF pretty JSON; responses match the spec', async () => {
  const token = await armToken(emu);
  const name = await openWeb01();
  const nsgPath = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg?api-version=2025-05-01`;
  const res = await raw(emu, 'GET', nsgPath, { token });
  expect(res.text.startsWith('{\r\n  "name": "web-01-nsg",\r\n')).toBe(true);
  expect(res.text.replace(/\r\n/g, '')).not.toContain('\n');
  expect(Buffer.byteLength(res.text)).toBe(Number(res.headers['content-length']));
  const nsg = res.json() as {
    etag: string;
    properties: { securityRules: { etag: string; properties: Record<string, unknown> }[] };
  };
  expect(validateNetwork('NetworkSecurityGroup', nsg)).toEqual([]);
  for (const r of nsg.properties.securityRules) {
    expect(r.etag).toBe(nsg.etag); // every rule repeats its NSG's etag
    expect(r.properties).toMatchObject({
      sourcePortRanges: [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
    });
  }
  const rule = await raw(emu, 'GET', nsgPath.replace('?', `/securityRules/${name}?`), { token });
  expect(validateNetwork('SecurityRule', rule.json())).toEqual([]);
  expect(rule.headers.etag).toBe(nsg.etag);
  expect(rule.headers.server).toBe('Microsoft-HTTPAPI/2.0');
});
