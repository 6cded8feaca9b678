/**
 * The behaviour switches (what real Azure leaves unknown), each value proved through
 * Microsoft's own SDK clients (plus raw HTTPS where the SDK hides the bytes): supersede,
 * rule layout, source form, echo, start time, serialized NSG writes and the history a read shows.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import { DEFAULT_BEHAVIOUR, startEmulator, type Emulator, type EmulatorBehaviour } from '../../../emulator';
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

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function start(behaviour: Partial<EmulatorBehaviour>): Promise<{ emu: Emulator; c: Clients }> {
  emu = await startEmulator({ scenario: scenarioWithAdmin(), behaviour });
  return { emu, c: clientsFor(emu, credentialFor(emu), PROD, { maxRetries: 0 }) };
}

async function restError(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (error) {
    return error as RestError;
  }
  throw new Error('expected the SDK call to fail');
}

const inMinutes = (e: Emulator, m: number): Date => new Date(e.control.clock.now().getTime() + m * 60_000);

/** The JIT allow rules of one NSG as the Network SDK reads them. */
async function allowRules(c: Clients, rg: string, nsg: string) {
  return (await all(c.network.securityRules.list(rg, nsg))).filter((r) =>
    r.name?.startsWith('SecurityCenter-JITRule-'),
  );
}

function initiate(
  e: Emulator,
  c: Clients,
  vm: string,
  ports: { number: number; source?: string; minutes?: number }[],
  rg = 'rg-web',
  policy = 'web-jit',
) {
  return c.security.jitNetworkAccessPolicies.initiate(rg, 'eastus', policy, {
    virtualMachines: [
      {
        id: vmId(rg, vm),
        ports: ports.map((p) => ({
          number: p.number,
          endTimeUtc: inMinutes(e, p.minutes ?? 30),
          ...(p.source !== undefined ? { allowedSourceAddressPrefix: p.source } : {}),
        })),
      },
    ],
  });
}

describe('options', () => {
  test('defaults are the original behaviour and are exposed on the handle', async () => {
    const { emu: e } = await start({});
    expect(e.behaviour).toEqual({
      supersede: 'replace',
      ruleLayout: 'per-port',
      sourceForm: 'verbatim',
      echo: 'full',
      startTime: 'same',
      nsgWrites: 'parallel',
      history: 'all',
    });
    expect(DEFAULT_BEHAVIOUR).toEqual(e.behaviour);
  });

  test('a partial behaviour fills in the rest; an unknown value is refused', async () => {
    const { emu: e } = await start({ echo: 'minimal', nsgWrites: 'serialized' });
    expect(e.behaviour).toMatchObject({ echo: 'minimal', nsgWrites: 'serialized', supersede: 'replace' });
    await expect(
      startEmulator({ behaviour: { echo: 'loud' } as unknown as Partial<EmulatorBehaviour> }),
    ).rejects.toThrow('behaviour.echo must be one of full, minimal; got "loud".');
  });
});

describe('supersede', () => {
  test('replace: the older port entry is Revoked/NewerRequestInitiated and its rule replaced', async () => {
    const { emu: e, c } = await start({ supersede: 'replace' });
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.1' }]);
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.2' }]);
    const policy = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
    expect(
      policy.requests?.map((r) => [
        r.virtualMachines[0]?.ports[0]?.status,
        r.virtualMachines[0]?.ports[0]?.statusReason,
      ]),
    ).toEqual([
      ['Revoked', 'NewerRequestInitiated'],
      ['Initiated', 'UserRequested'],
    ]);
    expect((await allowRules(c, 'rg-web', 'web-01-nsg')).map((r) => r.sourceAddressPrefix)).toEqual([
      '198.51.100.2',
    ]);
  });

  test('coexist: both requests stay Initiated with their own rules until each end time', async () => {
    const { emu: e, c } = await start({ supersede: 'coexist' });
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.1', minutes: 10 }]);
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.2', minutes: 30 }]);
    const policy = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
    expect(policy.requests?.map((r) => r.virtualMachines[0]?.ports[0]?.status)).toEqual([
      'Initiated',
      'Initiated',
    ]);
    const rules = await allowRules(c, 'rg-web', 'web-01-nsg');
    expect(rules.map((r) => [r.sourceAddressPrefix, r.destinationPortRange])).toEqual([
      ['198.51.100.1', '22'],
      ['198.51.100.2', '22'],
    ]);
    expect(new Set(rules.map((r) => r.priority)).size).toBe(2);
    e.control.clock.advance(10 * 60_000);
    const later = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
    expect(
      later.requests?.map((r) => [
        r.virtualMachines[0]?.ports[0]?.status,
        r.virtualMachines[0]?.ports[0]?.statusReason,
      ]),
    ).toEqual([
      ['Revoked', 'Expired'],
      ['Initiated', 'UserRequested'],
    ]);
    expect((await allowRules(c, 'rg-web', 'web-01-nsg')).map((r) => r.sourceAddressPrefix)).toEqual([
      '198.51.100.2',
    ]);
  });
});

describe('rule layout', () => {
  test('per-port: one allow rule per requested port', async () => {
    const { emu: e, c } = await start({ ruleLayout: 'per-port' });
    await initiate(e, c, 'win-01', [{ number: 3389 }, { number: 5986 }]);
    const rules = await allowRules(c, 'rg-web', 'win-01-nsg');
    expect(rules.map((r) => [r.destinationPortRange, r.destinationPortRanges])).toEqual([
      ['3389', []],
      ['5986', []],
    ]);
  });

  test('combined: one rule per request per NSG with destinationPortRanges; a single port stays singular', async () => {
    const { emu: e, c } = await start({ ruleLayout: 'combined' });
    await initiate(e, c, 'win-01', [
      { number: 3389, minutes: 30 },
      { number: 5986, minutes: 60 },
    ]);
    const [rule, ...more] = await allowRules(c, 'rg-web', 'win-01-nsg');
    expect(more).toEqual([]);
    expect(rule?.destinationPortRanges).toEqual(['3389', '5986']);
    expect(rule?.destinationPortRange).toBeUndefined();
    expect(rule?.description).toBe(
      "ASC JIT Network Access rule created by an initiation request for policy 'web-jit' of VM 'win-01'.",
    );
    // The port that ends first leaves the rule; the rule stays for the other.
    e.control.clock.advance(30 * 60_000);
    const [after] = await allowRules(c, 'rg-web', 'win-01-nsg');
    expect([after?.name, after?.destinationPortRange, after?.destinationPortRanges]).toEqual([
      rule?.name,
      '5986',
      [],
    ]);

    await initiate(e, c, 'web-01', [{ number: 22 }]);
    const [single] = await allowRules(c, 'rg-web', 'web-01-nsg');
    expect([single?.destinationPortRange, single?.destinationPortRanges]).toEqual(['22', []]);
  });
});

test('combined + replace: a newer request for one port takes it out of the older combined rule', async () => {
  const { emu: e, c } = await start({ ruleLayout: 'combined', supersede: 'replace' });
  await initiate(e, c, 'win-01', [
    { number: 3389, source: '198.51.100.1' },
    { number: 5986, source: '198.51.100.1' },
  ]);
  const [combined, ...none] = await allowRules(c, 'rg-web', 'win-01-nsg');
  expect([combined?.destinationPortRanges, none]).toEqual([['3389', '5986'], []]);
  await initiate(e, c, 'win-01', [{ number: 3389, source: '198.51.100.2' }]);
  const rules = await allowRules(c, 'rg-web', 'win-01-nsg');
  expect(rules[0]?.name).toBe(combined?.name); // the same rule, now without 3389
  expect(rules.map((r) => [r.sourceAddressPrefix, r.destinationPortRange, r.destinationPortRanges])).toEqual([
    ['198.51.100.1', '5986', []],
    ['198.51.100.2', '3389', []],
  ]);
  const [older] = e.control.jitRequests('web-jit');
  expect(older?.request.virtualMachines[0]?.ports.map((p) => [p.number, p.status, p.statusReason])).toEqual([
    [3389, 'Revoked', 'NewerRequestInitiated'],
    [5986, 'Initiated', 'UserRequested'],
  ]);
});

describe('source form', () => {
  test.each([
    ['verbatim', '203.0.113.10', { sourceAddressPrefix: '203.0.113.10', sourceAddressPrefixes: [] }],
    ['cidr', '203.0.113.10', { sourceAddressPrefix: '203.0.113.10/32', sourceAddressPrefixes: [] }],
    ['cidr', '198.51.100.0/24', { sourceAddressPrefix: '198.51.100.0/24', sourceAddressPrefixes: [] }],
    ['prefixes', '203.0.113.10', { sourceAddressPrefix: undefined, sourceAddressPrefixes: ['203.0.113.10'] }],
  ] as const)('%s: %s is written as %j', async (form, source, expected) => {
    const { emu: e, c } = await start({ sourceForm: form });
    await initiate(e, c, 'api-01', [{ number: 22, source }], 'rg-api', 'default');
    for (const nsg of ['api-01-nsg', 'snet-api-nsg']) {
      const [rule] = await allowRules(c, 'rg-api', nsg);
      expect({
        sourceAddressPrefix: rule?.sourceAddressPrefix,
        sourceAddressPrefixes: rule?.sourceAddressPrefixes,
      }).toEqual(expected);
    }
    // The request history keeps what was asked for, whatever the rule says.
    const policy = await c.security.jitNetworkAccessPolicies.get('rg-api', 'eastus', 'default');
    expect(policy.requests?.[0]?.virtualMachines[0]?.ports[0]?.allowedSourceAddressPrefix).toBe(source);
  });

  test('prefixes: the Network RP body has no sourceAddressPrefix key at all', async () => {
    const { emu: e, c } = await start({ sourceForm: 'prefixes' });
    await initiate(e, c, 'web-01', [{ number: 22 }]);
    const [rule] = await allowRules(c, 'rg-web', 'web-01-nsg');
    const res = await raw(
      e,
      'GET',
      `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg/securityRules/${rule?.name}?api-version=2024-05-01`,
      { token: await armToken(e) },
    );
    const props = (res.json() as { properties: Record<string, unknown> }).properties;
    expect('sourceAddressPrefix' in props).toBe(false);
    expect(props.sourceAddressPrefixes).toEqual(['203.0.113.10']);
  });
});

describe('echo', () => {
  test('full: the 202 carries the mapped port and the inferred source', async () => {
    const { emu: e, c } = await start({ echo: 'full' });
    const res = await initiate(e, c, 'fw-01', [{ number: 22 }], 'rg-hub', 'hub-jit');
    expect(res.virtualMachines[0]?.ports[0]).toMatchObject({
      mappedPort: 50022,
      allowedSourceAddressPrefix: '203.0.113.10',
    });
  });

  test('minimal: the 202 has neither; the stored history has both; a sent source is echoed', async () => {
    const { emu: e, c } = await start({ echo: 'minimal' });
    const res = await initiate(e, c, 'fw-01', [{ number: 22 }], 'rg-hub', 'hub-jit');
    const port = res.virtualMachines[0]?.ports[0];
    expect(port?.mappedPort).toBeUndefined();
    expect(port?.allowedSourceAddressPrefix).toBeUndefined();
    expect(port).toMatchObject({ number: 22, status: 'Initiating', statusReason: 'UserRequested' });
    const policy = await c.security.jitNetworkAccessPolicies.get('rg-hub', 'eastus', 'hub-jit');
    expect(policy.requests?.[0]?.virtualMachines[0]?.ports[0]).toMatchObject({
      mappedPort: 50022,
      allowedSourceAddressPrefix: '203.0.113.10',
      status: 'Initiated',
    });
    const sent = await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.9' }]);
    expect(sent.virtualMachines[0]?.ports[0]?.allowedSourceAddressPrefix).toBe('198.51.100.9');
  });
});

describe('start time', () => {
  async function startTimes(e: Emulator): Promise<{ accepted: string; stored: string }> {
    const token = await armToken(e);
    const policyPath = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`;
    const post = await raw(e, 'POST', `${policyPath}/initiate?api-version=2020-01-01`, {
      token,
      body: JSON.stringify({
        virtualMachines: [
          {
            id: vmId('rg-web', 'web-01'),
            ports: [{ number: 22, endTimeUtc: inMinutes(e, 30).toISOString() }],
          },
        ],
      }),
    });
    expect(post.status).toBe(202);
    const get = await raw(e, 'GET', `${policyPath}?api-version=2020-01-01`, { token });
    const accepted = (post.json() as { startTimeUtc: string }).startTimeUtc;
    const stored = (get.json() as { properties: { requests: { startTimeUtc: string }[] } }).properties
      .requests[0]?.startTimeUtc as string;
    return { accepted, stored };
  }

  test('same: the stored startTimeUtc is the 202 one, 7 fraction digits', async () => {
    const { emu: e } = await start({ startTime: 'same' });
    const { accepted, stored } = await startTimes(e);
    expect(accepted).toMatch(/\.\d{7}Z$/);
    expect(stored).toBe(accepted);
  });

  test('rounded: the stored startTimeUtc differs from the 202 one by sub-second rounding', async () => {
    const { emu: e } = await start({ startTime: 'rounded' });
    const { accepted, stored } = await startTimes(e);
    expect(accepted).toMatch(/\.\d{7}Z$/);
    expect(stored).toMatch(/T\d\d:\d\d:\d\dZ$/);
    expect(stored).not.toBe(accepted);
    const diff = Date.parse(accepted) - Date.parse(stored);
    expect(diff).toBeGreaterThanOrEqual(0);
    expect(diff).toBeLessThan(1000);
  });
});

describe('NSG writes', () => {
  async function twoRules(e: Emulator, c: Clients): Promise<string[]> {
    await initiate(e, c, 'win-01', [{ number: 3389 }, { number: 5986 }]);
    e.control.clock.advance(5000); // let JIT's own write settle
    return (await allowRules(c, 'rg-web', 'win-01-nsg')).map((r) => r.name ?? '');
  }

  test('parallel: two deletes in one NSG at once both succeed', async () => {
    const { emu: e, c } = await start({ nsgWrites: 'parallel' });
    const [a, b] = await twoRules(e, c);
    await Promise.all([
      c.network.securityRules.beginDeleteAndWait('rg-web', 'win-01-nsg', a ?? '', { updateIntervalInMs: 5 }),
      c.network.securityRules.beginDeleteAndWait('rg-web', 'win-01-nsg', b ?? '', { updateIntervalInMs: 5 }),
    ]);
    expect(await allowRules(c, 'rg-web', 'win-01-nsg')).toEqual([]);
  });

  test('serialized: a second write while one is in flight gets 409 AnotherOperationInProgress with Retry-After', async () => {
    const { emu: e, c } = await start({ nsgWrites: 'serialized' });
    e.control.clock.freeze();
    const [a, b] = await twoRules(e, c);
    const first = await c.network.securityRules.beginDelete('rg-web', 'win-01-nsg', a ?? '', {
      updateIntervalInMs: 5,
    });
    const err = await restError(c.network.securityRules.beginDelete('rg-web', 'win-01-nsg', b ?? ''));
    expect([err.statusCode, err.code]).toEqual([409, 'AnotherOperationInProgress']);
    expect(err.message).toMatch(
      /^Another operation on this or dependent resource is in progress\. To retrieve status of the operation use uri: https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.+\/providers\/Microsoft\.Network\/locations\/eastus\/operations\/[0-9a-f-]+\?api-version=[\d-]+\.$/,
    );
    expect(Number(err.response?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The Network RP's envelope: CRLF pretty JSON with `details`.
    const token = await armToken(e);
    const again = await raw(
      e,
      'DELETE',
      `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/win-01-nsg/securityRules/${b}?api-version=2024-05-01`,
      { token },
    );
    expect(again.status).toBe(409);
    expect(again.text).toContain('\r\n  "error": {');
    expect((again.json() as { error: { details: unknown[] } }).error.details).toEqual([]);
    // The operation named in the message is pollable.
    const opUrl = /use uri: (\S+)\.$/.exec(err.message)?.[1] ?? '';
    expect((await raw(e, 'GET', opUrl, { token })).json()).toEqual({ status: 'InProgress' });
    // Once the first write is done, the retry goes through.
    e.control.clock.advance(Number(err.response?.headers.get('retry-after')) * 1000);
    await first.pollUntilDone();
    const second = await c.network.securityRules.beginDelete('rg-web', 'win-01-nsg', b ?? '', {
      updateIntervalInMs: 5,
    });
    e.control.clock.advance(1000); // a write holds the NSG (and its operation runs) for 1 s at least
    await second.pollUntilDone();
    expect(await allowRules(c, 'rg-web', 'win-01-nsg')).toEqual([]);
  });

  test("serialized: JIT's own rule write holds the NSG too", async () => {
    const { emu: e, c } = await start({ nsgWrites: 'serialized' });
    e.control.clock.freeze();
    await initiate(e, c, 'web-01', [{ number: 22 }]);
    const busy = await restError(
      c.network.securityRules.beginDelete('rg-web', 'web-01-nsg', 'AllowHttpsInbound'),
    );
    expect([busy.statusCode, busy.code]).toEqual([409, 'AnotherOperationInProgress']);
    // Other NSGs are not held.
    await initiate(e, c, 'api-01', [{ number: 5985 }], 'rg-api', 'default');
    e.control.clock.advance(1000);
    const poller = await c.network.securityRules.beginDelete('rg-web', 'web-01-nsg', 'AllowHttpsInbound');
    expect(poller.getOperationState().status).toBe('running');
  });

  test("serialized: JIT's own write waits for a client's write in flight on that NSG", async () => {
    const { emu: e, c } = await start({ nsgWrites: 'serialized' });
    e.control.clock.freeze();
    await c.network.securityRules.beginDelete('rg-web', 'web-01-nsg', 'AllowHttpsInbound');
    await initiate(e, c, 'web-01', [{ number: 22 }]);
    expect(await allowRules(c, 'rg-web', 'web-01-nsg')).toEqual([]);
    e.control.clock.advance(1000);
    expect((await allowRules(c, 'rg-web', 'web-01-nsg')).map((r) => r.destinationPortRange)).toEqual(['22']);
  });
});

describe('history', () => {
  const sources = (p: {
    requests?: { virtualMachines: { ports: { allowedSourceAddressPrefix?: string }[] }[] }[];
  }) => p.requests?.map((r) => r.virtualMachines[0]?.ports[0]?.allowedSourceAddressPrefix);

  test('all: a policy read (get and list) shows every request, oldest first', async () => {
    const { emu: e, c } = await start({ history: 'all' });
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.1' }]);
    await initiate(e, c, 'web-02', [{ number: 22, source: '198.51.100.2' }]);
    expect(sources(await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit'))).toEqual([
      '198.51.100.1',
      '198.51.100.2',
    ]);
  });

  test("newest: get and list show only the newest request; the older one's rule still lives and expires", async () => {
    const { emu: e, c } = await start({ history: 'newest' });
    await initiate(e, c, 'web-01', [{ number: 22, source: '198.51.100.1', minutes: 10 }]);
    await initiate(e, c, 'web-02', [{ number: 22, source: '198.51.100.2', minutes: 30 }]);
    expect(sources(await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit'))).toEqual([
      '198.51.100.2',
    ]);
    const listed = await all(c.security.jitNetworkAccessPolicies.listByResourceGroup('rg-web'));
    expect(sources(listed.find((p) => p.name === 'web-jit') ?? {})).toEqual(['198.51.100.2']);
    // Only what a read shows is trimmed: the older request's rule is live until its own end time.
    expect((await allowRules(c, 'rg-web', 'web-01-nsg')).map((r) => r.sourceAddressPrefix)).toEqual([
      '198.51.100.1',
    ]);
    e.control.clock.advance(10 * 60_000);
    expect(await allowRules(c, 'rg-web', 'web-01-nsg')).toEqual([]);
  });
});
