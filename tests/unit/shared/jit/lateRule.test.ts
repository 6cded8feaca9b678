/**
 * Post's wait for a rule JIT had not written yet (shared/jit/close.ts), with a fake Azure: main
 * was cancelled after Azure accepted the request but before the allow rule appeared, so the state
 * holds no rule names. Post must keep looking for this run's rule for the late-rule grace and
 * delete it when it comes; when it never comes, say until when access may still be open. The
 * grace is set through AZURE_JIT_ACCESS_LATE_RULE_GRACE_MS as the shipped bundles read it.
 */
import { closeAccess } from '../../../../shared/jit/close';
import { closeTiming } from '../../../../shared/jit/closeTiming';
import { FakeWorld, jitRule, policyId, savedState, vmId } from '../ops/fakeWorld';

const SOURCE = '203.0.113.10';
const VM_IP = '10.0.1.4';
const END = '2026-12-01T10:15:00.000Z';
/** JIT writes this run's rule with the number 7. */
const LATE_RULE = jitRule(7, SOURCE, ['22'], VM_IP);
/** An older rule for the same source and port, there before initiate: never this run's. */
const OLDER_RULE = jitRule(3, SOURCE, ['22'], VM_IP);

function world(): FakeWorld {
  const w = new FakeWorld();
  w.addVm('web-01', VM_IP);
  w.nsgs.set('web-01-nsg', [OLDER_RULE]);
  // Azure accepted the request: the policy's history holds it, live.
  w.policies.push({
    id: policyId('web-jit'),
    name: 'web-jit',
    kind: 'Basic',
    virtualMachines: [
      {
        id: vmId('web-01'),
        ports: [
          { number: 22, protocol: '*', allowedSourceAddressPrefix: '*', maxRequestAccessDuration: 'PT3H' },
        ],
      },
    ],
    requests: [
      {
        startTimeUtc: new Date('2026-12-01T10:00:00Z'),
        requestor: 'jit-deployer',
        virtualMachines: [
          {
            id: vmId('web-01'),
            ports: [
              {
                number: 22,
                endTimeUtc: new Date(END),
                allowedSourceAddressPrefix: SOURCE,
                status: 'Initiated',
                statusReason: 'UserRequested',
              },
            ],
          },
        ],
      },
    ],
  });
  return w;
}

/** What main saved when it was cancelled during the wait: the request, no rule names yet. */
const state = savedState(SOURCE, END, {
  privateIps: [VM_IP],
  rules: [],
  before: [OLDER_RULE.name?.toLowerCase() ?? ''],
});

function lines() {
  const out = { info: [] as string[], warning: [] as string[] };
  return {
    out,
    log: {
      info: (m: string) => out.info.push(m),
      warning: (m: string) => out.warning.push(m),
      debug: () => undefined,
    },
  };
}

/** The close timings as post reads them from the environment. */
function timingFromEnv(graceMs: number) {
  const names = ['AZURE_JIT_ACCESS_LATE_RULE_GRACE_MS', 'AZURE_JIT_ACCESS_RECHECK_DELAY_MS'] as const;
  const saved = names.map((n) => process.env[n]);
  process.env.AZURE_JIT_ACCESS_LATE_RULE_GRACE_MS = String(graceMs);
  process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS = '0';
  try {
    return closeTiming();
  } finally {
    names.forEach((n, i) => {
      const value = saved[i];
      if (value === undefined) delete process.env[n];
      else process.env[n] = value;
    });
  }
}

it('reads the grace and the re-check delay from the environment', () => {
  expect(timingFromEnv(20_000)).toEqual({ lateRuleGraceMs: 20_000, recheckDelayMs: 0 });
});

it('waits for the rule JIT writes late, then deletes exactly that rule', async () => {
  const w = world();
  // Not there at post's first look nor its first poll: JIT writes it before the second poll.
  w.beforeNsgRead = (nsg, earlier) => {
    if (nsg === 'web-01-nsg' && earlier === 2) w.nsgs.get(nsg)?.push(structuredClone(LATE_RULE));
  };
  const { out, log } = lines();

  const report = await closeAccess(w.clients(), state, log, undefined, timingFromEnv(30_000));

  expect(report.rules).toEqual([
    expect.objectContaining({ vm: 'web-01', port: 22, rule: LATE_RULE.name, outcome: 'deleted' }),
  ]);
  expect(report.complete).toBe(true);
  expect(w.rules('web-01-nsg').map((r) => r.name)).toEqual([OLDER_RULE.name]);
  expect(w.calls.filter((c) => c.startsWith('DELETE'))).toEqual([`DELETE web-01-nsg/${LATE_RULE.name}`]);
  expect(out.info.join('\n')).toContain(
    "Waiting up to 30 s for JIT to write this run's rule for VM web-01 port 22 in web-01-nsg, to close it.",
  );
  expect(out.warning).toEqual([]);
});

it('gives up after the grace, deletes nothing (not the older rule either) and says until when', async () => {
  const w = world();
  const { out, log } = lines();

  const report = await closeAccess(w.clients(), state, log, undefined, timingFromEnv(1200));

  expect(report.rules).toEqual([
    expect.objectContaining({ vm: 'web-01', port: 22, rule: '(none)', outcome: 'already-gone' }),
  ]);
  expect(w.calls.filter((c) => c.startsWith('DELETE'))).toEqual([]);
  // It kept looking: more than the first read of the NSG.
  expect(w.calls.filter((c) => c === 'GET nsg web-01-nsg').length).toBeGreaterThan(1);
  expect(out.warning.join('\n')).toContain(
    `JIT has not written this run's rule for VM web-01 port 22 in web-01-nsg after 1 s; if it still does, access closes by itself at ${END}.`,
  );
});
