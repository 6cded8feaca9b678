/**
 * auditVms with a fake Azure: a VM no policy covers is a finding with the
 * `enable` line that fixes it; a policy port open to any source is one too.
 */
import { auditVms } from '../../../../shared/ops/audit';
import { FakeWorld, policyId, SUB, vmId } from './fakeWorld';

function world(): FakeWorld {
  const w = new FakeWorld();
  w.addVm('web-01', '10.0.1.4');
  w.addVm('web-02', '10.0.1.5', 'rg-web', 'Linux');
  w.addVm('win-01', '10.0.2.4', 'rg-win');
  w.policies.push(
    {
      id: policyId('web-jit'),
      name: 'web-jit',
      location: 'eastus',
      virtualMachines: [
        {
          id: vmId('web-01'),
          ports: [
            {
              number: 22,
              protocol: '*',
              maxRequestAccessDuration: 'PT3H',
              allowedSourceAddressPrefix: '203.0.113.0/24',
            },
          ],
        },
      ],
    },
    {
      id: policyId('win-jit', 'rg-win'),
      name: 'win-jit',
      location: 'eastus',
      virtualMachines: [
        {
          id: vmId('win-01', 'rg-win'),
          ports: [
            {
              number: 3389,
              protocol: '*',
              maxRequestAccessDuration: 'PT3H',
              allowedSourceAddressPrefixes: ['0.0.0.0/0'],
            },
            { number: 5986, protocol: '*', maxRequestAccessDuration: 'PT3H' }, // no prefix: any
            {
              number: 22,
              protocol: '*',
              maxRequestAccessDuration: 'PT3H',
              allowedSourceAddressPrefix: '10.0.0.0/8',
            },
          ],
        },
      ],
    },
  );
  return w;
}

it('finds VMs without JIT and policies open to any source, across the subscription', async () => {
  const w = world();
  const report = await auditVms(w.clients(), { subscriptionId: SUB, resourceGroups: [] });
  expect(report.vmsChecked).toBe(3);
  expect(report.policiesChecked).toBe(2);
  expect(report.findings.map((f) => [f.vm, f.kind, f.policy, f.ports])).toEqual([
    ['web-02', 'no-jit-policy', undefined, undefined],
    ['win-01', 'any-source', 'win-jit', [3389, 5986]],
  ]);
  expect(report.findings[0]?.suggestion).toMatch(
    /^azure-jit-access enable --vms web-02 --resource-group rg-web /,
  );
  expect(report.findings[0]?.suggestion).toContain('--ports 22');
  // One policy list per resource group of the VMs found, never at subscription scope.
  expect(w.calls.filter((c) => c.startsWith('LIST')).sort()).toEqual([
    'LIST policies rg-web',
    'LIST policies rg-win',
    'LIST vms',
  ]);
});

it('with resource groups, lists only their VMs', async () => {
  const w = world();
  const report = await auditVms(w.clients(), { subscriptionId: SUB, resourceGroups: ['rg-web'] });
  expect(report.vmsChecked).toBe(2);
  expect(report.findings.map((f) => f.vm)).toEqual(['web-02']);
  expect(w.calls.filter((c) => c.startsWith('LIST'))).toEqual(['LIST vms rg-web', 'LIST policies rg-web']);
});
