/**
 * Each front-end speaks its own names: a GitHub user reads `wait-timeout`, an
 * Azure DevOps user `waitTimeout`, a CLI user `--wait-timeout`. Two checks:
 * every failure text the input parser, the validation and the error classes
 * produce is rendered for each front-end and scanned for another front-end's
 * spelling; and the core's source is scanned for message text that spells an
 * input itself instead of asking the FrontEnd.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CancelledError,
  describeError,
  IpResolutionError,
  TimeoutError,
  UnexpectedError,
} from '../../../shared/errors';
import { ADO, CLI, describeInput, FRONT_ENDS, GITHUB, type FrontEnd } from '../../../shared/frontEnd';
import { parseRawInputs, type RawInputs } from '../../../shared/inputs/parse';
import { INPUT_NAMES, INPUTS, type InputName } from '../../../shared/inputs/table';
import type { VmPolicyMatch } from '../../../shared/jit/policies';
import { validateRequest } from '../../../shared/jit/validate';
import { problemsOf } from '../../../shared/problems';

const MULTI_WORD = INPUT_NAMES.filter((n) => n.includes('-'));

const defaults = (): RawInputs =>
  Object.fromEntries(INPUT_NAMES.map((n) => [n, INPUTS[n].default])) as RawInputs;

/** Bad values that make each input's parser (and its cross-checks) speak. */
const BAD: readonly Partial<Record<InputName, string>>[] = [
  { vms: '', ports: '' },
  { vms: 'web-01' },
  { vms: 'web-01,web-01', 'resource-group': 'rg', ports: '22,22,x' },
  { vms: 'web 01', 'resource-group': 'rg.', ports: '22-24', duration: 'soon', source: '*' },
  { vms: 'web-01', 'resource-group': 'rg', ports: '22', 'wait-timeout': '30', 'poll-interval': '60' },
  {
    vms: 'web-01',
    'resource-group': 'rg',
    ports: '22',
    'allow-any-source': 'maybe',
    probe: 'x',
    'dry-run': 'y',
  },
  {
    vms: 'web-01',
    'resource-group': 'rg',
    ports: '22',
    'close-on-post': 'later',
    justification: 'x'.repeat(2000),
  },
  { vms: 'web-01', 'resource-group': 'rg', ports: '22', source: '10.0.0.1/8', 'ip-providers': 'http://x' },
  { vms: 'web-01', 'resource-group': 'rg', ports: '22', cloud: 'Custom' },
  { vms: 'web-01', 'resource-group': 'rg', ports: '22', cloud: 'Mars', 'arm-endpoint': 'https://a.example' },
];

const VM_ID = '/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01';
const match = (prefix: string): VmPolicyMatch =>
  ({
    vm: { name: 'web-01', id: VM_ID, nsgs: [{ id: 'nsg', level: 'nic', privateIps: [] }] },
    policy: { name: 'web-jit', id: 'p' },
    entry: {
      id: VM_ID,
      ports: [
        { number: 22, protocol: 'TCP', maxRequestAccessDuration: 'PT1H', allowedSourceAddressPrefix: prefix },
      ],
    },
  }) as unknown as VmPolicyMatch;

/** Every text a user of `fe` could read from these failures: the failure text and the summary rows. */
function textsFor(fe: FrontEnd): string[] {
  const out: string[] = [];
  const collect = (e: unknown): void => {
    out.push(describeError(e, fe), ...problemsOf(e, fe).flatMap((p) => [p.what, p.fix]));
  };
  for (const values of BAD) {
    try {
      const parsed = parseRawInputs({ ...defaults(), ...values }, fe);
      out.push(...parsed.warnings);
    } catch (e) {
      collect(e);
    }
  }
  out.push(
    ...parseRawInputs(
      {
        ...defaults(),
        vms: 'web-01',
        'resource-group': 'rg',
        ports: '22,22',
        source: 'azure',
        'ip-providers': 'https://x',
      },
      fe,
    ).warnings,
  );
  try {
    validateRequest([match('10.0.0.0/8')], {
      ports: [22, 3389],
      durationMinutes: 120,
      source: { kind: 'explicit', prefix: '10.1.0.0/16' },
    });
  } catch (e) {
    collect(e);
  }
  const warned = validateRequest([match('10.0.0.0/8')], {
    ports: [22],
    durationMinutes: 5,
    source: { kind: 'azure' },
  });
  out.push(...warned.warnings.map((w) => (typeof w === 'function' ? w(fe) : w)));
  for (const e of [
    new TimeoutError('t'),
    new IpResolutionError('ip'),
    new CancelledError(),
    new UnexpectedError('x', undefined),
  ])
    collect(e);
  return out;
}

/** Spellings that must not appear in `fe`'s texts. */
function foreign(fe: FrontEnd): RegExp[] {
  const camel = MULTI_WORD.map((n) => new RegExp(`\\b${INPUTS[n].ado}\\b`));
  const kebabBare = MULTI_WORD.map((n) => new RegExp(`(?<!--)\\b${n}\\b`));
  const flag = /(?<![\w-])--[a-z]/;
  if (fe === ADO) return [...kebabBare, flag];
  if (fe === GITHUB) return [...camel, flag];
  return [...camel, ...kebabBare, /input '/];
}

describe.each(Object.values(FRONT_ENDS).map((fe) => [fe.id, fe] as const))('texts for %s', (_id, fe) => {
  const texts = textsFor(fe);

  it('are many (the scan reaches every parser)', () => {
    expect(texts.length).toBeGreaterThan(40);
    expect(texts.join('\n')).toContain(fe.input('wait-timeout'));
    expect(texts.join('\n')).toContain(fe.input('allow-any-source'));
  });

  it("never spell an input another front-end's way", () => {
    const offending = texts.flatMap((t) =>
      foreign(fe)
        .filter((re) => re.test(t))
        .map((re) => `${re.source} in: ${t}`),
    );
    expect(offending).toEqual([]);
  });
});

it('ADO texts never show the inputs Azure DevOps ignores in its own spelling', () => {
  expect(ADO.uses('cloud')).toBe(false);
  expect(ADO.uses('arm-endpoint')).toBe(false);
  expect(CLI.uses('close-on-post')).toBe(false);
  expect(GITHUB.uses('cloud')).toBe(true);
});

describe("the core's message text", () => {
  const ROOT = join(__dirname, '..', '..', '..', 'shared');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
    });
  /** String literals and template texts that read like prose (they contain a space). */
  function proseLiterals(source: string): string[] {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    return [...code.matchAll(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)]
      .map((m) => m[0].slice(1, -1).replace(/\$\{[^}]*\}/g, ''))
      .filter((t) => /\s/.test(t));
  }
  const names = [...MULTI_WORD, ...MULTI_WORD.map((n) => INPUTS[n].ado)];
  const spelled = new RegExp(`(?<![.\\w-])(${names.join('|')})(?![\\w-])`);
  const single =
    /`(vms|ports|duration|source|justification|probe|cloud)`|\b(vms|ports|duration|source|cloud): [a-z*]/;

  it.each(
    files(ROOT)
      .filter((f) => !/[/\\](inputs[/\\]table|frontEnd)\.ts$/.test(f))
      .map((f) => [f.slice(ROOT.length + 1)]),
  )('%s names inputs only through the FrontEnd', (file) => {
    const found = proseLiterals(readFileSync(join(ROOT, file), 'utf8')).filter(
      (t) => spelled.test(t) || single.test(t),
    );
    expect(found).toEqual([]);
  });
});

describe('describeInput', () => {
  it('spells the inputs a description mentions the way each front-end does', () => {
    expect(describeInput('source', CLI)).toContain('needs --allow-any-source');
    expect(describeInput('allow-any-source', CLI)).toContain("`--source '*'`");
    expect(describeInput('cloud', CLI)).toContain('--arm-endpoint and --authority-host');
    expect(describeInput('source', ADO)).toContain('needs allowAnySource');
    expect(describeInput('vms', ADO)).toContain('with resourceGroup');
    expect(describeInput('source', GITHUB)).toBe(INPUTS.source.description);
  });
});
