/**
 * Pure pieces of the wait/close logic: recognising JIT allow rules, the
 * supersession check on a policy's request history, policy matching, the
 * server clock, and the pipeline's Retry-After cap.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { RetryAfterTooLongError, retryAfterMs, throttleCapPolicy } from '../../../../shared/azure/policies';
import { ServerClock } from '../../../../shared/azure/serverClock';
import type { VmTopology } from '../../../../shared/azure/topology';
import { PolicyError } from '../../../../shared/errors';
import { isJitAllowRuleName, matchesTarget, sameSlot } from '../../../../shared/jit/nsgRules';
import { matchPolicies, type JitPolicy } from '../../../../shared/jit/policies';
import { findNewerRequest } from '../../../../shared/jit/supersede';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const VM_ID = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;

describe('JIT allow rule names', () => {
  it.each([
    ['SecurityCenter-JITRule-1170687618-8C18BF8921F041989344B4F1E3A0C370', true],
    ['SecurityCenter-JITRule--1105480617-9EF6964FE766478B9EC568B32FB82045', true],
    ['securitycenter-jitrule-1-abcdef', true],
    ['SecurityCenter-JITRule_1170687618_62799A5740DE464DB71C4F619369BBAD', false], // deny rule
    ['AllowSSH', false],
  ])('%s → %s', (name, allow) => expect(isJitAllowRuleName(name)).toBe(allow));
});

describe('rule matching', () => {
  const rule = (over: Partial<SecurityRule> = {}): SecurityRule => ({
    name: 'SecurityCenter-JITRule-1-ABC',
    access: 'Allow',
    direction: 'Inbound',
    protocol: 'Tcp',
    sourceAddressPrefix: '203.0.113.10',
    destinationAddressPrefix: '10.0.1.4',
    destinationPortRange: '22',
    provisioningState: 'Succeeded',
    ...over,
  });
  const target = { port: 22, destinations: ['10.0.1.4'], source: '203.0.113.10', protocol: 'TCP' };

  it('matches source exactly, port and destination, protocol case-insensitively', () => {
    expect(matchesTarget(rule(), target)).toBe(true);
    expect(matchesTarget(rule({ protocol: '*' }), target)).toBe(true);
    expect(
      matchesTarget(rule({ destinationPortRange: undefined, destinationPortRanges: ['22', '3389'] }), target),
    ).toBe(true);
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

describe('findNewerRequest', () => {
  const policy = (requests: JitNetworkAccessPolicy['requests']): JitNetworkAccessPolicy => ({
    virtualMachines: [],
    requests,
  });
  const req = (
    start: string,
    port: number,
    status = 'Initiated',
    statusReason = 'UserRequested',
    requestor = 'someone',
  ) => ({
    startTimeUtc: new Date(start),
    requestor,
    virtualMachines: [
      {
        id: VM_ID.toUpperCase(),
        ports: [
          {
            number: port,
            endTimeUtc: new Date('2030-01-01T00:00:00Z'),
            status,
            statusReason,
            allowedSourceAddressPrefix: '198.51.100.7',
          },
        ],
      },
    ],
  });
  const ours = '2026-11-22T01:00:00.000Z';

  it('finds a later request for the same VM and port (IDs compared case-insensitively)', () => {
    const n = findNewerRequest(policy([req(ours, 22), req('2026-11-22T01:00:05Z', 22)]), VM_ID, 22, ours);
    expect(n).toEqual({
      startTimeUtc: '2026-11-22T01:00:05.000Z',
      requestor: 'someone',
      source: '198.51.100.7',
    });
  });

  it('ignores other ports and older requests', () => {
    expect(
      findNewerRequest(
        policy([req('2026-11-22T00:59:00Z', 22), req('2026-11-22T01:00:05Z', 3389)]),
        VM_ID,
        22,
        ours,
      ),
    ).toBeUndefined();
  });

  it('treats our own entry revoked for NewerRequestInitiated as superseded', () => {
    expect(
      findNewerRequest(policy([req(ours, 22, 'Revoked', 'NewerRequestInitiated')]), VM_ID, 22, ours),
    ).toBeDefined();
    expect(findNewerRequest(policy([req(ours, 22, 'Revoked', 'Expired')]), VM_ID, 22, ours)).toBeUndefined();
  });
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
