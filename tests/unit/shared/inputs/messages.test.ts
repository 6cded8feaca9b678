/**
 * What users read when inputs are wrong: the exact failure texts, kept in
 * __snapshots__/messages.test.ts.snap so the team can review the wording.
 */
import { describeError } from '../../../../shared/errors';
import { inputErrorFor, vmId, type Inputs } from './helpers';

const cases: Record<string, Inputs> = {
  'nothing set': { vms: '', ports: '', 'resource-group': '' },
  'bare VM name without resource-group': { 'resource-group': '' },
  'malformed resource IDs': {
    vms: [
      vmId('web-01', 'rg-web', 'not-a-guid'),
      '/subscriptions/a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d/resourceGroups/rg-web/providers/Microsoft.Network/networkInterfaces/nic-1',
      '/subscriptions/a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d/resourceGroups/rg-web',
      'web 01',
    ].join('\n'),
  },
  'out-of-range and malformed ports': { ports: '0, 22-25, ssh, 70000' },
  durations: { duration: 'PT90S' },
  'duration out of range': { duration: 'P2D' },
  'any source without the opt-in': { source: '*' },
  'malformed CIDRs': { source: '10.0.0.1/24' },
  'not a boolean': { 'dry-run': 'yes' },
  'poll-interval longer than wait-timeout': { 'poll-interval': '60', 'wait-timeout': '30' },
  'http IP provider': { 'ip-providers': 'http://api.ipify.org' },
  'wrong cloud': { cloud: 'AzureGermanCloud' },
  'Custom cloud without URLs': { cloud: 'Custom' },
  'URL with a named cloud': { cloud: 'AzureCloud', 'authority-host': 'https://login.example' },
};

it.each(Object.keys(cases))('%s', (name) => {
  expect(describeError(inputErrorFor(cases[name] ?? {}))).toMatchSnapshot();
});
