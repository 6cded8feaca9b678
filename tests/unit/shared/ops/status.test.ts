/**
 * readStatus with a fake Azure: live requests come from the policy history
 * the one policy list returned, rules from the NSG read, and another
 * principal's words are flattened to one line.
 */
import type { JitNetworkAccessRequest } from '@azure/arm-security';
import { readStatus } from '../../../../shared/ops/status';
import { FakeWorld, jitRule, nsgId, policyId, SUB, vmId } from './fakeWorld';

const ref = (name: string) => ({ input: name, name, resourceGroup: 'rg-web', subscriptionId: SUB });
const NOW = new Date('2026-12-01T10:00:00Z');

function request(
  vm: string,
  port: number,
  source: string,
  end: string,
  status = 'Initiated',
): JitNetworkAccessRequest {
  return {
    startTimeUtc: new Date('2026-12-01T09:00:00Z'),
    requestor: 'alice@contoso.com\n::error::forged',
    justification: 'deploy\r\nrelease 7',
    virtualMachines: [
      {
        id: vmId(vm),
        ports: [
          {
            number: port,
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

function world(): FakeWorld {
  const w = new FakeWorld();
  w.addVm('web-01', '10.0.1.4');
  w.addVm('web-02', '10.0.1.5');
  w.addVm('lonely', '10.0.9.9');
  w.policies.push({
    id: policyId('web-jit'),
    name: 'web-jit',
    location: 'eastus',
    virtualMachines: [
      { id: vmId('web-01'), ports: [] },
      { id: vmId('WEB-02'), ports: [] },
    ],
    requests: [
      request('web-01', 22, '203.0.113.10', '2026-12-01T11:00:00Z'),
      request('web-01', 3389, '198.51.100.7', '2026-12-01T09:30:00Z'), // ended
      request('web-01', 5986, '198.51.100.7', '2026-12-01T11:00:00Z', 'Expired'),
      request('web-02', 22, '192.0.2.1', '2026-12-01T11:00:00Z'),
    ],
  });
  w.nsgs.set('web-01-nsg', [
    jitRule(1, '203.0.113.10', ['22'], '10.0.1.4'),
    jitRule(2, '203.0.113.10', ['22'], '10.0.1.99'), // another VM's address
    { ...jitRule(3, '*', ['80'], '10.0.1.4'), name: 'allow-http' }, // not a JIT rule
  ]);
  return w;
}

it('reports each VM with its policy, its live requests and the JIT rules for it', async () => {
  const w = world();
  const [web01, web02, lonely] = await readStatus(w.clients(NOW), [
    ref('web-01'),
    ref('web-02'),
    ref('lonely'),
  ]);

  expect(web01?.policy).toEqual({ name: 'web-jit', resourceGroup: 'rg-web', location: 'eastus' });
  expect(web01?.requests).toEqual([
    {
      port: 22,
      source: '203.0.113.10',
      status: 'Initiated',
      startTimeUtc: '2026-12-01T09:00:00.000Z',
      endTimeUtc: '2026-12-01T11:00:00.000Z',
      requestor: 'alice@contoso.com ⏎ ::error::forged',
      justification: 'deploy ⏎ release 7',
      ruleInNsg: true,
    },
  ]);
  expect(web01?.rules.map((r) => r.name)).toEqual([jitRule(1, '', [], '').name]);
  expect(web01?.rules[0]).toMatchObject({ nsg: 'web-01-nsg', ports: ['22'], sources: ['203.0.113.10'] });

  // The ID in the policy differs in case: still the same VM. Its request has no rule in the NSG.
  expect(web02?.requests.map((r) => [r.port, r.ruleInNsg])).toEqual([[22, false]]);
  expect(web02?.rules).toEqual([]);

  expect(lonely?.policy).toBeUndefined();
  expect(lonely?.requests).toEqual([]);
});

it('lists the policies once per resource group and reads each NSG on the path', async () => {
  const w = world();
  await readStatus(w.clients(NOW), [ref('web-01'), ref('web-02')]);
  expect(w.calls.filter((c) => c.startsWith('LIST policies'))).toEqual(['LIST policies rg-web']);
  expect(w.calls.filter((c) => c.startsWith('GET nsg')).sort()).toEqual([
    'GET nsg web-01-nsg',
    'GET nsg web-02-nsg',
  ]);
  expect(nsgId('web-01-nsg')).toContain('networkSecurityGroups');
});

it('a VM that does not exist fails as an input error naming it', async () => {
  await expect(readStatus(world().clients(NOW), [ref('web-09')])).rejects.toMatchObject({
    kind: 'input',
    message: expect.stringContaining("VM 'web-09' was not found") as unknown,
  });
});
