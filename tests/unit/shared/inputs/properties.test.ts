/** Property tests: the parsers agree with simple models of their rules over many generated values. */
import fc from 'fast-check';
import { InputError } from '../../../../shared/errors';
import { parseDurationMinutes, parseDurationMs } from '../../../../shared/inputs/duration';
import { parsePorts } from '../../../../shared/inputs/ports';
import { parseSource } from '../../../../shared/inputs/source';
import { parseVms } from '../../../../shared/inputs/vms';
import { sourceProblem } from '../../../../shared/ip/address';

describe('ports', () => {
  it('parses any list of valid ports to its distinct values, in order, whatever the separators', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(',', ', ', '\n', ' ,\n'),
        (ports, sep) => {
          expect(parsePorts('ports', ports.join(sep)).ports).toEqual([...new Set(ports)]);
        },
      ),
    );
  });
  it('rejects any list holding an out-of-range port, naming that port', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 5 }),
        fc.oneof(fc.integer({ min: 65536, max: 10_000_000 }), fc.constant(0)),
        (ports, bad) => {
          try {
            parsePorts('ports', [...ports, bad].join(','));
          } catch (e) {
            expect(e).toBeInstanceOf(InputError);
            expect((e as InputError).issues.map((i) => i.value)).toEqual([String(bad)]);
            return;
          }
          throw new Error('accepted an out-of-range port');
        },
      ),
    );
  });
});

describe('durations', () => {
  it('reads minutes, PT<n>M, PT<h>H<m>M and PT<s>S the same way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 1440 }), (m) => {
        const h = Math.floor(m / 60);
        const iso = h > 0 ? `PT${h}H${m % 60 === 0 ? '' : `${m % 60}M`}` : `PT${m}M`;
        expect(parseDurationMinutes('duration', String(m))).toBe(m);
        expect(parseDurationMinutes('duration', `PT${m}M`)).toBe(m);
        expect(parseDurationMinutes('duration', iso)).toBe(m);
        expect(parseDurationMinutes('duration', `PT${m * 60}S`)).toBe(m);
      }),
    );
  });
  it('accepts exactly 5..1440 minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (m) => {
        const ok = m >= 5 && m <= 1440;
        if (ok) expect(parseDurationMinutes('duration', String(m))).toBe(m);
        else expect(() => parseDurationMinutes('duration', String(m))).toThrow(InputError);
      }),
    );
  });
  it('never accepts text with anything around an ISO duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999 }),
        fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim() !== '' && !/^[\dA-Z.,]*$/i.test(s)),
        (n, junk) => {
          expect(() => parseDurationMs('wait-timeout', `PT${n}S${junk}`, 'seconds')).toThrow(InputError);
          expect(() => parseDurationMs('wait-timeout', `${junk}PT${n}S`, 'seconds')).toThrow(InputError);
        },
      ),
    );
  });
});

describe('source', () => {
  it('accepts every IPv4 and IPv6 address the one source rule allows verbatim, and refuses the rest naming it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const problem = sourceProblem(ip, false);
        if (problem === undefined)
          expect(parseSource('source', ip, false)).toEqual({ kind: 'explicit', prefix: ip });
        else expect(() => parseSource('source', ip, false)).toThrow(`input 'source' = ${JSON.stringify(ip)}`);
      }),
    );
  });
  it('refuses IPv4 blocks wider than /8 without allow-any-source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), (len) => {
        const cidr = `128.0.0.0/${len}`;
        expect(() => parseSource('source', cidr, false)).toThrow(/wider than \/8.*allow-any-source/);
        expect(parseSource('source', cidr, true)).toEqual({ kind: 'explicit', prefix: cidr });
      }),
    );
  });
  it('accepts an IPv4 CIDR exactly when its host bits are clear', () => {
    fc.assert(
      fc.property(
        fc.ipV4().filter((ip) => sourceProblem(ip, false) === undefined),
        fc.integer({ min: 8, max: 32 }),
        (ip, len) => {
          const cidr = `${ip}/${len}`;
          const value = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
          const hostBits = value % 2 ** (32 - len);
          if (hostBits === 0)
            expect(parseSource('source', cidr, false)).toEqual({ kind: 'explicit', prefix: cidr });
          else expect(() => parseSource('source', cidr, false)).toThrow(/host bits set/);
        },
      ),
    );
  });
});

describe('vms', () => {
  it('round-trips any valid resource ID', () => {
    const nameChar = fc.constantFrom(...'abcXYZ019_-.'.split(''));
    const name = fc
      .tuple(
        fc.constantFrom('a', 'Z', '0', '_'),
        fc.array(nameChar, { maxLength: 30 }),
        fc.constantFrom('b', '9', '_'),
      )
      .map(([a, mid, z]) => `${a}${mid.join('')}${z}`);
    const rg = fc
      .array(fc.constantFrom(...'abcXYZ019_-.()'.split('')), { minLength: 1, maxLength: 90 })
      .map((a) => a.join(''))
      .filter((s) => !s.endsWith('.'));
    fc.assert(
      fc.property(fc.uuid(), rg, name, (sub, group, vm) => {
        const id = `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${vm}`;
        expect(parseVms('vms', id, '').vms).toEqual([
          { input: id, name: vm, resourceGroup: group, subscriptionId: sub },
        ]);
      }),
    );
  });
});
