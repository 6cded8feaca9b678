import fc from 'fast-check';
import { KNOWN_CLOUDS } from '../../../shared/cloud';
import { STATE_KEY, parseState, serializeState, type JitState } from '../../../shared/state';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const VM = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
const NSG = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`;

const SAMPLE: JitState = {
  version: 1,
  createdAt: '2026-11-22T01:00:00.000Z',
  cloud: KNOWN_CLOUDS.AzureCloud,
  subscriptionIds: [SUB],
  closeOnPost: 'delete-rule',
  source: { kind: 'auto', prefix: '203.0.113.10' },
  requests: [
    {
      policyId: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`,
      policyName: 'web-jit',
      resourceGroup: 'rg-web',
      location: 'eastus',
      status: 'accepted',
      startTimeUtc: '2026-11-22T01:00:01.123Z',
      endTimeUtc: '2026-11-22T01:15:01.123Z',
      vms: [
        {
          id: VM,
          name: 'web-01',
          privateIps: ['10.0.1.4'],
          ports: [22],
          nsgIds: [NSG],
          rules: [
            {
              nsgId: NSG,
              name: 'SecurityCenter-JITRule-1234-0123456789ABCDEF0123456789ABCDEF',
              port: 22,
              destination: '10.0.1.4',
              source: '203.0.113.10',
            },
          ],
        },
      ],
    },
  ],
};

describe('state', () => {
  it('uses the platform key', () => {
    expect(STATE_KEY).toBe('jit-state');
  });

  it('round-trips', () => {
    expect(parseState(serializeState(SAMPLE))).toEqual({ ok: true, state: SAMPLE });
  });

  it('round-trips a state saved before the rules were known, and a source without a prefix', () => {
    const early: JitState = {
      ...SAMPLE,
      source: { kind: 'azure' },
      closeOnPost: 'none',
      requests: SAMPLE.requests.map((r) => ({ ...r, vms: r.vms.map((v) => ({ ...v, rules: [] })) })),
    };
    expect(parseState(serializeState(early))).toEqual({ ok: true, state: early });
  });

  it('writes only known fields, so nothing else (a token, a client) can leak into state', () => {
    const polluted = {
      ...SAMPLE,
      token: 'eyJ0eXAiOiJKV1QiLCJhbGciOi.secret',
      cloud: { ...SAMPLE.cloud, credential: { secret: 's3cr3t' } },
      requests: SAMPLE.requests.map((r) => ({
        ...r,
        accessToken: 'tok-123',
        vms: r.vms.map((v) => ({ ...v, extra: 'x' })),
      })),
    } as unknown as JitState;
    const text = serializeState(polluted);
    expect(text).not.toMatch(/eyJ0eXAi|s3cr3t|tok-123|"extra"/);
    expect(JSON.parse(text)).toEqual(JSON.parse(serializeState(SAMPLE)));
  });

  it.each([
    ['', 'missing'],
    ['   \n', 'missing'],
  ])('reports missing state for %j', (text, reason) => {
    expect(parseState(text)).toMatchObject({ ok: false, reason });
  });

  it.each<[string, string]>([
    ['{not json', 'not JSON'],
    ['[]', 'state is not an object'],
    ['null', 'state is not an object'],
    ['"text"', 'state is not an object'],
  ])('reports corrupt state for %j', (text, detail) => {
    const r = parseState(text);
    expect(r).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(r.ok ? '' : r.detail).toContain(detail);
  });

  it.each<[string, (s: Record<string, unknown>) => void, string]>([
    ['a missing cloud', (s) => delete s.cloud, 'state.cloud is not an object'],
    ['a bad closeOnPost', (s) => (s.closeOnPost = 'maybe'), 'state.closeOnPost is not delete-rule|none'],
    [
      'a bad source kind',
      (s) => (s.source = { kind: 'other' }),
      'state.source.kind is not auto|azure|explicit',
    ],
    ['a bad createdAt', (s) => (s.createdAt = 'yesterday'), 'state.createdAt is not a date'],
    [
      'a bad end time',
      (s) => ((s.requests as Record<string, unknown>[])[0]!.endTimeUtc = 'soon'),
      'state.requests[0].endTimeUtc is not a date',
    ],
    [
      'a port out of range',
      (s) =>
        (((s.requests as Record<string, unknown>[])[0]!.vms as Record<string, unknown>[])[0]!.ports = [
          70000,
        ]),
      'state.requests[0].vms[0].ports[0] is not a port',
    ],
    [
      'a rule without a name',
      (s) =>
        delete (
          ((s.requests as Record<string, unknown>[])[0]!.vms as Record<string, unknown>[])[0]!
            .rules as Record<string, unknown>[]
        )[0]!.name,
      'state.requests[0].vms[0].rules[0].name is not a string',
    ],
    ['requests not an array', (s) => (s.requests = {}), 'state.requests is not an array'],
  ])('reports corrupt state with %s, naming the field', (_name, damage, detail) => {
    const raw = JSON.parse(serializeState(SAMPLE)) as Record<string, unknown>;
    damage(raw);
    expect(parseState(JSON.stringify(raw))).toEqual({ ok: false, reason: 'corrupt', detail });
  });

  it.each([[0], [2], ['1'], [null]])('reports version %j as unsupported', (version) => {
    const raw = { ...(JSON.parse(serializeState(SAMPLE)) as object), version };
    const r = parseState(JSON.stringify(raw));
    expect(r).toMatchObject({ ok: false, reason: 'unsupported-version' });
    expect(r.ok ? '' : r.detail).toContain(`state version ${JSON.stringify(version)} is not supported`);
  });

  it('reports a missing version as unsupported', () => {
    const { version: _v, ...rest } = JSON.parse(serializeState(SAMPLE)) as Record<string, unknown>;
    expect(parseState(JSON.stringify(rest))).toMatchObject({ ok: false, reason: 'unsupported-version' });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const r = parseState(text);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });
});
