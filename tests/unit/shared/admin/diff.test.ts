/**
 * Merge and diff of a policy's VM list (shared/admin/diff.ts): what is not
 * named must come out as the very same objects, byte for byte.
 */
import fc from 'fast-check';
import {
  canonicalJson,
  describeChanges,
  diffEntries,
  entriesOf,
  mergeDisable,
  mergeEnable,
  sameEntries,
  unmodelledFields,
  type DesiredRule,
  type RawPortRule,
  type RawVmEntry,
} from '../../../../shared/admin/diff';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const id = (vm: string, rg = 'rg-web'): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`;

const rule = (number: number, extra: Partial<RawPortRule> = {}): RawPortRule => ({
  number,
  protocol: 'TCP',
  allowedSourceAddressPrefix: '*',
  maxRequestAccessDuration: 'PT3H',
  ...extra,
});

const want = (number: number, sources: string[] = ['203.0.113.0/24']): DesiredRule => ({
  number,
  protocol: '*',
  maxRequestAccessDuration: 'PT3H',
  allowedSources: sources,
});

const policy = (): RawVmEntry[] => [
  { id: id('web-01'), ports: [rule(22)] },
  { id: id('win-01'), ports: [rule(3389, { maxRequestAccessDuration: 'PT1H' }), rule(5986)] },
];

describe('mergeEnable', () => {
  it('adds a new VM at the end and keeps every other entry as the same object', () => {
    const current = policy();
    const merged = mergeEnable(current, [{ id: id('legacy-01'), ports: [want(22)] }]);
    expect(merged.after[0]).toBe(current[0]);
    expect(merged.after[1]).toBe(current[1]);
    expect(merged.after[2]).toEqual({
      id: id('legacy-01'),
      ports: [
        {
          number: 22,
          protocol: '*',
          allowedSourceAddressPrefix: '203.0.113.0/24',
          maxRequestAccessDuration: 'PT3H',
        },
      ],
    });
    expect(merged.changed).toBe(true);
    expect(merged.changes.map((c) => [c.name, c.change, c.named])).toEqual([
      ['web-01', 'unchanged', false],
      ['win-01', 'unchanged', false],
      ['legacy-01', 'added', true],
    ]);
  });

  it('updates only the named port of a VM; its other ports stay the same objects', () => {
    const current = policy();
    const merged = mergeEnable(current, [{ id: id('WIN-01'), ports: [want(5986, ['*'])] }]);
    const win = merged.after[1];
    expect(win?.id).toBe(id('win-01')); // the stored spelling of the ID is kept
    expect(win?.ports[0]).toBe(current[1]?.ports[0]);
    expect(win?.ports[1]).toEqual({
      number: 5986,
      protocol: '*',
      allowedSourceAddressPrefix: '*',
      maxRequestAccessDuration: 'PT3H',
    });
    const change = merged.changes[1];
    expect(change?.change).toBe('changed');
    expect(change?.ports.map((p) => [p.port, p.change])).toEqual([
      [3389, 'unchanged'],
      [5986, 'changed'],
    ]);
    expect(change?.ports[1]?.details).toEqual(['protocol TCP → *']);
  });

  it('adds a new port to an existing VM after its ports', () => {
    const merged = mergeEnable(policy(), [{ id: id('web-01'), ports: [want(2222)] }]);
    expect(merged.after[0]?.ports.map((p) => p.number)).toEqual([22, 2222]);
    expect(describeChanges(merged.changes)).toEqual([
      'web-01 port 2222: added (any protocol, from 203.0.113.0/24, max PT3H)',
    ]);
  });

  it('a rule equal in meaning keeps the stored object: nothing to write', () => {
    const current: RawVmEntry[] = [
      {
        id: id('web-01'),
        ports: [
          {
            maxRequestAccessDuration: 'pt3h',
            allowedSourceAddressPrefixes: ['b', 'a'],
            protocol: '*',
            number: 22,
          },
        ],
      },
    ];
    const merged = mergeEnable(current, [{ id: id('web-01'), ports: [want(22, ['a', 'b'])] }]);
    expect(merged.changed).toBe(false);
    expect(merged.after[0]).toBe(current[0]);
  });

  it('writes one source as allowedSourceAddressPrefix and several as allowedSourceAddressPrefixes, never both', () => {
    const merged = mergeEnable(
      [{ id: id('web-01'), ports: [rule(22)] }],
      [{ id: id('web-01'), ports: [want(22, ['198.51.100.0/24', '203.0.113.10'])] }],
    );
    const port = merged.after[0]?.ports[0];
    expect(port?.allowedSourceAddressPrefixes).toEqual(['198.51.100.0/24', '203.0.113.10']);
    expect(port).not.toHaveProperty('allowedSourceAddressPrefix');
    expect(merged.changes[0]?.ports[0]?.details).toEqual([
      'protocol TCP → *',
      'allowed sources * → 198.51.100.0/24,203.0.113.10',
    ]);
  });

  it('property: every entry not named comes out identical, whatever the policy holds', () => {
    const portRule = fc.record({
      number: fc.integer({ min: 1, max: 65535 }),
      protocol: fc.constantFrom('TCP', 'UDP', '*'),
      allowedSourceAddressPrefix: fc.constantFrom('*', '203.0.113.10', '10.0.0.0/8'),
      maxRequestAccessDuration: fc.constantFrom('PT1H', 'PT3H', 'P1D'),
    });
    const entries = fc.uniqueArray(
      fc.record({
        id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/).map((n) => id(n)),
        ports: fc.array(portRule, { maxLength: 3 }),
      }),
      { selector: (e) => e.id, maxLength: 6 },
    );
    fc.assert(
      fc.property(entries, fc.nat(), fc.integer({ min: 1, max: 65535 }), (current, pick, port) => {
        const named = current.length > 0 ? (current[pick % current.length]?.id ?? id('new')) : id('new');
        const merged = mergeEnable(current, [{ id: named, ports: [want(port)] }]);
        for (const entry of current) {
          if (entry.id === named) continue;
          expect(merged.after.find((e) => e.id === entry.id)).toBe(entry);
        }
        const namedAfter = merged.after.find((e) => e.id === named);
        const namedBefore = current.find((e) => e.id === named);
        for (const p of namedBefore?.ports ?? []) {
          if (p.number !== port) expect(namedAfter?.ports).toContain(p);
        }
        expect(namedAfter?.ports.filter((p) => p.number === port)).toHaveLength(
          namedBefore?.ports.some((p) => p.number === port)
            ? namedBefore.ports.filter((p) => p.number === port).length
            : 1,
        );
      }),
    );
  });
});

describe('mergeDisable', () => {
  it('removes only the named VM', () => {
    const current = policy();
    const merged = mergeDisable(current, [id('web-01')]);
    expect(merged.after).toEqual([current[1]]);
    expect(merged.after[0]).toBe(current[1]);
    expect(merged.changes.map((c) => [c.name, c.change])).toEqual([
      ['web-01', 'removed'],
      ['win-01', 'unchanged'],
    ]);
  });

  it('a VM not in the policy changes nothing', () => {
    expect(mergeDisable(policy(), [id('other')]).changed).toBe(false);
  });
});

describe('diffEntries and sameEntries (the concurrent-change check)', () => {
  it('ignores key order and VM order, sees any field change', () => {
    const a = policy();
    const reordered: RawVmEntry[] = [
      { ports: a[1]?.ports ?? [], id: id('win-01') },
      {
        ports: [
          { maxRequestAccessDuration: 'PT3H', allowedSourceAddressPrefix: '*', protocol: 'TCP', number: 22 },
        ],
        id: id('web-01'),
      },
    ];
    expect(sameEntries(a, reordered)).toBe(true);
    const other = structuredClone<RawVmEntry[]>(a);
    (other[0] as { publicIpAddress?: string }).publicIpAddress = '52.170.20.30';
    expect(sameEntries(a, other)).toBe(false);
    expect(describeChanges(diffEntries(a, other))).toEqual(['web-01: publicIpAddress changed']);
  });

  it('reports a VM added and a port removed by someone else', () => {
    const a = policy();
    const b: RawVmEntry[] = [
      a[0] as RawVmEntry,
      { id: id('win-01'), ports: [rule(3389, { maxRequestAccessDuration: 'PT1H' })] },
      { id: id('x'), ports: [rule(22)] },
    ];
    expect(describeChanges(diffEntries(a, b))).toEqual([
      'win-01 port 5986: removed',
      'x: added, port 22 (TCP, from *, max PT3H)',
    ]);
  });
});

describe('display of text from a policy', () => {
  it('masks what could be a CI runner command', () => {
    const evil: RawVmEntry[] = [
      {
        id: '/x/virtualMachines/::warning::pwned',
        ports: [rule(22, { allowedSourceAddressPrefix: '##vso[task.setvariable variable=x]1' })],
      },
    ];
    const lines = describeChanges(diffEntries([], evil));
    expect(lines).toEqual([
      '??warning??pwned: added, port 22 (TCP, from ??vso[task.setvariable variable=x]1, max PT3H)',
    ]);
    expect(lines.join('\n')).not.toMatch(/##|^\s*::/m);
  });
});

describe('entriesOf and unmodelledFields', () => {
  it('reads the list from Azure JSON and refuses shapes it cannot merge', () => {
    expect(entriesOf({ properties: { virtualMachines: policy() } }, 'p')).toEqual(policy());
    expect(entriesOf({ properties: {} }, 'p')).toEqual([]);
    expect(() => entriesOf({ properties: { virtualMachines: {} } }, 'policy x')).toThrow(
      /policy x .* not a list/,
    );
    expect(() => entriesOf({ properties: { virtualMachines: [{ id: 'a' }] } }, 'p')).toThrow(
      /no id or ports/,
    );
    expect(() =>
      entriesOf({ properties: { virtualMachines: [{ id: 'a', ports: [{ number: '22' }] }] } }, 'p'),
    ).toThrow(/no number or protocol/);
  });

  it('names fields the SDK would drop on a write', () => {
    const entries: RawVmEntry[] = [{ id: id('web-01'), ports: [rule(22, { futureField: 1 })], tags: {} }];
    expect(unmodelledFields(entries)).toEqual(['web-01: tags', 'web-01 port 22: futureField']);
    expect(unmodelledFields(policy())).toEqual([]);
  });

  it('canonicalJson sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [{ f: 1, e: 2 }] } })).toBe(
      '{"a":{"c":[{"e":2,"f":1}],"d":1},"b":1}',
    );
  });
});
