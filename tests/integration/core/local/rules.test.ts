/**
 * Pure pieces of the wait/close logic: recognising JIT allow rules, the
 * supersession check on a policy's request history, policy matching, the
 * server clock, and the pipeline's Retry-After cap.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessPolicy, JitNetworkAccessRequestPort } from '@azure/arm-security';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { RetryAfterTooLongError, retryAfterMs, throttleCapPolicy } from '../../../../shared/azure/policies';
import { ServerClock } from '../../../../shared/azure/serverClock';
import type { VmTopology } from '../../../../shared/azure/topology';
import { PolicyError } from '../../../../shared/errors';
import { isJitAllowRuleName, matchesTarget, portsWithin, sameSlot } from '../../../../shared/jit/nsgRules';
import { matchPolicies, type JitPolicy } from '../../../../shared/jit/policies';
import { findSupersession } from '../../../../shared/jit/supersede';
import { entryState, findOurEntry } from '../../../../shared/jit/history';
import { prefixWithin, samePrefix } from '../../../../shared/jit/sourcePrefix';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const VM_ID = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;

describe('JIT allow rule names', () => {
  it.each([
    ['SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370', true],
    ['SecurityCenter-JITRule--1105480617-9EF6964FE766478B9EC568B32FB82045', true],
    ['securitycenter-jitrule-1-abcdef', false], // not 32 hex digits
    ['securitycenter-jitrule-1-8c18bf8921f041989344b4f1e3a0c370', true],
    ['SecurityCenter-JITRule_1170687618_62799A5740DE464DB71C4F619369BBAD', false], // deny rule
    ['AllowSSH', false],
  ])('%s → %s', (name, allow) => expect(isJitAllowRuleName(name)).toBe(allow));
});

describe('rule matching', () => {
  /** A rule from defaults; an override set to `undefined` removes that field. */
  const rule = (over: { [K in keyof SecurityRule]?: SecurityRule[K] | undefined } = {}): SecurityRule => {
    const r: Record<string, unknown> = {
      name: 'SecurityCenter-JITRule-1-8C18BF8921F041989344B4F1E3A0C370',
      access: 'Allow',
      direction: 'Inbound',
      protocol: 'Tcp',
      sourceAddressPrefix: '203.0.113.10',
      destinationAddressPrefix: '10.0.1.4',
      destinationPortRange: '22',
      provisioningState: 'Succeeded',
      ...over,
    };
    for (const key of Object.keys(r)) if (r[key] === undefined) delete r[key];
    return r;
  };
  const target = { port: 22, destinations: ['10.0.1.4'], source: '203.0.113.10', protocol: 'TCP' };

  it('matches source exactly, port and destination, protocol case-insensitively', () => {
    expect(matchesTarget(rule(), target)).toBe(true);
    expect(matchesTarget(rule({ protocol: '*' }), target)).toBe(true);
    expect(
      matchesTarget(rule({ destinationPortRange: undefined, destinationPortRanges: ['22', '3389'] }), target),
    ).toBe(true);
    // The source as Azure may write it: a /32, or in sourceAddressPrefixes.
    expect(matchesTarget(rule({ sourceAddressPrefix: '203.0.113.10/32' }), target)).toBe(true);
    expect(
      matchesTarget(
        rule({ sourceAddressPrefix: undefined, sourceAddressPrefixes: ['203.0.113.10/32'] }),
        target,
      ),
    ).toBe(true);
  });

  it('knows which ports a combined rule carries', () => {
    const combined = rule({ destinationPortRange: undefined, destinationPortRanges: ['22', '3389'] });
    expect(portsWithin(combined, [22, 3389])).toBe(true);
    expect(portsWithin(combined, [22])).toBe(false);
    expect(portsWithin(rule({ destinationPortRange: '20-30' }), [22])).toBe(false);
  });

  it.each([
    ['another source', { sourceAddressPrefix: '203.0.113.0/24' }],
    ['another port', { destinationPortRange: '2222' }],
    ['another destination', { destinationAddressPrefix: '10.0.1.5' }],
    ['a deny rule', { access: 'Deny' }],
    ['the deny-rule name form', { name: 'SecurityCenter-JITRule_1_ABC' }],
    ['UDP against a TCP policy port', { protocol: 'Udp' }],
  ])('rejects %s', (_, over) =>
    expect(matchesTarget(rule(over as Partial<SecurityRule>), target)).toBe(false),
  );

  it('sees a rule for the same slot but another source as the same slot', () => {
    expect(sameSlot(rule({ sourceAddressPrefix: '198.51.100.7' }), target)).toBe(true);
  });
});

describe('our request in the history (findOurEntry, entryState, findSupersession)', () => {
  const policy = (requests: JitNetworkAccessPolicy['requests']): JitNetworkAccessPolicy => ({
    virtualMachines: [],
    ...(requests === undefined ? {} : { requests }),
  });
  const END = '2030-01-01T00:00:00.000Z';
  const req = (
    start: string,
    port: number,
    o: {
      status?: string;
      reason?: string;
      requestor?: string;
      end?: string;
      source?: Partial<JitNetworkAccessRequestPort>;
    } = {},
  ) => ({
    startTimeUtc: new Date(start),
    requestor: o.requestor ?? 'someone',
    virtualMachines: [
      {
        id: VM_ID.toUpperCase(),
        ports: [
          {
            number: port,
            endTimeUtc: new Date(o.end ?? END),
            status: o.status ?? 'Initiated',
            statusReason: o.reason ?? 'UserRequested',
            ...(o.source ?? { allowedSourceAddressPrefix: '198.51.100.7' }),
          },
        ],
      },
    ],
  });
  const key = { vmId: VM_ID, port: 22, source: '198.51.100.7', endTimeUtc: END };

  it('finds our entry by VM, port, source as a prefix and end time within a second, whatever its start time', () => {
    const ours = req('2026-11-22T01:00:00.4Z', 22, {
      end: '2030-01-01T00:00:00.6Z',
      source: { allowedSourceAddressPrefixes: ['198.51.100.7/32'] },
    });
    expect(findOurEntry(policy([ours]), key)?.request).toBe(ours);
    expect(
      findOurEntry(policy([req('2026-11-22T01:00:00Z', 22, { end: '2030-01-01T00:00:02Z' })]), key),
    ).toBeUndefined();
    expect(findOurEntry(policy([req('2026-11-22T01:00:00Z', 3389)]), key)).toBeUndefined();
    expect(
      findOurEntry(
        policy([req('2026-11-22T01:00:00Z', 22, { source: { allowedSourceAddressPrefix: '198.51.100.8' } })]),
        key,
      ),
    ).toBeUndefined();
  });

  it('superseded only when OUR entry is Revoked for NewerRequestInitiated, not because a newer request exists', () => {
    const newer = req('2026-11-22T01:00:05Z', 22, {
      requestor: 'other',
      source: { allowedSourceAddressPrefix: '192.0.2.9' },
    });
    expect(findSupersession(policy([req('2026-11-22T01:00:00Z', 22), newer]), key)).toBeUndefined();
    const replaced = findSupersession(
      policy([
        req('2026-11-22T01:00:00Z', 22, { status: 'Revoked', reason: 'NewerRequestInitiated' }),
        newer,
      ]),
      key,
    );
    expect(replaced).toMatchObject({ requestor: 'other', source: '192.0.2.9' });
    expect(
      entryState(
        findOurEntry(
          policy([req('2026-11-22T01:00:00Z', 22, { status: 'Revoked', reason: 'Expired' })]),
          key,
        ),
      ),
    ).toBe('revoked');
    expect(entryState(undefined)).toBe('missing');
  });
});

describe('samePrefix', () => {
  it.each([
    ['203.0.113.10', '203.0.113.10/32', true],
    ['10.0.0.0/24', '10.0.0.0/24', true],
    ['2001:db8::1', '2001:DB8:0::1/128', true],
    ['203.0.113.10', '203.0.113.11', false],
    ['203.0.113.10/31', '203.0.113.10', false],
    ['*', '*', true],
    ['Internet', 'internet', true],
    // The one address syntax (shared/ip/address.ts): `127.1` and `10.1/8` are no addresses, only text.
    ['127.1', '127.0.0.1', false],
    ['10.1/8', '10.0.0.0/8', false],
  ])('%s vs %s -> %s', (a, b, want) => expect(samePrefix(a, b)).toBe(want));
});

describe('prefixWithin', () => {
  it.each([
    ['203.0.113.10', '203.0.113.0/24', true],
    ['203.0.113.0/25', '203.0.113.0/24', true],
    ['203.0.113.0/23', '203.0.113.0/24', false],
    ['2001:db8::1', '2001:db8::/32', true],
    ['203.0.113.10', '2001:db8::/32', false],
    ['127.1', '127.0.0.0/8', false],
    ['10.0.0.1', '10.1/8', false],
  ])('%s within %s -> %s', (a, b, want) => expect(prefixWithin(a, b)).toBe(want));
});

describe('matchPolicies', () => {
  const vm = {
    id: VM_ID,
    name: 'web-01',
    subscriptionId: SUB,
    ref: { input: 'web-01', name: 'web-01', resourceGroup: 'rg-web' },
  } as VmTopology;
  const pol = (name: string, rg: string, ids: string[]): JitPolicy => ({
    id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${name}`,
    name,
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'eastus',
    virtualMachines: ids.map((id) => ({ id, ports: [] })),
    requests: [],
  });

  it('finds the policy listing the VM whatever its name, comparing IDs case-insensitively', () => {
    const warnings: string[] = [];
    const [m] = matchPolicies(
      [vm],
      [pol('other', 'rg-x', []), pol('web-jit', 'rg-web', [VM_ID.toLowerCase()])],
      (w) => warnings.push(w),
    );
    expect(m?.policy.name).toBe('web-jit');
    expect(warnings).toEqual([]);
  });

  it("finds the VM's entry with a trailing slash too, and never an entry of a longer or shorter name", () => {
    const entry = `${VM_ID.toUpperCase()}/`;
    const [m] = matchPolicies([vm], [pol('web-jit', 'rg-web', [`${VM_ID}0`, entry])], () => undefined);
    expect(m?.entry.id).toBe(entry);
    expect(() =>
      matchPolicies([vm], [pol('web-jit', 'rg-web', [`${VM_ID}0`, VM_ID.slice(0, -1)])], () => undefined),
    ).toThrow(PolicyError);
  });

  it('picks deterministically and warns when two policies list the VM', () => {
    const warnings: string[] = [];
    const a = matchPolicies([vm], [pol('zeta', 'rg-b', [VM_ID]), pol('alpha', 'rg-a', [VM_ID])], (w) =>
      warnings.push(w),
    );
    const b = matchPolicies(
      [vm],
      [pol('alpha', 'rg-a', [VM_ID]), pol('zeta', 'rg-b', [VM_ID])],
      () => undefined,
    );
    expect(a[0]?.policy.name).toBe('alpha');
    expect(b[0]?.policy.name).toBe('alpha');
    expect(warnings[0]).toContain('2 JIT policies');
  });

  it('names the VM and says how to enable JIT when no policy lists it', () => {
    expect(() => matchPolicies([vm], [pol('web-jit', 'rg-web', [])], () => undefined)).toThrow(PolicyError);
    expect(() => matchPolicies([vm], [], () => undefined)).toThrow(/web-01.*not covered by any JIT policy/);
  });
});

describe('ServerClock', () => {
  it('corrects every skew (30 s too: the duration must hold on the server clock) but warns only beyond 2 min', () => {
    let local = Date.parse('2026-11-22T01:00:00Z');
    const clock = new ServerClock(() => new Date(local));
    clock.observe('Sun, 22 Nov 2026 01:00:30 GMT');
    expect(clock.skewed).toBe(false);
    expect(clock.now().getTime()).toBe(Date.parse('2026-11-22T01:00:30Z'));
    clock.observe('Sun, 22 Nov 2026 01:10:00 GMT');
    expect(clock.skewed).toBe(true);
    local += 1000;
    // The Date header's lower bound: never later than Azure's time, at most 1 s early.
    expect(clock.now().getTime()).toBe(Date.parse('2026-11-22T01:10:01Z'));
  });
});

describe('throttle cap policy', () => {
  const response = (status: number, headers: Record<string, string>): PipelineResponse => ({
    status,
    headers: createHttpHeaders(headers),
    request: createPipelineRequest({ url: 'https://arm/x' }),
  });

  it('reads Retry-After in seconds, ms headers and HTTP dates', () => {
    expect(retryAfterMs(response(429, { 'retry-after': '7' }))).toBe(7000);
    expect(retryAfterMs(response(429, { 'x-ms-retry-after-ms': '250' }))).toBe(250);
    expect(
      retryAfterMs(
        response(429, { 'retry-after': 'Sun, 22 Nov 2026 01:00:10 GMT' }),
        Date.parse('2026-11-22T01:00:00Z'),
      ),
    ).toBe(10_000);
  });

  it('passes a short Retry-After to the retry policy and stops a long one', async () => {
    const policy = throttleCapPolicy(60_000);
    const request = createPipelineRequest({ url: 'https://arm/x' });
    await expect(
      policy.sendRequest(request, () => Promise.resolve(response(429, { 'retry-after': '5' }))),
    ).resolves.toHaveProperty('status', 429);
    await expect(
      policy.sendRequest(request, () => Promise.resolve(response(429, { 'retry-after': '3600' }))),
    ).rejects.toBeInstanceOf(RetryAfterTooLongError);
  });
});
