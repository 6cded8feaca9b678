/**
 * Replays every request recorded from real Azure (tests/fixtures/recordings, copied
 * from ../shared/azure/recordings) against the emulator and checks the recorded
 * status code, the key set of the body (recursively), the body's byte length
 * (the recorded Content-Length: same ids, same key order, same JSON layout) and
 * that every recorded response header is present. Each recording gets a scenario
 * holding the resources its requests touch; setup that happened before the
 * recording is done first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator, type Scenario } from '../../../emulator';
import { loadScenario } from '../../../emulator/scenario/load';
import { armToken, raw } from './clients';

interface Entry {
  method: string;
  uri: string;
  status: number;
  requestBody?: unknown;
  responseHeaders?: Record<string, string[]>;
  responseBody?: unknown;
  responseBodyRaw?: string;
}

const dir = join(__dirname, '..', '..', 'fixtures', 'recordings');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const PS_SUB = '487bb485-b5b0-471e-9c0d-10717612f869';
const CLI_SUB = '00000000-0000-0000-0000-000000000000';

/** The tenant the recordings ran against, as a scenario (one admin principal). */
function recordingScenario(): Scenario {
  const base = loadScenario(undefined);
  return {
    ...base,
    principals: [
      {
        name: 'recorder',
        type: 'ServicePrincipal',
        clientId: '33333333-aaaa-4bbb-8ccc-000000000001',
        objectId: '44444444-aaaa-4bbb-8ccc-000000000001',
        secret: 'recorder-secret',
        roleAssignments: [{ scope: '/', actions: ['*'] }],
      },
    ],
    subscriptions: [
      {
        id: PS_SUB,
        displayName: 'PowerShell recordings',
        resourceGroups: [
          {
            name: 'myService1',
            location: 'centralus',
            virtualNetworks: [
              {
                name: 'vnet',
                addressPrefixes: ['10.0.0.0/16'],
                subnets: [{ name: 'default', addressPrefix: '10.0.0.0/24' }],
              },
            ],
            networkSecurityGroups: [{ name: 'testService-nsg' }, { name: 'testService1-nsg' }],
            virtualMachines: [
              {
                name: 'testService',
                networkInterfaces: [
                  {
                    name: 'testService-nic',
                    privateIp: '10.0.0.4',
                    subnet: 'vnet/default',
                    networkSecurityGroup: 'testService-nsg',
                  },
                ],
              },
              {
                name: 'testService1',
                networkInterfaces: [
                  {
                    name: 'testService1-nic',
                    privateIp: '10.0.0.5',
                    subnet: 'vnet/default',
                    networkSecurityGroup: 'testService1-nsg',
                  },
                ],
              },
            ],
          },
        ],
      },
      {
        id: CLI_SUB,
        displayName: 'CLI recordings',
        resourceGroups: [
          {
            name: 'cli_test_nsg000001',
            location: 'westus',
            networkSecurityGroups: [
              {
                name: 'test-nsg1',
                securityRules: [
                  {
                    name: 'web',
                    description: 'cool',
                    protocol: 'Tcp',
                    sourcePortRange: '1234-1235',
                    destinationPortRange: '1234-1235',
                    sourceAddressPrefix: '111',
                    destinationAddressPrefix: '111',
                    access: 'Deny',
                    priority: 888,
                    direction: 'Outbound',
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Every key path of a JSON value; array items are merged under `[]`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => keyPaths(v, `${prefix}[]`)))];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
}

const sorted = (xs: string[]): string[] => [...new Set(xs)].sort();
// Hop-by-hop and transfer details a recorder saw from Azure's front door, not from ARM.
const TRANSPORT = new Set(['transfer-encoding']);

let emu: Emulator;
let token: string;
beforeEach(async () => {
  emu = await startEmulator({ scenario: recordingScenario() });
  token = await armToken(emu, 'recorder');
});
afterEach(() => emu.stop());

test('there are recordings to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

test.each(files)('%s', async (file) => {
  const recording = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entries?: Entry[] };
  const entries = recording.entries ?? [];
  if (file === 'ps_GetSubscriptionScope_2023-09-28.json') {
    // The recording starts right after an initiate (its history shows that request).
    await raw(emu, 'PUT', entries[0]?.uri ?? '', { token, body: JSON.stringify(entries[0]?.requestBody) });
    const started = await emu.control.initiateAs('recorder', {
      resourceGroup: 'myService1',
      location: 'centralus',
      policy: 'default',
      subscriptionId: PS_SUB,
      body: {
        virtualMachines: [
          {
            id: `/subscriptions/${PS_SUB}/resourceGroups/myService1/providers/Microsoft.Compute/virtualMachines/testService1`,
            ports: [
              {
                number: 22,
                allowedSourceAddressPrefix: '127.0.0.1',
                endTimeUtc: new Date(emu.control.clock.now().getTime() + 3600_000)
                  .toISOString()
                  .replace('Z', '4567Z'),
              },
            ],
          },
        ],
      },
    });
    expect(started.status).toBe(202);
  }
  if (file === 'cli_network_nsg_list_item_test-nsg1.json') {
    const body = (
      recording as unknown as {
        body: { properties: { securityRules: { name: string; properties: unknown }[] } };
      }
    ).body;
    // The recorded NSG is from before the CLI test edited rule 'web': put that version first.
    const web = body.properties.securityRules[0];
    const nsgUri = `/subscriptions/${CLI_SUB}/resourceGroups/cli_test_nsg000001/providers/Microsoft.Network/networkSecurityGroups/test-nsg1`;
    const put = await raw(emu, 'PUT', `${nsgUri}/securityRules/${web?.name}?api-version=2021-08-01`, {
      token,
      body: JSON.stringify({ properties: web?.properties }),
    });
    expect(put.status).toBe(200);
    const res = await raw(
      emu,
      'GET',
      `/subscriptions/${CLI_SUB}/resourceGroups/cli_test_nsg000001/providers/Microsoft.Network/networkSecurityGroups?api-version=2021-08-01`,
      { token },
    );
    expect(res.status).toBe(200);
    const item = (res.json() as { value: unknown[] }).value[0];
    // The recorded NSG carries tags the scenario does not model.
    expect(sorted(keyPaths(item))).toEqual(sorted(keyPaths(body).filter((k) => !k.startsWith('.tags'))));
    return;
  }
  expect(entries.length).toBeGreaterThan(0);
  let lastAsyncOperation: string | undefined;
  for (const entry of entries) {
    let uri = entry.uri.replace(/^https:\/\/management\.azure\.com/, '');
    if (/\/operations\/[0-9a-f-]+/.test(uri) && lastAsyncOperation) uri = lastAsyncOperation; // our operation id, not theirs
    const requestBody = adaptBody(entry, emu);
    const res = await raw(emu, entry.method, uri, {
      token,
      ...(requestBody !== undefined ? { body: JSON.stringify(requestBody) } : {}),
    });
    expect({ uri, status: res.status }).toEqual({ uri, status: entry.status });
    const recordedBody =
      entry.responseBody ??
      (entry.responseBodyRaw ? (JSON.parse(entry.responseBodyRaw) as unknown) : undefined);
    if (recordedBody === undefined) expect(res.text).toBe('');
    else
      expect({ uri, keys: sorted(keyPaths(res.json())) }).toEqual({
        uri,
        keys: sorted(keyPaths(recordedBody)),
      });
    // Same ids, names and time precision as the recording: the bytes must match too.
    const recordedLength = Object.entries(entry.responseHeaders ?? {}).find(
      ([h]) => h.toLowerCase() === 'content-length',
    )?.[1][0];
    if (recordedLength !== undefined)
      expect({ uri, length: Buffer.byteLength(res.text) }).toEqual({ uri, length: Number(recordedLength) });
    const ours = new Set(Object.keys(res.headers));
    const missing = Object.keys(entry.responseHeaders ?? {})
      .map((h) => h.toLowerCase())
      .filter((h) => !TRANSPORT.has(h) && !ours.has(h));
    expect({ uri, missing }).toEqual({ uri, missing: [] });
    const op = res.headers['azure-asyncoperation'];
    if (typeof op === 'string') lastAsyncOperation = op.replace(emu.armUrl, '');
  }
});

/** Recorded request bodies, with times moved to "now" so an old endTimeUtc is not in the past. */
function adaptBody(entry: Entry, e: Emulator): unknown {
  if (entry.requestBody === undefined) return undefined;
  if (!entry.uri.includes('/initiate')) return entry.requestBody;
  const end = new Date(e.control.clock.now().getTime() + 3600_000).toISOString().replace('Z', '4567Z'); // 7 digits, like .NET sent
  return JSON.parse(
    JSON.stringify(entry.requestBody).replace(/"endTimeUtc":"[^"]+"/g, `"endTimeUtc":"${end}"`),
  ) as unknown;
}
