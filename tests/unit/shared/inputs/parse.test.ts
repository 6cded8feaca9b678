import { ADO, CLI, GITHUB, render, type Wording } from '../../../../shared/frontEnd';
const txt = (w: Wording | undefined): string => (w === undefined ? '' : render(w, GITHUB));
import { DEFAULT_IP_PROVIDERS, INPUT_NAMES } from '../../../../shared/inputs/table';
import { KNOWN_CLOUDS } from '../../../../shared/cloud';
import { describeError } from '../../../../shared/errors';
import { FakePlatform } from '../../../helpers/fakePlatform';
import { parseInputs } from '../../../../shared/inputs/parse';
import { BASE, SUB, SUB2, inputErrorFor, issuesFor, parseWith, vmId, type Inputs } from './helpers';

describe('parseInputs: defaults', () => {
  it('reads every input of the table exactly once', () => {
    const platform = new FakePlatform({ inputs: BASE });
    parseInputs(platform);
    expect([...platform.inputReads].sort()).toEqual([...INPUT_NAMES].sort());
  });

  it('fills the documented defaults and freezes the result', () => {
    const { config } = parseWith({});
    expect(config).toEqual({
      vms: [{ input: 'web-01', name: 'web-01', resourceGroup: 'rg-web' }],
      ports: [22],
      durationMinutes: 15,
      source: { kind: 'auto' },
      allowAnySource: false,
      waitTimeoutMs: 300_000,
      pollIntervalMs: 'auto',
      probe: 'auto',
      closeOnPost: 'delete-rule',
      ipProviders: [...DEFAULT_IP_PROVIDERS],
      cloud: KNOWN_CLOUDS.AzureCloud,
      dryRun: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.vms)).toBe(true);
    expect(Object.isFrozen(config.vms[0])).toBe(true);
    expect(Object.isFrozen(config.ports)).toBe(true);
    expect(Object.isFrozen(config.source)).toBe(true);
    expect(Object.isFrozen(config.cloud)).toBe(true);
    expect(() => {
      (config.ports as number[]).push(3389);
    }).toThrow(TypeError);
  });

  it('treats whitespace-only values as not set', () => {
    const { config } = parseWith({ duration: '  ', source: '\n', 'close-on-post': ' ' });
    expect(config.durationMinutes).toBe(15);
    expect(config.source).toEqual({ kind: 'auto' });
    expect(config.closeOnPost).toBe('delete-rule');
  });
});

describe('vms', () => {
  it.each<[string, Inputs, unknown[]]>([
    [
      'a bare name with resource-group',
      { vms: 'web-01' },
      [{ input: 'web-01', name: 'web-01', resourceGroup: 'rg-web' }],
    ],
    [
      'full IDs across subscriptions, resource-group not needed',
      { vms: `${vmId('web-01')}\n${vmId('db-01', 'rg-data', SUB2)}`, 'resource-group': '' },
      [
        { input: vmId('web-01'), name: 'web-01', resourceGroup: 'rg-web', subscriptionId: SUB },
        {
          input: vmId('db-01', 'rg-data', SUB2),
          name: 'db-01',
          resourceGroup: 'rg-data',
          subscriptionId: SUB2,
        },
      ],
    ],
    [
      'segment names in any case, subscription normalised to lower case',
      {
        vms: `/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourcegroups/RG-Web/PROVIDERS/microsoft.compute/VIRTUALMACHINES/Web-01/`,
      },
      [
        {
          input: `/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourcegroups/RG-Web/PROVIDERS/microsoft.compute/VIRTUALMACHINES/Web-01/`,
          name: 'Web-01',
          resourceGroup: 'RG-Web',
          subscriptionId: SUB,
        },
      ],
    ],
    [
      'commas, new lines, CRLF, blanks and trailing separators',
      { vms: ' web-01 ,\r\nweb-02,\n\n win-01,\n' },
      ['web-01', 'web-02', 'win-01'].map((n) => ({ input: n, name: n, resourceGroup: 'rg-web' })),
    ],
    [
      'names with _ . and digits',
      { vms: 'vm_1.a-2' },
      [{ input: 'vm_1.a-2', name: 'vm_1.a-2', resourceGroup: 'rg-web' }],
    ],
    [
      'resource group with parentheses and periods',
      { vms: 'web-01', 'resource-group': 'rg.(prod)_1' },
      [{ input: 'web-01', name: 'web-01', resourceGroup: 'rg.(prod)_1' }],
    ],
  ])('accepts %s', (_name, inputs, expected) => {
    expect(parseWith(inputs).config.vms).toEqual(expected);
  });

  it('de-duplicates (case-insensitively) and warns', () => {
    const { config, platform } = parseWith({
      vms: `web-01, WEB-01, ${vmId('web-02')}, ${vmId('WEB-02', 'RG-WEB')}`,
    });
    expect(config.vms.map((v) => v.name)).toEqual(['web-01', 'web-02']);
    expect(platform.messages('warning')).toEqual([
      `vms: ignoring duplicate entries: WEB-01, ${vmId('WEB-02', 'RG-WEB')}`,
    ]);
  });

  it('warns that resource-group is unused when every VM is a full ID', () => {
    const { platform } = parseWith({ vms: vmId('web-01') });
    expect(platform.messages('warning')).toEqual([
      'resource-group is ignored: every VM is given by its full resource ID',
    ]);
  });

  const bad: [string, Inputs, string, string][] = [
    ['empty', { vms: '' }, '', 'is required'],
    ['only separators', { vms: ' ,\n, ' }, ' ,\n, ', 'is required'],
    [
      'a bare name without resource-group',
      { 'resource-group': '' },
      'web-01',
      "input 'resource-group' is required",
    ],
    [
      'a subscription that is not a GUID',
      { vms: vmId('web-01', 'rg-web', 'not-a-guid') },
      vmId('web-01', 'rg-web', 'not-a-guid'),
      "subscription 'not-a-guid', which is not a GUID",
    ],
    [
      'a resource ID of something else',
      {
        vms: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkInterfaces/nic-1`,
      },
      `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkInterfaces/nic-1`,
      'not of a virtual machine',
    ],
    [
      'a truncated resource ID',
      { vms: `/subscriptions/${SUB}/resourceGroups/rg-web` },
      `/subscriptions/${SUB}/resourceGroups/rg-web`,
      'is not a valid VM resource ID; expected /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>',
    ],
    [
      'a resource ID with an extra segment',
      { vms: `${vmId('web-01')}/extensions/x` },
      `${vmId('web-01')}/extensions/x`,
      'is not a valid VM resource ID',
    ],
    ['an empty VM name in an ID', { vms: vmId('') }, vmId(''), "VM name '', which is not a valid VM name"],
    [
      'a bad resource group in an ID',
      { vms: vmId('web-01', 'rg web') },
      vmId('web-01', 'rg web'),
      "resource group 'rg web', which is not a valid resource group name",
    ],
    ['a name with a space', { vms: 'web 01' }, 'web 01', 'is not a valid VM name'],
    ['a name with !', { vms: 'web-01!' }, 'web-01!', 'is not a valid VM name'],
    ['a name ending with -', { vms: 'web-' }, 'web-', 'is not a valid VM name'],
    ['a name ending with .', { vms: 'web.' }, 'web.', 'is not a valid VM name'],
    ['a name starting with -', { vms: '-web' }, '-web', 'is not a valid VM name'],
    ['a name of 65 characters', { vms: 'a'.repeat(65) }, 'a'.repeat(65), 'is not a valid VM name'],
    ['a name with a slash (not an ID)', { vms: 'rg-web/web-01' }, 'rg-web/web-01', 'is not a valid VM name'],
  ];
  it.each(bad)('rejects %s', (_name, inputs, value, rule) => {
    const issues = issuesFor(inputs);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ input: 'vms', value });
    expect(txt(issues[0]?.rule)).toContain(rule);
  });

  it.each([
    ['with a space', 'rg web'],
    ['with a slash', 'rg/web'],
    ['ending with a period', 'rg-web.'],
    ['of 91 characters', 'r'.repeat(91)],
  ])('rejects a resource-group %s, once, without also blaming the bare VM names', (_name, rg) => {
    const issues = issuesFor({ vms: 'web-01, web-02', 'resource-group': rg });
    expect(issues).toEqual([expect.objectContaining({ input: 'resource-group', value: rg })]);
    expect(txt(issues[0]?.rule)).toContain('is not a valid resource group name');
  });

  it('accepts a resource-group of exactly 90 characters', () => {
    expect(parseWith({ 'resource-group': 'r'.repeat(90) }).config.vms[0]?.resourceGroup).toBe('r'.repeat(90));
  });

  it('reports every bad entry of the list, not only the first', () => {
    const issues = issuesFor({ vms: 'ok-1, bad!, also bad, ok-2' });
    expect(issues.map((i) => i.value)).toEqual(['bad!', 'also bad']);
  });
});

describe('ports', () => {
  it.each<[string, number[]]>([
    ['22', [22]],
    ['22,5986', [22, 5986]],
    [' 22 , 5986 ', [22, 5986]],
    ['1,65535', [1, 65535]],
    ['3389\n22', [3389, 22]],
    ['022', [22]],
  ])('accepts %j', (ports, expected) => {
    expect(parseWith({ ports }).config.ports).toEqual(expected);
  });

  it('de-duplicates with a warning, keeping the order given', () => {
    const { config, platform } = parseWith({ ports: '5986,22,5986,22' });
    expect(config.ports).toEqual([5986, 22]);
    expect(platform.messages('warning')).toEqual(['ports: ignoring duplicate ports: 5986, 22']);
  });

  it.each<[string, string, string]>([
    ['', '', 'is required'],
    [',', ',', 'is required'],
    ['0', '0', 'is out of range; ports are 1 to 65535'],
    ['65536', '65536', 'is out of range'],
    ['70000', '70000', 'is out of range'],
    ['-1', '-1', 'is not a port number'],
    ['22.5', '22.5', 'is not a port number'],
    ['1e3', '1e3', 'is not a port number'],
    ['ssh', 'ssh', 'is not a port number'],
    ['0x16', '0x16', 'is not a port number'],
    ['8000-8010', '8000-8010', 'is a range; JIT opens single ports'],
    ['*', '*', 'is not a port number'],
  ])('rejects %j', (ports, value, rule) => {
    const issues = issuesFor({ ports });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ input: 'ports', value });
    expect(txt(issues[0]?.rule)).toContain(rule);
  });

  it('reports each bad port of a list', () => {
    expect(issuesFor({ ports: '22, 0, abc, 3389, 99999' }).map((i) => i.value)).toEqual([
      '0',
      'abc',
      '99999',
    ]);
  });
});

describe('duration', () => {
  it.each<[string, number]>([
    ['5', 5],
    ['15', 15],
    ['1440', 1440],
    ['PT30M', 30],
    ['pt30m', 30],
    ['PT1H', 60],
    ['PT1H30M', 90],
    ['PT0.5H', 30],
    ['PT300S', 5],
    ['P1D', 1440],
    ['PT24H', 1440],
    ['PT5M', 5],
  ])('accepts %j as %d minutes', (duration, minutes) => {
    expect(parseWith({ duration }).config.durationMinutes).toBe(minutes);
  });

  it.each<[string, string]>([
    ['0', 'is 0 s; JIT allows from 5 minutes to 24 hours'],
    ['4', 'is 4 min; JIT allows from 5 minutes to 24 hours'],
    ['1441', 'is 1441 min; JIT allows'],
    ['PT4M', 'is 4 min'],
    ['PT25H', 'is 25 h'],
    ['P2D', 'is 48 h'],
    ['P1W', 'is 168 h'],
    ['P1M', 'years or months, which have no fixed length'],
    ['P1Y', 'years or months'],
    ['PT90S', 'is 90 s; JIT access is granted in whole minutes'],
    ['-5', 'must be a whole, positive number of minutes or an ISO 8601 duration'],
    ['1.5', 'must be a whole, positive number of minutes'],
    ['15m', 'is neither a number of minutes nor an ISO 8601 duration'],
    ['15 minutes', 'is neither'],
    ['P', 'is neither'],
    ['PT', 'is neither'],
    ['P1DT', 'is neither'],
    ['PT5Mjunk', 'is neither'],
    ['xPT5M', 'is neither'],
    ['PT-5M', 'is neither'],
    ['-PT5M', 'is neither'],
    ['1h', 'is neither'],
  ])('rejects %j', (duration, rule) => {
    const issues = issuesFor({ duration });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ input: 'duration', value: duration });
    expect(txt(issues[0]?.rule)).toContain(rule);
  });
});

describe('source and allow-any-source', () => {
  it.each<[Inputs, unknown]>([
    [{ source: 'auto' }, { kind: 'auto' }],
    [{ source: 'AUTO' }, { kind: 'auto' }],
    [{ source: 'azure' }, { kind: 'azure' }],
    [{ source: 'Azure' }, { kind: 'azure' }],
    [{ source: '203.0.113.10' }, { kind: 'explicit', prefix: '203.0.113.10' }],
    [{ source: ' 203.0.113.10 ' }, { kind: 'explicit', prefix: '203.0.113.10' }],
    [{ source: '198.51.100.0/24' }, { kind: 'explicit', prefix: '198.51.100.0/24' }],
    [{ source: '203.0.113.10/32' }, { kind: 'explicit', prefix: '203.0.113.10/32' }],
    [{ source: '10.1.2.3' }, { kind: 'explicit', prefix: '10.1.2.3' }],
    [{ source: '2001:db8::1' }, { kind: 'explicit', prefix: '2001:db8::1' }],
    [{ source: '2001:DB8::/48' }, { kind: 'explicit', prefix: '2001:DB8::/48' }],
    [
      { source: '*', 'allow-any-source': 'true' },
      { kind: 'explicit', prefix: '*' },
    ],
    [
      { source: '0.0.0.0/0', 'allow-any-source': 'TRUE' },
      { kind: 'explicit', prefix: '0.0.0.0/0' },
    ],
    [
      { source: '::/0', 'allow-any-source': 'True' },
      { kind: 'explicit', prefix: '::/0' },
    ],
  ])('accepts %j', (inputs, expected) => {
    expect(parseWith(inputs).config.source).toEqual(expected);
  });

  it.each([
    ['*', {}],
    ['*', { 'allow-any-source': 'false' }],
    ['0.0.0.0/0', {}],
    ['::/0', {}],
  ])('refuses any-address source %j without allow-any-source, naming both inputs', (source, extra) => {
    const error = inputErrorFor({ source, ...extra });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ input: 'source', value: source });
    expect(error.message).toContain('allow-any-source: true');
  });

  it.each(['0.0.0.0/0', '10.0.0.0/7'])(
    'refuses %s naming allow-any-source as each front-end spells it',
    (source) => {
      const error = inputErrorFor({ source });
      expect(describeError(error, ADO)).toContain('allowAnySource: true');
      expect(describeError(error, ADO)).not.toContain('allow-any-source');
      expect(describeError(error, CLI)).toContain('--allow-any-source');
      expect(describeError(error, GITHUB)).toContain('allow-any-source: true');
    },
  );

  it('reports a bad allow-any-source once, and then treats `*` as not allowed', () => {
    const issues = issuesFor({ source: '*', 'allow-any-source': 'yes' });
    expect(issues.map((i) => i.input)).toEqual(['source', 'allow-any-source']);
  });

  it.each<[string, string]>([
    ['203.0.113.0/33', 'is not a valid CIDR'],
    ['203.0.113.0/24/1', 'is not a valid CIDR'],
    ['203.0.113.0/', 'is not a valid CIDR'],
    ['/24', 'is not a valid CIDR'],
    ['2001:db8::/129', 'is not a valid CIDR'],
    ['10.0.0.1/24', 'has host bits set, so it matches no JIT policy prefix; did you mean 10.0.0.0/24?'],
    ['2001:db8::1/48', 'did you mean 2001:db8::/48?'],
    ['300.1.1.1', 'is not a valid source'],
    ['1.2.3', 'is not a valid source'],
    ['127.1', 'is not a valid source'],
    ['010.0.0.1', 'is not a valid source'],
    ['0x7f000001', 'is not a valid source'],
    ['fe80::1%eth0', 'is not a valid source'],
    ['Internet', 'is not a valid source'],
    ['any', 'is not a valid source'],
    ['203.0.113.10,198.51.100.7', 'is not a valid source'],
  ])('rejects %j', (source, rule) => {
    const issues = issuesFor({ source });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ input: 'source', value: source });
    expect(txt(issues[0]?.rule)).toContain(rule);
  });
});

describe('booleans', () => {
  const names = ['allow-any-source', 'dry-run'] as const;
  const field = { 'allow-any-source': 'allowAnySource', 'dry-run': 'dryRun' } as const;

  it.each(names.flatMap((n) => ['true', 'True', 'TRUE', ' true '].map((v) => [n, v, true] as const)))(
    '%s accepts %j',
    (name, value, expected) => {
      expect(parseWith({ [name]: value }).config[field[name]]).toBe(expected);
    },
  );
  it.each(names.flatMap((n) => ['false', 'False', 'FALSE', ''].map((v) => [n, v, false] as const)))(
    '%s accepts %j',
    (name, value, expected) => {
      expect(parseWith({ [name]: value }).config[field[name]]).toBe(expected);
    },
  );
  it.each(
    names.flatMap((n) => ['yes', 'no', '1', '0', 'on', 'tRUE', 'ture', 'y'].map((v) => [n, v] as const)),
  )('%s rejects %j', (name, value) => {
    const issues = issuesFor({ [name]: value });
    expect(issues).toEqual([
      expect.objectContaining({
        input: name,
        value,
        rule: 'must be true or false (YAML 1.2 spellings: true/True/TRUE, false/False/FALSE)',
      }),
    ]);
  });
});

describe('wait-timeout and poll-interval', () => {
  it.each<[Inputs, number, number | 'auto']>([
    [{}, 300_000, 'auto'],
    [{ 'wait-timeout': '30' }, 30_000, 'auto'],
    [{ 'wait-timeout': 'PT5M' }, 300_000, 'auto'],
    [{ 'wait-timeout': 'PT1H' }, 3_600_000, 'auto'],
    [{ 'wait-timeout': '3600' }, 3_600_000, 'auto'],
    [{ 'wait-timeout': 'PT1.5S' }, 1_500, 'auto'],
    [{ 'poll-interval': 'Auto' }, 300_000, 'auto'],
    [{ 'poll-interval': '1' }, 300_000, 1_000],
    [{ 'poll-interval': '60' }, 300_000, 60_000],
    [{ 'poll-interval': '30', 'wait-timeout': '30' }, 30_000, 30_000],
  ])('accepts %j', (inputs, wait, poll) => {
    const { config } = parseWith(inputs);
    expect(config.waitTimeoutMs).toBe(wait);
    expect(config.pollIntervalMs).toBe(poll);
  });

  it.each<[Inputs, string, string, string]>([
    [{ 'wait-timeout': '0' }, 'wait-timeout', '0', 'must be more than 0 seconds'],
    [{ 'wait-timeout': 'PT0S' }, 'wait-timeout', 'PT0S', 'must be more than 0 seconds'],
    [{ 'wait-timeout': '3601' }, 'wait-timeout', '3601', 'the maximum is 1 hour'],
    [{ 'wait-timeout': 'PT2H' }, 'wait-timeout', 'PT2H', 'is 2 h; the maximum is 1 hour'],
    [{ 'wait-timeout': '-1' }, 'wait-timeout', '-1', 'whole, positive number of seconds'],
    [
      { 'wait-timeout': '5m' },
      'wait-timeout',
      '5m',
      'is neither a number of seconds nor an ISO 8601 duration',
    ],
    [{ 'poll-interval': '0' }, 'poll-interval', '0', 'is out of range'],
    [{ 'poll-interval': '61' }, 'poll-interval', '61', 'is out of range'],
    [
      { 'poll-interval': '1.5' },
      'poll-interval',
      '1.5',
      'must be `auto` or a whole number of seconds from 1 to 60',
    ],
    [{ 'poll-interval': 'fast' }, 'poll-interval', 'fast', 'must be `auto`'],
    [
      { 'poll-interval': '60', 'wait-timeout': '30' },
      'poll-interval',
      '60',
      'is longer than wait-timeout (30 s), so the wait could end before the first check',
    ],
  ])('rejects %j', (inputs, input, value, rule) => {
    const issues = issuesFor(inputs);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ input, value });
    expect(txt(issues[0]?.rule)).toContain(rule);
  });
});

describe('probe', () => {
  it.each([
    ['', 'auto'],
    ['auto', 'auto'],
    [' Auto ', 'auto'],
    ['true', 'always'],
    ['True', 'always'],
    ['TRUE', 'always'],
    ['false', 'never'],
    ['False', 'never'],
    [' FALSE ', 'never'],
  ])('accepts %j as %j', (value, expected) => {
    expect(parseWith({ probe: value }).config.probe).toBe(expected);
  });

  it.each(['yes', 'no', '1', 'on', 'tRUE', 'always', 'never', 'firewall'])('rejects %j', (value) => {
    expect(issuesFor({ probe: value })).toEqual([
      expect.objectContaining({
        input: 'probe',
        value,
        rule: 'must be `auto` (probe the VMs reached through Azure Firewall), `true` (probe every VM) or `false` (probe none)',
      }),
    ]);
  });

  it('names the input as each front-end spells it, with the value and the allowed values', () => {
    const error = inputErrorFor({ probe: 'perhaps' });
    expect(describeError(error, ADO)).toContain(
      'Invalid input \'probe\' = "perhaps": must be `auto` (probe the VMs reached through Azure Firewall), `true` (probe every VM) or `false` (probe none)',
    );
    expect(describeError(error, CLI)).toContain('--probe = "perhaps": must be `auto`');
  });
});

describe('close-on-post', () => {
  it.each([
    ['delete-rule', 'delete-rule'],
    ['none', 'none'],
    ['NONE', 'none'],
    ['Delete-Rule', 'delete-rule'],
  ])('accepts %j', (value, expected) => {
    expect(parseWith({ 'close-on-post': value }).config.closeOnPost).toBe(expected);
  });
  it.each(['delete', 'keep', 'true'])('rejects %j', (value) => {
    expect(issuesFor({ 'close-on-post': value })).toEqual([
      expect.objectContaining({
        input: 'close-on-post',
        value,
        rule: expect.stringContaining('must be `delete-rule`'),
      }),
    ]);
  });
});

describe('ip-providers', () => {
  it('defaults to the table list', () => {
    expect(parseWith({ 'ip-providers': '' }).config.ipProviders).toEqual(DEFAULT_IP_PROVIDERS);
  });
  it('accepts https URLs, separated by commas or new lines, without duplicates or trailing slashes', () => {
    const { config } = parseWith({
      'ip-providers': 'https://echo.example/ip\nhttps://other.example/, https://echo.example/ip',
    });
    expect(config.ipProviders).toEqual(['https://echo.example/ip', 'https://other.example']);
  });
  it('warns that ip-providers has no effect unless source is auto', () => {
    const { platform } = parseWith({ source: 'azure', 'ip-providers': 'https://echo.example' });
    expect(platform.messages('warning')).toEqual([
      'ip-providers is ignored: it is only used with source: auto (source is azure)',
    ]);
  });
  it.each<[string, string, string]>([
    ['http://api.ipify.org', 'http://api.ipify.org', 'uses http; only https:// is accepted'],
    ['ftp://echo.example', 'ftp://echo.example', 'uses ftp; only https:// is accepted'],
    ['api.ipify.org', 'api.ipify.org', 'is not a URL'],
    ['https://echo.example/?ip=1', 'https://echo.example/?ip=1', 'must not have a query string or fragment'],
  ])('rejects %j', (providers, value, rule) => {
    const issues = issuesFor({ 'ip-providers': providers });
    expect(issues).toEqual([expect.objectContaining({ input: 'ip-providers', value })]);
    expect(txt(issues[0]?.rule)).toContain(rule);
  });
  it('says why http is refused', () => {
    expect(issuesFor({ 'ip-providers': 'http://api.ipify.org' })[0]?.hint).toBe(
      'an answer read or altered on the way decides which address may reach the VM',
    );
  });
  it('never echoes credentials embedded in a provider URL', () => {
    const error = inputErrorFor({ 'ip-providers': 'https://user:hunter2@echo.example' });
    expect(txt(error.issues[0]?.rule)).toBe('must not contain a user name or password');
    expect(describeError(error)).not.toContain('hunter2');
  });
});

describe('cloud, arm-endpoint, authority-host', () => {
  it.each<[Inputs, unknown]>([
    [{ cloud: 'AzureCloud' }, KNOWN_CLOUDS.AzureCloud],
    [{ cloud: 'azurecloud' }, KNOWN_CLOUDS.AzureCloud],
    [{ cloud: 'AzureUSGovernment' }, KNOWN_CLOUDS.AzureUSGovernment],
    [{ cloud: 'AZURECHINACLOUD' }, KNOWN_CLOUDS.AzureChinaCloud],
    [
      {
        cloud: 'custom',
        'arm-endpoint': 'https://127.0.0.1:8443/',
        'authority-host': 'https://localhost:8443',
      },
      {
        name: 'Custom',
        resourceManager: 'https://127.0.0.1:8443',
        authorityHost: 'https://localhost:8443',
        scope: 'https://127.0.0.1:8443/.default',
      },
    ],
  ])('resolves %j', (inputs, expected) => {
    expect(parseWith(inputs).config.cloud).toEqual(expected);
  });

  it('rejects an unknown cloud, listing the allowed values', () => {
    expect(issuesFor({ cloud: 'AzureGermanCloud' })).toEqual([
      {
        input: 'cloud',
        value: 'AzureGermanCloud',
        rule: 'is not a known cloud; use one of AzureCloud, AzureUSGovernment, AzureChinaCloud, Custom',
      },
    ]);
  });

  it('requires both URLs for Custom, reporting both at once', () => {
    expect(issuesFor({ cloud: 'Custom' }).map((i) => [i.input, txt(i.rule)])).toEqual([
      ['arm-endpoint', 'is required when cloud is Custom'],
      ['authority-host', 'is required when cloud is Custom'],
    ]);
  });

  it('refuses http endpoints for Custom', () => {
    const issues = issuesFor({
      cloud: 'Custom',
      'arm-endpoint': 'http://127.0.0.1:8080',
      'authority-host': 'https://localhost:8443',
    });
    expect(issues).toEqual([
      expect.objectContaining({ input: 'arm-endpoint', value: 'http://127.0.0.1:8080' }),
    ]);
    expect(txt(issues[0]?.rule)).toContain('only https:// is accepted');
  });

  it('refuses endpoint URLs with a named cloud, naming both inputs', () => {
    const error = inputErrorFor({ cloud: 'AzureUSGovernment', 'arm-endpoint': 'https://127.0.0.1:8443' });
    expect(error.issues.map((i) => ({ ...i, rule: txt(i.rule), hint: txt(i.hint) }))).toEqual([
      {
        input: 'arm-endpoint',
        value: 'https://127.0.0.1:8443',
        rule: 'is only used with cloud: Custom, but cloud is AzureUSGovernment',
        hint: 'set cloud: Custom to use this URL, or remove arm-endpoint',
      },
    ]);
  });
});

describe('justification', () => {
  it('is undefined when empty (the default is built later from the run metadata)', () => {
    expect(parseWith({}).config.justification).toBeUndefined();
  });
  it('is trimmed', () => {
    expect(parseWith({ justification: '  deploy hotfix  ' }).config.justification).toBe('deploy hotfix');
  });
  it('refuses more than 1000 characters without echoing all of them', () => {
    const issues = issuesFor({ justification: 'x'.repeat(1001) });
    expect(issues).toEqual([
      expect.objectContaining({ input: 'justification', rule: 'is longer than 1000 characters' }),
    ]);
    expect(issues[0]?.value).toBe(`${'x'.repeat(40)}… (1001 characters)`);
  });
});

describe('all problems at once', () => {
  it('collects every bad input into one InputError, in table order', () => {
    const error = inputErrorFor({
      vms: '',
      ports: '0',
      duration: '2',
      source: '*',
      'wait-timeout': 'soon',
      'close-on-post': 'keep',
      cloud: 'Mars',
      'dry-run': 'maybe',
    });
    expect(error.issues.map((i) => i.input)).toEqual([
      'vms',
      'ports',
      'duration',
      'source',
      'wait-timeout',
      'close-on-post',
      'cloud',
      'dry-run',
    ]);
    expect(error.message.split('\n')[0]).toBe('8 problems in the inputs:');
  });

  it('names input, value and rule in the text users see', () => {
    const text = describeError(inputErrorFor({ ports: '70000' }));
    expect(text).toBe(
      'Invalid input \'ports\' = "70000": is out of range; ports are 1 to 65535\n' +
        'What to do: Fix the inputs listed above in the workflow and run again.',
    );
  });
});
