import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateNetwork, validateSecurity } from '../../../emulator/specs/validate';

const examples = join(__dirname, '..', '..', '..', 'emulator', 'specs');
const recordings = join(__dirname, '..', '..', 'fixtures', 'recordings');
const read = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));

describe('spec validation', () => {
  test('the copied swagger is the official 2020-01-01 file', () => {
    const spec = read(join(examples, 'security-2020-01-01-jitNetworkAccessPolicies.json')) as {
      info: { version: string };
    };
    expect(spec.info.version).toBe('2020-01-01');
  });

  test('real recorded Security responses validate (Initiating is allowed: modelAsString)', () => {
    const rec = read(join(recordings, 'ps_StartResourceGroupLevelResource_2022-11-17.json')) as {
      entries: { responseBody: unknown }[];
    };
    expect(validateSecurity('JitNetworkAccessPolicy', rec.entries[0]?.responseBody)).toEqual([]);
    expect(validateSecurity('JitNetworkAccessRequest', rec.entries[1]?.responseBody)).toEqual([]);
    const list = read(join(recordings, 'ps_GetSubscriptionScope_2023-09-28.json')) as {
      entries: { responseBody: unknown }[];
    };
    expect(validateSecurity('JitNetworkAccessPoliciesList', list.entries[1]?.responseBody)).toEqual([]);
  });

  test('invalid bodies are reported with their JSON path', () => {
    expect(
      validateSecurity('JitNetworkAccessPolicyInitiateRequest', {
        virtualMachines: [{ id: 'x', ports: [{ number: 22 }] }],
      }),
    ).toEqual(["/virtualMachines/0/ports/0 must have required property 'endTimeUtc'"]);
    expect(
      validateSecurity('JitNetworkAccessPolicyInitiateRequest', {
        virtualMachines: [{ id: 'x', ports: [{ number: 22, endTimeUtc: 'soon' }] }],
      }),
    ).toEqual(['/virtualMachines/0/ports/0/endTimeUtc must match format "date-time"']);
    expect(
      validateSecurity('JitNetworkAccessPolicy', {
        properties: {
          virtualMachines: [
            { id: 'x', ports: [{ number: 99999, protocol: 'TCP', maxRequestAccessDuration: 'PT1H' }] },
          ],
        },
      }).length,
    ).toBeGreaterThan(0);
  });

  test('the recorded NSG rule validates against the Network subset', () => {
    const rec = read(join(recordings, 'cli_network_nsg_rule_get_delete_lro.json')) as {
      entries: { responseBody?: unknown }[];
    };
    expect(validateNetwork('SecurityRule', rec.entries[0]?.responseBody)).toEqual([]);
    expect(
      validateNetwork('SecurityRule', {
        name: 'x',
        id: 'y',
        etag: 'W/"z"',
        properties: { protocol: 'Tcp', access: 'Maybe', priority: 1, direction: 'Inbound' },
      }).length,
    ).toBe(2);
  });
});
