/**
 * Post's re-check (closeAccess) with a fake Azure: a deleted rule that stays
 * gone is reported deleted; one that came back and whose second delete is
 * refused, or whose NSG cannot be read again, is reported per rule as
 * `forbidden` (the CLI's exit 3), with the permission named, and the report
 * is incomplete so the state is kept for a retry.
 */
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { closeAccess, type CloseReport } from '../../../../shared/jit/close';
import { FakeWorld, jitRule, nsgId, policyId, savedState, vmId } from '../ops/fakeWorld';

const SOURCE = '203.0.113.10';
const END = '2026-12-01T11:00:00.000Z';
const RULE = jitRule(1, SOURCE, ['22'], '10.0.1.4');
const NAME = RULE.name ?? '';
const NSG = nsgId('web-01-nsg');

const policy: JitNetworkAccessPolicy = {
  id: policyId('web-jit'),
  name: 'web-jit',
  location: 'eastus',
  virtualMachines: [{ id: vmId('web-01'), ports: [] }],
  requests: [
    {
      startTimeUtc: new Date('2026-12-01T10:00:00Z'),
      requestor: 'pipeline',
      virtualMachines: [
        {
          id: vmId('web-01'),
          ports: [
            {
              number: 22,
              allowedSourceAddressPrefix: SOURCE,
              endTimeUtc: new Date(END),
              status: 'Initiated',
              statusReason: 'UserRequested',
            },
          ],
        },
      ],
    },
  ],
};

const state = savedState(SOURCE, END, {
  rules: [{ nsgId: NSG, name: NAME, port: 22, destination: '10.0.1.4', source: SOURCE }],
});

function world(): FakeWorld {
  const w = new FakeWorld();
  w.addVm('web-01', '10.0.1.4');
  w.nsgs.set('web-01-nsg', [structuredClone(RULE)]);
  w.policies.push(structuredClone(policy));
  return w;
}

/** The report's one row: the rule left forbidden, with a detail that matches `detail`. */
function forbidden(detail: RegExp) {
  return [
    {
      vm: 'web-01',
      port: 22,
      nsgId: NSG,
      rule: NAME,
      outcome: 'forbidden',
      detail: expect.stringMatching(detail) as unknown,
    },
  ];
}

async function close(w: FakeWorld): Promise<{ report: CloseReport; warnings: string[] }> {
  const warnings: string[] = [];
  const log = { info: () => undefined, warning: (m: string) => warnings.push(m), debug: () => undefined };
  const report = await closeAccess(w.clients(), state, log, undefined, { recheckDelayMs: 20 });
  return { report, warnings };
}

it('a deleted rule that stayed gone is reported deleted, and the close is complete', async () => {
  const w = world();
  const { report, warnings } = await close(w);
  expect(report).toEqual({
    rules: [{ vm: 'web-01', port: 22, nsgId: NSG, rule: NAME, outcome: 'deleted' }],
    complete: true,
  });
  expect(warnings).toEqual([]);
  // Post's ownership read, then the re-check's.
  expect(w.calls.filter((c) => c === 'GET nsg web-01-nsg')).toHaveLength(2);
});

it('a rule that came back and whose second delete is refused (403) is reported forbidden', async () => {
  const w = world();
  w.afterDelete = (nsg) => {
    // Written again after the delete was confirmed (as by JIT or a redeploy); the next delete is refused.
    setTimeout(() => w.rules(nsg).push(structuredClone(RULE)), 0);
    w.deleteStatus = 403;
  };
  const { report, warnings } = await close(w);
  expect(w.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(2);
  expect(w.rules('web-01-nsg').map((r) => r.name)).toEqual([NAME]);
  expect(report.complete).toBe(false);
  expect(report.rules).toEqual(
    forbidden(
      /^it came back after its delete: the identity may not delete NSG rules \(it needs Microsoft\.Network\/networkSecurityGroups\/securityRules\/delete\): .*HTTP 403/,
    ),
  );
  expect(warnings.join('\n')).toContain(
    `JIT access stays open: rule ${NAME} in NSG ${NSG} came back and could not be deleted again (the identity may not delete NSG rules (it needs Microsoft.Network/networkSecurityGroups/securityRules/delete)`,
  );
});

it('an NSG the re-check cannot read again (403) leaves its deleted rule reported forbidden', async () => {
  const w = world();
  let reads = 0;
  w.nsgReadStatus = () => (reads++ === 0 ? undefined : 403);
  const { report, warnings } = await close(w);
  expect(reads).toBe(2);
  expect(w.rules('web-01-nsg')).toEqual([]);
  expect(report.complete).toBe(false);
  expect(report.rules).toEqual(
    forbidden(
      /^deleted, but not re-checked: the identity may not read network security groups \(it needs Microsoft\.Network\/networkSecurityGroups\/read\): .*HTTP 403/,
    ),
  );
  expect(warnings.join('\n')).toContain(
    'Could not re-check NSG web-01-nsg (the identity may not read network security groups (it needs Microsoft.Network/networkSecurityGroups/read)',
  );
});

it('a re-check read that fails otherwise (500) is reported failed, not forbidden', async () => {
  const w = world();
  let reads = 0;
  w.nsgReadStatus = () => (reads++ === 0 ? undefined : 500);
  const { report } = await close(w);
  expect(report.complete).toBe(false);
  expect(report.rules.map((r) => r.outcome)).toEqual(['failed']);
});
