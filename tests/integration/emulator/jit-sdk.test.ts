/**
 * Every JIT operation through the unmodified @azure/arm-security 5 client over
 * verified TLS, with tokens from @azure/identity: lists at all four scopes with
 * paging, get, put, delete, initiate, and the errors Azure answers.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { startEmulator, type Emulator } from '../../../emulator';
import { validateSecurity } from '../../../emulator/specs/validate';
import {
  DATA,
  PROD,
  all,
  clientsFor,
  credentialFor,
  raw,
  armToken,
  scenarioWithAdmin,
  vmId,
  type Clients,
} from './clients';

let emu: Emulator;
let c: Clients;
let admin: Clients;

beforeEach(async () => {
  emu = await startEmulator({ scenario: scenarioWithAdmin() });
  c = clientsFor(emu, credentialFor(emu), PROD, { maxRetries: 0 });
  admin = clientsFor(emu, credentialFor(emu, 'jit-admin'), PROD, { maxRetries: 0 });
});
afterEach(() => emu.stop());

const inMinutes = (m: number): Date => new Date(emu.control.clock.now().getTime() + m * 60_000);

async function restError(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (error) {
    return error as RestError;
  }
  throw new Error('expected the SDK call to fail');
}

const names = (ps: JitNetworkAccessPolicy[]): string[] => ps.map((p) => p.name ?? '').sort();
const SUBSET =
  /^The given access request is not a subset of policy '\/subscriptions\/.+\/jitNetworkAccessPolicies\/[^']+'\. Please make sure that the access request is within the allowed policy properties\.$/;

describe('lists', () => {
  test('subscription, region, resource group and resource group + region scopes', async () => {
    expect(names(await all(c.security.jitNetworkAccessPolicies.list()))).toEqual([
      'default',
      'hub-jit',
      'web-jit',
    ]);
    expect(names(await all(c.security.jitNetworkAccessPolicies.listByRegion('eastus')))).toEqual([
      'default',
      'hub-jit',
      'web-jit',
    ]);
    expect(names(await all(c.security.jitNetworkAccessPolicies.listByRegion('westeurope')))).toEqual([]);
    expect(names(await all(c.security.jitNetworkAccessPolicies.listByResourceGroup('rg-api')))).toEqual([
      'default',
    ]);
    expect(
      names(await all(c.security.jitNetworkAccessPolicies.listByResourceGroupAndRegion('rg-web', 'eastus'))),
    ).toEqual(['web-jit']);
    const data = clientsFor(emu, credentialFor(emu), DATA);
    expect(names(await all(data.security.jitNetworkAccessPolicies.listByRegion('westeurope')))).toEqual([
      'data-jit',
    ]);
  });

  test('pages through absolute nextLinks that point at the emulator', async () => {
    emu.control.setPageSize(1);
    expect(names(await all(c.security.jitNetworkAccessPolicies.list()))).toEqual([
      'default',
      'hub-jit',
      'web-jit',
    ]);
    const lists = emu.control
      .requests()
      .filter((r) => r.path.endsWith('/jitNetworkAccessPolicies') && r.method === 'GET');
    expect(lists.map((r) => r.status)).toEqual([200, 200, 200]); // first page + two nextLinks, all served here
    const token = await armToken(emu);
    const first = (
      await raw(
        emu,
        'GET',
        `/subscriptions/${PROD}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01`,
        { token },
      )
    ).json() as { nextLink: string };
    expect(
      first.nextLink.startsWith(
        `${emu.armUrl}/subscriptions/${PROD}/providers/Microsoft.Security/jitNetworkAccessPolicies?`,
      ),
    ).toBe(true);
  });
});

describe('get / put / delete', () => {
  test('get returns ports, prefixes and the firewall public IP', async () => {
    const hub = await c.security.jitNetworkAccessPolicies.get('rg-hub', 'eastus', 'hub-jit');
    expect(hub.virtualMachines[0]?.publicIpAddress).toBe('52.170.20.30');
    expect([hub.location, hub.type, hub.kind]).toEqual([
      'eastus',
      'Microsoft.Security/locations/jitNetworkAccessPolicies',
      'Basic',
    ]);
    const api = await c.security.jitNetworkAccessPolicies.get('rg-api', 'eastus', 'default');
    expect(
      api.virtualMachines[0]?.ports.map((p) => [
        p.number,
        p.protocol,
        p.allowedSourceAddressPrefixes ?? p.allowedSourceAddressPrefix,
      ]),
    ).toEqual([
      [22, 'TCP', ['203.0.113.10', '198.51.100.0/24']],
      [5985, '*', '*'],
    ]);
  });

  test('put answers Updating + appendMode, keeps the request history, writes deny rules', async () => {
    await c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
      virtualMachines: [{ id: vmId('rg-web', 'web-01'), ports: [{ number: 22, endTimeUtc: inMinutes(60) }] }],
    });
    const put = await admin.security.jitNetworkAccessPolicies.createOrUpdate('rg-web', 'eastus', 'web-jit', {
      kind: 'Basic',
      virtualMachines: [
        {
          id: vmId('rg-web', 'web-01'),
          ports: [
            {
              number: 22,
              protocol: 'TCP',
              allowedSourceAddressPrefix: '*',
              maxRequestAccessDuration: 'PT3H',
            },
          ],
        },
        {
          id: vmId('rg-web', 'legacy-01'),
          ports: [
            {
              number: 22,
              protocol: 'TCP',
              allowedSourceAddressPrefix: '*',
              maxRequestAccessDuration: 'PT3H',
            },
            {
              number: 3389,
              protocol: '*',
              allowedSourceAddressPrefix: '*',
              maxRequestAccessDuration: 'PT1H',
            },
          ],
        },
      ],
    });
    expect(put.provisioningState).toBe('Updating');
    expect(put.requests).toEqual([]); // the PUT echoes the (empty) requests it was sent
    const got = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
    expect(got.provisioningState).toBe('Updating');
    expect(got.requests?.[0]?.virtualMachines[0]?.ports[0]?.status).toBe('Initiated'); // history survived
    const legacyDeny = emu.control.rules('legacy-01-nsg').filter((r) => r.properties.access === 'Deny');
    expect(legacyDeny).toHaveLength(1);
    expect(legacyDeny[0]?.name).toMatch(/^SecurityCenter-JITRule_-?\d+_[0-9A-F]{32}$/);
    expect(legacyDeny[0]?.properties).toMatchObject({
      destinationPortRanges: ['22', '3389'],
      destinationAddressPrefix: '10.1.1.6',
      description: "ASC JIT Network Access rule for policy 'web-jit' of VM 'legacy-01'.",
      direction: 'Inbound',
      protocol: '*',
      priority: 4096,
    });
    expect(legacyDeny[0]?.properties.destinationPortRange).toBeUndefined();
    // win-01 left the policy: the cleaner removed its deny rule, not the user's rules.
    expect(emu.control.rules('win-01-nsg')).toEqual([]);
    expect(emu.control.rules('web-01-nsg').map((r) => r.name)).toContain('AllowHttpsInbound');
  });

  test('raw put: appendMode false, compact JSON in the recorded key order', async () => {
    const token = await armToken(emu, 'jit-admin');
    const path = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/new-jit?api-version=2020-01-01`;
    const body = {
      kind: 'Basic',
      properties: {
        virtualMachines: [
          {
            id: vmId('rg-web', 'legacy-01'),
            ports: [
              {
                number: 22,
                protocol: 'TCP',
                allowedSourceAddressPrefix: '127.0.0.1',
                maxRequestAccessDuration: 'PT3H',
              },
            ],
          },
        ],
      },
    };
    const res = await raw(emu, 'PUT', path, { token, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/\s/);
    const json = res.json() as Record<string, unknown> & { properties: Record<string, unknown> };
    expect(Object.keys(json)).toEqual(['kind', 'properties', 'id', 'name', 'type', 'location']);
    expect(Object.keys(json.properties)).toEqual([
      'virtualMachines',
      'requests',
      'provisioningState',
      'appendMode',
    ]);
    expect(json.properties.appendMode).toBe(false);
    expect(validateSecurity('JitNetworkAccessPolicy', json)).toEqual([]);
    expect(res.headers['x-ms-request-id']).toBe('');
    expect(res.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('1198');
    const preview = await raw(emu, 'PUT', path.replace('2020-01-01', '2015-06-01-preview'), {
      token,
      body: JSON.stringify(body),
    });
    const pj = preview.json() as { properties: Record<string, unknown> };
    expect(pj.properties.provisioningState).toBe('Succeeded');
    expect('appendMode' in pj.properties).toBe(false);
  });

  test('put accepts policy + VM names over 56 characters (initiate too) but no allow rule is ever written; refuses invalid bodies', async () => {
    const longName = 'p'.repeat(48); // + 'legacy-01' (9) = 57: the allow rule's description would be 141 characters
    const put = await admin.security.jitNetworkAccessPolicies.createOrUpdate('rg-web', 'eastus', longName, {
      virtualMachines: [
        {
          id: vmId('rg-web', 'legacy-01'),
          ports: [
            {
              number: 22,
              protocol: 'TCP',
              allowedSourceAddressPrefix: '*',
              maxRequestAccessDuration: 'PT1H',
            },
          ],
        },
      ],
    });
    expect(put.provisioningState).toBe('Updating');
    // The deny rule's description is shorter (47 fixed characters): it is written.
    expect(emu.control.rules('legacy-01-nsg').map((r) => r.jit)).toEqual(['deny']);
    const started = await c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', longName, {
      virtualMachines: [
        { id: vmId('rg-web', 'legacy-01'), ports: [{ number: 22, endTimeUtc: inMinutes(30) }] },
      ],
    });
    expect(started.virtualMachines[0]?.ports[0]?.status).toBe('Initiating');
    emu.control.clock.advance(60_000);
    expect(emu.control.rules('legacy-01-nsg').filter((r) => r.jit === 'allow')).toEqual([]);
    const got = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', longName);
    expect(got.requests?.[0]?.virtualMachines[0]?.ports[0]?.status).toBe('Initiated');
    // 56 exactly is fine.
    await admin.security.jitNetworkAccessPolicies.createOrUpdate('rg-web', 'eastus', 'p'.repeat(47), {
      virtualMachines: [
        {
          id: vmId('rg-web', 'legacy-01'),
          ports: [
            {
              number: 3389,
              protocol: '*',
              allowedSourceAddressPrefix: '*',
              maxRequestAccessDuration: 'PT1H',
            },
          ],
        },
      ],
    });
    await c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'p'.repeat(47), {
      virtualMachines: [
        { id: vmId('rg-web', 'legacy-01'), ports: [{ number: 3389, endTimeUtc: inMinutes(30) }] },
      ],
    });
    const allow = emu.control.rules('legacy-01-nsg').filter((r) => r.jit === 'allow');
    expect(allow.map((r) => r.properties.description?.length)).toEqual([140]);
    const token = await armToken(emu, 'jit-admin');
    const bad = await raw(
      emu,
      'PUT',
      `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/x?api-version=2020-01-01`,
      {
        token,
        body: JSON.stringify({ properties: { virtualMachines: [{ id: 'x', ports: [{ number: 70000 }] }] } }),
      },
    );
    expect(bad.status).toBe(400);
    expect((bad.json() as { error: { code: string } }).error.code).toBe('InvalidRequestContent');
  });

  test('delete answers 200 then 204, removes the policy and its rules', async () => {
    await admin.security.jitNetworkAccessPolicies.delete('rg-api', 'eastus', 'default');
    await expect(
      c.security.jitNetworkAccessPolicies.get('rg-api', 'eastus', 'default'),
    ).rejects.toMatchObject({ statusCode: 404, code: 'PolicyNotFound' });
    expect(emu.control.rules('api-01-nsg').map((r) => r.name)).toEqual(['AllowMonitoringInbound']);
    await admin.security.jitNetworkAccessPolicies.delete('rg-api', 'eastus', 'default'); // 204 is success too
    expect(
      emu.control
        .requests()
        .filter((r) => r.method === 'DELETE')
        .map((r) => r.status),
    ).toEqual([200, 204]);
    const del = await restError(c.security.jitNetworkAccessPolicies.delete('rg-web', 'eastus', 'web-jit'));
    expect([del.statusCode, del.code]).toEqual([403, 'AuthorizationFailed']);
  });
});

describe('initiate', () => {
  test('202 with Initiating/UserRequested, stored as Initiated, allow rule in every NSG on the path', async () => {
    const end = inMinutes(30);
    const res = await c.security.jitNetworkAccessPolicies.initiate('rg-api', 'eastus', 'default', {
      virtualMachines: [
        {
          id: vmId('rg-api', 'api-01'),
          ports: [{ number: 22, allowedSourceAddressPrefix: '198.51.100.0/24', endTimeUtc: end }],
        },
      ],
      justification: 'deploy 42',
    });
    expect(res.virtualMachines[0]?.ports[0]).toMatchObject({
      number: 22,
      status: 'Initiating',
      statusReason: 'UserRequested',
      allowedSourceAddressPrefix: '198.51.100.0/24',
    });
    expect(res.virtualMachines[0]?.ports[0]?.endTimeUtc.getTime()).toBe(end.getTime());
    expect(res.justification).toBe('deploy 42');
    expect(emu.control.requests().find((r) => r.path.endsWith('/initiate'))?.status).toBe(202);
    const [stored] = emu.control.jitRequests('default');
    expect(stored?.request.virtualMachines[0]?.ports[0]?.status).toBe('Initiated');
    expect(stored?.principal).toBe('jit-deployer');

    for (const nsg of ['api-01-nsg', 'snet-api-nsg']) {
      const allow = emu.control.rules(nsg).filter((r) => r.jit === 'allow');
      expect(allow).toHaveLength(1);
      expect(allow[0]?.name).toMatch(/^SecurityCenter-JITRule--?\d+-[0-9A-F]{32}$/);
      expect(allow[0]?.properties).toMatchObject({
        access: 'Allow',
        direction: 'Inbound',
        protocol: 'TCP',
        sourceAddressPrefix: '198.51.100.0/24',
        destinationAddressPrefix: '10.2.1.4',
        destinationPortRange: '22',
        description:
          "ASC JIT Network Access rule created by an initiation request for policy 'default' of VM 'api-01'.",
      });
      // api-01-nsg has a user rule at 100: the allow rule takes the next free slot.
      expect(allow[0]?.properties.priority).toBe(nsg === 'api-01-nsg' ? 101 : 100);
    }
  });

  test('omitted source uses the caller egress IP; firewall VM gets its mapped port', async () => {
    emu.control.setEgressIp('198.51.100.77');
    const res = await c.security.jitNetworkAccessPolicies.initiate('rg-hub', 'eastus', 'hub-jit', {
      virtualMachines: [{ id: vmId('rg-hub', 'fw-01'), ports: [{ number: 22, endTimeUtc: inMinutes(30) }] }],
    });
    expect(res.virtualMachines[0]?.ports[0]).toMatchObject({
      allowedSourceAddressPrefix: '198.51.100.77',
      mappedPort: 50022,
    });
    expect(
      emu.control.rules('fw-01-nsg').find((r) => r.jit === 'allow')?.properties.sourceAddressPrefix,
    ).toBe('198.51.100.77');
  });

  test.each([
    ['VM not in the policy', 'web-jit', 'legacy-01', 22, undefined, 30],
    ['port not in the policy', 'web-jit', 'web-01', 3389, undefined, 30],
    ['duration over the maximum', 'web-jit', 'win-01', 3389, undefined, 61],
    ['source not matching the prefixes verbatim', 'default', 'api-01', 22, '198.51.100.5', 30],
    ['egress IP outside the prefixes', 'default', 'api-01', 22, undefined, 30],
  ])('400 not a subset: %s', async (_label, policy, vm, port, source, minutes) => {
    const rg = policy === 'default' ? 'rg-api' : 'rg-web';
    if (_label.startsWith('egress')) emu.control.setEgressIp('192.0.2.1');
    const err = await restError(
      c.security.jitNetworkAccessPolicies.initiate(rg, 'eastus', policy, {
        virtualMachines: [
          {
            id: vmId(rg, vm),
            ports: [
              {
                number: port,
                endTimeUtc: inMinutes(minutes),
                ...(source ? { allowedSourceAddressPrefix: source } : {}),
              },
            ],
          },
        ],
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(SUBSET);
    expect(err.message).toContain(
      `/resourceGroups/${rg}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${policy}'`,
    );
    expect(emu.control.jitRequests()).toEqual([]); // nothing stored, nothing opened
    expect(emu.control.rules().filter((r) => r.jit === 'allow')).toEqual([]);
  });

  test('a prefix listed in the policy is accepted verbatim; * allows any source', async () => {
    await c.security.jitNetworkAccessPolicies.initiate('rg-api', 'eastus', 'default', {
      virtualMachines: [
        {
          id: vmId('rg-api', 'api-01'),
          ports: [
            { number: 22, allowedSourceAddressPrefix: '203.0.113.10', endTimeUtc: inMinutes(60) },
            { number: 5985, allowedSourceAddressPrefix: '192.0.2.44', endTimeUtc: inMinutes(30) },
          ],
        },
      ],
    });
    expect(
      emu.control
        .rules('api-01-nsg')
        .filter((r) => r.jit === 'allow')
        .map((r) => [
          r.properties.destinationPortRange,
          r.properties.sourceAddressPrefix,
          r.properties.protocol,
        ]),
    ).toEqual([
      ['22', '203.0.113.10', 'TCP'],
      ['5985', '192.0.2.44', '*'],
    ]);
  });

  test('endTimeUtc in the past is refused', async () => {
    const err = await restError(
      c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
        virtualMachines: [
          { id: vmId('rg-web', 'web-01'), ports: [{ number: 22, endTimeUtc: inMinutes(-1) }] },
        ],
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('must be in the future');
  });

  test('403 AuthorizationFailed with the real message for a Reader', async () => {
    const reader = clientsFor(emu, credentialFor(emu, 'jit-readonly'), PROD, { maxRetries: 0 });
    expect((await reader.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit')).name).toBe(
      'web-jit',
    );
    const err = await restError(
      reader.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
        virtualMachines: [
          { id: vmId('rg-web', 'web-01'), ports: [{ number: 22, endTimeUtc: inMinutes(30) }] },
        ],
      }),
    );
    const oid = emu.principals['jit-readonly']?.objectId ?? '';
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('AuthorizationFailed');
    expect(err.message).toBe(
      `The client '${oid}' with object id '${oid}' does not have authorization to perform action 'Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action' over scope '/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  });

  test('404: PolicyNotFound for a missing policy (get and initiate), ResourceGroupNotFound for a missing group', async () => {
    const missing = await restError(c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'nope'));
    expect([missing.statusCode, missing.code]).toEqual([404, 'PolicyNotFound']);
    const initiateMissing = await restError(
      c.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'nope', {
        virtualMachines: [
          { id: vmId('rg-web', 'web-01'), ports: [{ number: 22, endTimeUtc: inMinutes(30) }] },
        ],
      }),
    );
    expect([initiateMissing.statusCode, initiateMissing.code]).toEqual([404, 'PolicyNotFound']);
    const noRg = await restError(c.security.jitNetworkAccessPolicies.get('rg-nope', 'eastus', 'web-jit'));
    expect([noRg.statusCode, noRg.code, noRg.message]).toEqual([
      404,
      'ResourceGroupNotFound',
      "Resource group 'rg-nope' could not be found.",
    ]);
  });
});
