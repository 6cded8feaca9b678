/**
 * The probe's decisions on observations the emulator never produces (what real
 * Azure might show instead), its refusal, and that its switch table is the
 * emulator's (the core cannot import it, so the two lists are compared here).
 */
import { BEHAVIOUR_SWITCHES } from '../../../../emulator/behaviour';
import {
  SWITCHES,
  SWITCH_NAMES,
  classifyEcho,
  classifyHistory,
  classifyLayout,
  classifyNsgWrites,
  classifySourceForm,
  classifyStartTime,
  classifySupersede,
  emulatorFlags,
  stats,
  type Finding,
  type SwitchName,
} from '../../../../shared/calibrate/classify';
import { planProbe } from '../../../../shared/calibrate/plan';
import type { ProbeRule } from '../../../../shared/calibrate/rules';
import { PolicyError } from '../../../../shared/errors';

const rule = (over: Partial<ProbeRule>): ProbeRule => ({
  nsgId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a',
  nsgName: 'nsg-a',
  name: 'SecurityCenter-JITRule-1-AB',
  sourcePrefixes: [],
  ports: [22],
  destinations: ['10.0.0.4'],
  ...over,
});

describe('calibrate switch table', () => {
  it("is the emulator's: same flags, fields and values", () => {
    expect(
      SWITCH_NAMES.map((n) => ({
        flag: SWITCHES[n].flag,
        field: SWITCHES[n].field,
        values: [...SWITCHES[n].values],
      })),
    ).toEqual(BEHAVIOUR_SWITCHES.map((s) => ({ flag: s.flag, field: s.field, values: [...s.values] })));
  });

  it('leaves out of the emulator command what matched no value', () => {
    const findings = Object.fromEntries(
      SWITCH_NAMES.map((n) => [n, { value: SWITCHES[n].values[0], evidence: '' }]),
    ) as Record<SwitchName, Finding>;
    findings.echo = { value: 'undetermined', evidence: '' };
    findings['source-form'] = { value: 'other', evidence: '' };
    const out = emulatorFlags(findings, stats([4000, 1000, 3000]));
    expect(out.unmatched).toEqual(['source-form', 'echo']);
    expect(out.command).toBe(
      'npm run emulator -- --supersede replace --rule-layout per-port --start-time same --nsg-writes parallel --history all --rule-delay-ms 1000 --rule-delay-jitter-ms 3000',
    );
  });
});

describe('calibrate classification of what real Azure might show', () => {
  it('source form: a /32 written as the bare IP is none of the emulator values', () => {
    const ip = [rule({ sourcePrefix: '192.0.2.10' })];
    expect(
      classifySourceForm(ip, '192.0.2.10', [rule({ sourcePrefix: '192.0.2.10/32' })], '192.0.2.10/32').value,
    ).toBe('verbatim');
    expect(
      classifySourceForm(ip, '192.0.2.10', [rule({ sourcePrefix: '192.0.2.10' })], '192.0.2.10/32').value,
    ).toBe('other');
    expect(
      classifySourceForm([rule({ sourcePrefixes: ['192.0.2.10/32'] })], '192.0.2.10', [], '192.0.2.10/32')
        .value,
    ).toBe('other');
  });

  it('supersede: revoked but the rule stays is neither replace nor coexist', () => {
    expect(
      classifySupersede({
        olderStatus: 'Revoked',
        olderReason: 'NewerRequestInitiated',
        olderRuleStays: true,
        newerLive: true,
      }).value,
    ).toBe('other');
    expect(classifySupersede({ olderRuleStays: false, newerLive: false }).value).toBe('undetermined');
  });

  it('supersede: with the older entry no longer listed, the older rule tells', () => {
    const gone = classifySupersede({ olderRuleStays: false, newerLive: true });
    expect(gone).toEqual({
      value: 'replace',
      evidence:
        "after a second request for the same VM and port from another source, the first request's entry was no longer listed and its allow rule was gone",
    });
    expect(classifySupersede({ olderRuleStays: true, newerLive: true }).value).toBe('coexist');
  });

  it('history: all listed, only the newest, or a pattern the emulator does not play', () => {
    expect(classifyHistory({ listed: [true, true, true] })).toEqual({
      value: 'all',
      evidence: "after 3 accepted requests the policy's history listed all of them",
    });
    expect(classifyHistory({ listed: [false, false, true] })).toEqual({
      value: 'newest',
      evidence: "after 3 accepted requests the policy's history listed request(s) 3 of them",
    });
    expect(classifyHistory({ listed: [false, true, true] }).value).toBe('other');
    expect(classifyHistory({ listed: [true, true, false] }).value).toBe('other');
    expect(classifyHistory({ listed: [false, false] }).evidence).toContain('listed request(s) none of them');
    expect(classifyHistory({ listed: [true] }).value).toBe('undetermined');
    expect(classifyHistory(undefined).value).toBe('undetermined');
  });

  it('layout: one rule with one of two ports is neither per-port nor combined', () => {
    expect(classifyLayout([rule({ ports: [22] })], [22, 3389], 1).value).toBe('other');
    expect(classifyLayout([rule({ ports: [22, 3389] })], [22, 3389], 1).value).toBe('combined');
  });

  it('echo needs something the probe did not send; start time may differ otherwise', () => {
    expect(classifyEcho([{ storedExtra: [], echoed: [] }]).value).toBe('undetermined');
    expect(
      classifyStartTime([{ returned: '2026-01-01T10:00:00.1234567Z', stored: '2026-01-01T10:00:01Z' }]).value,
    ).toBe('other');
    expect(
      classifyStartTime([{ returned: '2026-01-01T10:00:00.1234567Z', stored: '2026-01-01T10:00:00Z' }]).value,
    ).toBe('rounded');
  });

  it('NSG writes: no pair of rules on one NSG cannot tell', () => {
    expect(classifyNsgWrites({ concurrentPair: false, conflicts: 0 }).value).toBe('undetermined');
    expect(stats([5, 1, 3, 2])).toEqual({ samples: 4, minMs: 1, medianMs: 3, maxMs: 5 });
  });
});

describe('calibrate refusal', () => {
  const entry = (sources: string[] | '*', duration = 'PT1H') => ({
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
    ports: [22, 3389].map((number) => ({
      number,
      protocol: 'TCP' as const,
      ...(sources === '*' ? { allowedSourceAddressPrefix: '*' } : { allowedSourceAddressPrefixes: sources }),
      maxRequestAccessDuration: duration,
    })),
  });

  it('names every missing source and the policy it needs', () => {
    const refuse = (): unknown => planProbe('vm', 'p', entry(['192.0.2.10', '198.51.100.0/24']), [22, 3389]);
    expect(refuse).toThrow(PolicyError);
    expect(refuse).toThrow(
      /port 22 of policy 'p' allows 192\.0\.2\.10, 198\.51\.100\.0\/24, not 198\.51\.100\.10, 192\.0\.2\.10\/32/,
    );
    try {
      refuse();
    } catch (e) {
      expect((e as PolicyError).hint).toContain(
        'each allowing source `*` or listing exactly 192.0.2.10, 198.51.100.10, 192.0.2.10/32',
      );
    }
  });

  it('accepts `*` or the exact sources, and keeps requests within the policy maximum', () => {
    expect(planProbe('vm', 'p', entry('*'), [22, 3389])).toEqual({
      ports: [22, 3389],
      outsidePort: 2222,
      durationMinutes: 15,
    });
    expect(
      planProbe('vm', 'p', entry(['192.0.2.10', '192.0.2.10/32', '198.51.100.10'], 'PT10M'), [22, 3389])
        .durationMinutes,
    ).toBe(10);
    expect(() => planProbe('vm', 'p', entry('*'), [22, 5985])).toThrow(/port 5985 is not in JIT policy 'p'/);
  });
});
