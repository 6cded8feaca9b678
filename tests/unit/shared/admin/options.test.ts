/**
 * `enable` / `disable` flags (shared/admin/options.ts): JIT's own limits,
 * checked before any Azure call, every problem reported at once.
 */
import {
  nameLengthIssues,
  parseAllowedSources,
  parseEnableOptions,
  parseMaxDuration,
  parseProtocol,
  type EnableFlags,
} from '../../../../shared/admin/options';
import { InputError } from '../../../../shared/errors';

const flags = (over: Partial<EnableFlags> = {}): EnableFlags => ({
  vms: 'web-01',
  resourceGroup: 'rg-web',
  policy: '',
  dryRun: false,
  ports: '',
  protocol: '',
  maxDuration: '',
  allowedSources: '*',
  ...over,
});

describe('parseEnableOptions', () => {
  it("the portal's defaults; ports left to the VM's OS", () => {
    const o = parseEnableOptions(flags());
    expect(o).toMatchObject({ protocol: '*', maxDuration: 'PT3H', allowedSources: ['*'], dryRun: false });
    expect(o.ports).toBeUndefined();
    expect(o.policyName).toBeUndefined();
    expect(o.vms.map((v) => [v.name, v.resourceGroup])).toEqual([['web-01', 'rg-web']]);
  });

  it('reports every bad flag together', () => {
    let error: unknown;
    try {
      parseEnableOptions(
        flags({ vms: 'bad name!', ports: '0', protocol: 'icmp', maxDuration: 'PT1M', allowedSources: '' }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.map((i) => i.input)).toEqual([
      'vms',
      'ports',
      'protocol',
      'max-duration',
      'allowed-sources',
    ]);
  });

  it('checks policy name + VM name against 56 characters with --policy', () => {
    expect(() => parseEnableOptions(flags({ policy: 'p'.repeat(50), vms: 'vm-0001' }))).toThrow(
      /57 characters .* at most 56/,
    );
    expect(parseEnableOptions(flags({ policy: 'p'.repeat(49), vms: 'vm-0001' })).policyName).toBe(
      'p'.repeat(49),
    );
    expect(() => parseEnableOptions(flags({ policy: 'bad/name' }))).toThrow(/'policy'/);
    expect(nameLengthIssues('default', 'x'.repeat(49), 'x')).toEqual([]);
    expect(nameLengthIssues('default', 'x'.repeat(50), 'x')).toHaveLength(1);
  });
});

describe('parseMaxDuration', () => {
  it.each(['PT5M', 'PT3H', 'P1D', 'PT24H', 'pt90m', 'PT1H30M'])('accepts %s', (v) => {
    expect(parseMaxDuration(v)).toBe(v.toUpperCase());
  });
  it.each([
    ['PT4M', /outside what JIT allows/],
    ['PT24H1M', /outside what JIT allows/],
    ['P2D', /outside what JIT allows/],
    ['PT5M30S', /whole minutes/],
    ['180', /ISO 8601.*PT180M/],
    ['3h', /not an ISO 8601 duration/],
    ['P1M', /not an ISO 8601 duration/],
  ])('refuses %s', (v, message) => {
    let text = '';
    try {
      parseMaxDuration(v);
    } catch (e) {
      text =
        e instanceof InputError ? `${e.message} ${e.issues.map((i) => i.hint ?? '').join(' ')}` : String(e);
    }
    expect(text).toMatch(message);
  });
});

describe('parseProtocol', () => {
  it('TCP, UDP, * in any case; names the fix for ANY', () => {
    expect(['tcp', 'Udp', '*', ''].map(parseProtocol)).toEqual(['TCP', 'UDP', '*', '*']);
    expect(() => parseProtocol('any')).toThrow(/TCP, UDP or \*/);
  });
});

describe('parseAllowedSources', () => {
  it('IPv4, IPv6, CIDRs, de-duplicated, in order', () => {
    expect(parseAllowedSources('203.0.113.10, 198.51.100.0/24 2001:db8::/48,203.0.113.10')).toEqual([
      '203.0.113.10',
      '198.51.100.0/24',
      '2001:db8::/48',
    ]);
  });
  it.each([
    ['', /is required/],
    ['*,203.0.113.10', /mixes '\*' with addresses/],
    ['0.0.0.0/0', /write '\*' for that/],
    ['::/0', /write '\*' for that/],
    ['10.0.0.1/8', /did you mean 10.0.0.0\/8/],
    ['300.1.1.1', /not an IP address or CIDR/],
    ['internet', /not an IP address or CIDR/],
  ])('refuses %j', (v, message) => {
    expect(() => parseAllowedSources(v)).toThrow(message);
  });
});
