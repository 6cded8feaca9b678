/** The hint for a request history that no longer lists this run's own entry (Azure may trim it). */
import type { JitNetworkAccessPolicy, JitNetworkAccessRequest } from '@azure/arm-security';
import { findOurEntry } from '../../../../shared/jit/history';
import { newerWhileOursIsGone } from '../../../../shared/jit/supersede';

const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01';
const OUR_START = '2026-12-03T10:00:00.0000000Z';
const OUR_END = '2026-12-03T10:30:00.000Z';
const key = { vmId: VM, port: 22, endTimeUtc: OUR_END, source: '203.0.113.10' };

function request(start: string, source: string, end: string, status = 'Initiated'): JitNetworkAccessRequest {
  return {
    startTimeUtc: new Date(start),
    requestor: 'someone@example.com',
    virtualMachines: [
      {
        id: VM,
        ports: [
          {
            number: 22,
            allowedSourceAddressPrefix: source,
            endTimeUtc: new Date(end),
            status,
            statusReason: 'UserRequested',
          },
        ],
      },
    ],
  };
}
const policyWith = (...requests: JitNetworkAccessRequest[]): JitNetworkAccessPolicy => ({
  virtualMachines: [],
  requests,
});

it('names a request for the same VM port that started after ours when ours is not listed', () => {
  const newer = request('2026-12-03T10:05:00Z', '198.51.100.7', '2026-12-03T11:00:00Z');
  expect(newerWhileOursIsGone(policyWith(newer), key, OUR_START)).toEqual({
    requestor: 'someone@example.com',
    source: '198.51.100.7',
    startTimeUtc: '2026-12-03T10:05:00.000Z',
  });
});

it('says nothing while our own entry is listed, or when the other request is older than ours', () => {
  const ours = request(OUR_START, '203.0.113.10', OUR_END);
  const newer = request('2026-12-03T10:05:00Z', '198.51.100.7', '2026-12-03T11:00:00Z');
  expect(newerWhileOursIsGone(policyWith(ours, newer), key, OUR_START)).toBeUndefined();
  const older = request('2026-12-03T09:55:00Z', '198.51.100.7', '2026-12-03T11:00:00Z');
  expect(newerWhileOursIsGone(policyWith(older), key, OUR_START)).toBeUndefined();
  const revoked = request('2026-12-03T10:05:00Z', '198.51.100.7', '2026-12-03T11:00:00Z', 'Revoked');
  expect(newerWhileOursIsGone(policyWith(revoked), key, OUR_START)).toBeUndefined();
});

it('reads a history whose JSON holds something else where lists belong as holding no entry, without throwing', () => {
  const odd = [
    { requests: 'x' },
    { requests: [{ virtualMachines: { id: VM } }] },
    { requests: [{ virtualMachines: [{ id: VM, ports: 22 }] }] },
    { requests: [null] },
  ] as unknown as JitNetworkAccessPolicy[];
  for (const policy of odd) {
    expect(findOurEntry(policy, key)).toBeUndefined();
    expect(newerWhileOursIsGone(policy, key, OUR_START)).toBeUndefined();
  }
});
