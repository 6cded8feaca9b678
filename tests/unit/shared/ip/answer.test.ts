import fc from 'fast-check';
import { readEchoAnswer } from '../../../../shared/ip/answer';
import { NON_PUBLIC_RANGES } from '../../../../shared/ip/address';

describe('readEchoAnswer', () => {
  it.each<[string, string, string]>([
    ['203.0.113.10', '203.0.113.10', 'ipv4'],
    ['203.0.113.10\n', '203.0.113.10', 'ipv4'],
    ['  198.51.100.7\r\n', '198.51.100.7', 'ipv4'],
    ['{"ip":"192.0.2.1"}', '192.0.2.1', 'ipv4'],
    ['{ "address": "8.8.8.8" }', '8.8.8.8', 'ipv4'],
    ['"8.8.4.4"', '8.8.4.4', 'ipv4'],
    ['2001:DB8::0:1', '2001:db8::1', 'ipv6'],
    ['{"ip":"2606:4700:4700::1111"}', '2606:4700:4700::1111', 'ipv6'],
    ['::ffff:203.0.113.10', '203.0.113.10', 'ipv4'],
  ])('accepts %j', (body, address, family) => {
    expect(readEchoAnswer(body)).toEqual({ ok: true, address, family });
  });

  it.each<[string, string]>([
    ['', 'empty answer'],
    ['  \n', 'empty answer'],
    [
      '<html><body>Sign in to the Wi-Fi</body></html>',
      'not an IP address: "<html><body>Sign in to the Wi-Fi</body></html>"',
    ],
    ['{"ip": 42}', 'not an IP address: "{\\"ip\\": 42}"'],
    ['{"origin":"1.2.3"}', 'not an IP address'],
    ['203.0.113.10, 198.51.100.7', 'not an IP address'],
    ['127.1', 'not an IP address'],
    ['x'.repeat(5000), `not an IP address: "${'x'.repeat(60)}…"`],
    ['10.0.0.5', '10.0.0.5 is a private address, not a public one'],
    ['172.16.3.4', 'private address'],
    ['192.168.1.1', 'private address'],
    ['127.0.0.1', 'loopback address'],
    ['169.254.169.254', 'link-local address'],
    ['0.0.0.0', 'unspecified ("this network") address'],
    ['100.64.1.1', 'carrierGradeNat address'],
    ['255.255.255.255', 'broadcast address'],
    ['224.0.0.1', 'multicast address'],
    ['::1', 'loopback address'],
    ['fe80::1', 'link-local address'],
    ['fd00::1', 'uniqueLocal address'],
    ['::', 'unspecified address'],
    ['::ffff:10.0.0.1', '10.0.0.1 is a private address'],
  ])('refuses %j', (body, problem) => {
    const answer = readEchoAnswer(body);
    expect(answer.ok).toBe(false);
    expect(answer.ok ? '' : answer.problem).toContain(problem);
  });

  it('keeps the documentation ranges the emulator and tests use as public addresses', () => {
    for (const ip of ['192.0.2.10', '198.51.100.10', '203.0.113.10', '2001:db8::10']) {
      expect(readEchoAnswer(ip).ok).toBe(true);
    }
    expect(NON_PUBLIC_RANGES.ipv4).not.toContain('reserved');
    expect(NON_PUBLIC_RANGES.ipv6).not.toContain('reserved');
  });
});

describe('readEchoAnswer properties', () => {
  it('never throws and only ever accepts a valid address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.ipV4(), fc.ipV6()), (body) => {
        const answer = readEchoAnswer(body);
        if (answer.ok) expect(readEchoAnswer(answer.address)).toEqual(answer);
      }),
    );
  });
  it('accepts every IPv4 address outside the non-public ranges, however it is wrapped', () => {
    fc.assert(
      fc.property(
        fc
          .ipV4()
          .filter(
            (ip) =>
              !/^(10|127|0)\.|^192\.168\.|^169\.254\.|^172\.(1[6-9]|2\d|3[01])\.|^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|^(22[4-9]|23\d|24\d|25[0-5])\./.test(
                ip,
              ),
          ),
        fc.constantFrom(
          (ip: string) => ip,
          (ip: string) => `${ip}\n`,
          (ip: string) => JSON.stringify({ ip }),
        ),
        (ip, wrap) => {
          expect(readEchoAnswer(wrap(ip))).toEqual({ ok: true, address: ip, family: 'ipv4' });
        },
      ),
    );
  });
});
