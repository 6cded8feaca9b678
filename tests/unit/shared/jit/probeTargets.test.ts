/** Which targets the readiness probe connects to, per `probe` mode. */
import { targetsToProbe } from '../../../../shared/jit/probe';
import type { Target } from '../../../../shared/jit/targets';

const target = (vm: string, firewallIp: string | undefined, nsgIds: string[]): Target => ({
  vm,
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vm}`,
  policy: 'p',
  host: firewallIp ?? '20.0.0.1',
  port: 22,
  ports: [{ port: 22, connectPort: 22 }],
  privateIp: '10.0.0.4',
  ...(firewallIp !== undefined ? { firewallIp } : {}),
  source: '203.0.113.10',
  expiresAt: '2026-01-01T00:00:00.000Z',
  ruleNames: [],
  nsgIds,
});

const nsgOnly = target('web-01', undefined, ['nsg-a']);
const firewallAndNsg = target('fw-01', '52.170.20.30', ['fw-01-nsg']);
const firewallOnly = target('fw-02', '52.170.20.30', []);
const all = [nsgOnly, firewallAndNsg, firewallOnly];
const names = (ts: readonly Target[]) => ts.map((t) => t.vm);

it('auto probes every VM reached through Azure Firewall, with or without an NSG on its path, and no other', () => {
  expect(names(targetsToProbe('auto', all))).toEqual(['fw-01', 'fw-02']);
});

it('always probes every VM, never probes none', () => {
  expect(names(targetsToProbe('always', all))).toEqual(['web-01', 'fw-01', 'fw-02']);
  expect(targetsToProbe('never', all)).toEqual([]);
});
