import fc from 'fast-check';
import { allowRuleName, denyRuleName } from '../../../emulator/jit/names';
import { freeAllowPriority, freeDenyPriority, ruleInt } from '../../../emulator/jit/rules';
import { durationMs, normalizeUtc, parseUtc, serverTimeUtc } from '../../../emulator/jit/time';
import type { NsgState } from '../../../emulator/arm/state';
import { userRule } from '../../../emulator/scenario/build';

describe('times', () => {
  test.each([
    ['2024-01-01T10:00:00Z', '2024-01-01T10:00:00Z'],
    ['2024-01-01T10:00:00.000Z', '2024-01-01T10:00:00Z'],
    ['2024-01-01T10:00:00.120Z', '2024-01-01T10:00:00.12Z'],
    ['2024-01-01T10:00:00.123456Z', '2024-01-01T10:00:00.123456Z'],
    ['2022-11-17T11:44:50.5921811Z', '2022-11-17T11:44:50.5921811Z'],
    ['2024-01-01T12:00:00+02:00', '2024-01-01T10:00:00Z'],
  ])('%s parses and is re-serialised as %s', (input, output) => {
    expect(parseUtc(input)).toBe(Date.parse(output));
    expect(normalizeUtc(input)).toBe(output);
  });

  test('rejects what is not a date-time', () => {
    expect(parseUtc('tomorrow')).toBeUndefined();
    expect(parseUtc('2024-01-01')).toBeUndefined();
  });

  test('server times always carry 7 fraction digits', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const s = serverTimeUtc(d);
          expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
          expect(Math.abs((parseUtc(s) ?? 0) - d.getTime())).toBeLessThan(1);
        },
      ),
    );
  });

  test('ISO 8601 durations', () => {
    expect(durationMs('PT3H')).toBe(3 * 3600_000);
    expect(durationMs('PT30M')).toBe(30 * 60_000);
    expect(durationMs('P1D')).toBe(24 * 3600_000);
    expect(durationMs('P1M')).toBeUndefined();
    expect(durationMs('3 hours')).toBeUndefined();
  });
});

describe('rule names and priorities', () => {
  test('allow and deny names follow the observed patterns, ints may be negative', () => {
    expect(allowRuleName(-1105480617)).toMatch(/^SecurityCenter-JITRule--1105480617-[0-9A-F]{32}$/);
    expect(denyRuleName(42, 'A'.repeat(32))).toBe(`SecurityCenter-JITRule_42_${'A'.repeat(32)}`);
    for (let i = 0; i < 50; i += 1)
      expect(allowRuleName()).toMatch(/^SecurityCenter-JITRule--?\d{1,10}-[0-9A-F]{32}$/);
  });

  test('the int is stable per VM and IP', () => {
    expect(ruleInt('/x/VM', '10.0.0.4')).toBe(ruleInt('/x/vm', '10.0.0.4'));
    expect(ruleInt('/x/vm', '10.0.0.4')).not.toBe(ruleInt('/x/vm', '10.0.0.5'));
  });

  test('allow priorities fill up from 100, deny from 4096 down, never colliding', () => {
    const nsg: NsgState = {
      id: 'n',
      name: 'n',
      subscriptionId: 's',
      resourceGroup: 'r',
      location: 'l',
      resourceGuid: 'g',
      etag: 'e',
      rules: [],
    };
    const rule = (priority: number, direction: 'Inbound' | 'Outbound' = 'Inbound') =>
      userRule({ name: `r${priority}${direction}`, protocol: '*', access: 'Allow', direction, priority });
    expect(freeAllowPriority(nsg)).toBe(100);
    nsg.rules.push(rule(100), rule(101), rule(102, 'Outbound'), rule(4096));
    expect(freeAllowPriority(nsg)).toBe(102);
    expect(freeDenyPriority(nsg)).toBe(4095);
  });
});
