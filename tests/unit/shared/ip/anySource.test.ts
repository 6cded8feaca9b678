/**
 * "Any source" has one definition (shared/ip/address.ts), used by the `audit`
 * finding and by `enable --allowed-sources`; a policy port's sources are read
 * from either field by one helper (shared/jit/allowedSources.ts).
 */
import { isAnySource, parsePrefix } from '../../../../shared/ip/address';
import { allowedPrefixes, allowsAnySource, listedSources } from '../../../../shared/jit/allowedSources';

describe('isAnySource', () => {
  it.each(['*', '0.0.0.0/0', '::/0', 'Internet', 'any', ' * '])('%j is any source', (p) =>
    expect(isAnySource(p)).toBe(true),
  );
  it.each([
    '203.0.113.0/24',
    '0.0.0.0/1',
    '10.0.0.0/8',
    '0.0.0.0',
    '2001:db8::/32',
    'VirtualNetwork',
    '0/0',
    '',
  ])('%j is not', (p) => expect(isAnySource(p)).toBe(false));
});

describe('parsePrefix', () => {
  it('reads addresses and CIDRs by the one syntax', () => {
    expect(parsePrefix('203.0.113.10')?.[1]).toBe(32);
    expect(parsePrefix('2001:db8::1')?.[1]).toBe(128);
    expect(parsePrefix('203.0.113.0/24')?.map(String)).toEqual(['203.0.113.0', '24']);
  });
  it.each(['127.1', '0x7f000001', '10.1/8', '10.0.0.0/33', 'fe80::1%eth0', '*', 'Internet'])(
    'refuses %j',
    (p) => expect(parsePrefix(p)).toBeUndefined(),
  );
});

describe('a policy port’s sources', () => {
  it('come from whichever field holds them', () => {
    expect(listedSources({ allowedSourceAddressPrefix: '203.0.113.0/24' })).toEqual(['203.0.113.0/24']);
    expect(listedSources({ allowedSourceAddressPrefixes: ['203.0.113.0/24', '198.51.100.7'] })).toEqual([
      '203.0.113.0/24',
      '198.51.100.7',
    ]);
    expect(listedSources({})).toEqual([]);
  });
  it('allow any source when none is listed (JIT then takes any request) or one means any address', () => {
    expect(allowedPrefixes({})).toEqual(['*']);
    expect(allowsAnySource({})).toBe(true);
    expect(allowsAnySource({ allowedSourceAddressPrefix: '*' })).toBe(true);
    expect(allowsAnySource({ allowedSourceAddressPrefixes: ['203.0.113.0/24', '0.0.0.0/0'] })).toBe(true);
    expect(allowsAnySource({ allowedSourceAddressPrefix: '203.0.113.0/24' })).toBe(false);
  });
});
