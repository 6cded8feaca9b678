/**
 * Attacker test, route 4: sources that open more than the user meant, or that can never be a
 * client's address, are refused on all three front-ends (shipped bundles) before anything is
 * written to Azure, with a message naming the `source` input and the value. The same holds for
 * an address the IP providers agree on. web-01's JIT policy allows any source (`*`) on port 22,
 * so Azure itself would accept every one of them.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { removeStepFiles, runStep } from '../../helpers/githubRunner';
import { NODE_BINARIES } from '../../helpers/nodes';
import { baseEnv, oidcEnv, oidcInputs, targetInputs as githubInputs } from '../action/fixture';
import { cloudFlags, requireBuiltCli, runCli, tempDir } from '../cli/helpers';
import { agentEnv, connection, targetInputs as taskInputs } from '../task/fixture';
import { armWrites, PROD } from './helpers';

jest.setTimeout(300_000);

const node = (NODE_BINARIES[NODE_BINARIES.length - 1] ?? { path: process.execPath }).path;

/**
 * How each front-end spells the input that lets a wide source through; `$ALLOW` in a pattern below
 * stands for it, so the GitHub log never names `--allow-any-source` and ADO's never `allow-any-source`.
 */
const ALLOW = { cli: '--allow-any-source', github: 'allow-any-source: true', ado: 'allowAnySource: true' };
const says = (why: RegExp, fe: keyof typeof ALLOW): RegExp =>
  // The spellings hold no regular-expression metacharacters: they go in as they are.
  new RegExp(why.source.replace('\\$ALLOW', ALLOW[fe]));

/** [source, what the refusal says]. */
const REFUSED: readonly (readonly [string, RegExp])[] = [
  ['0.0.0.0/1', /wider than \/8.*\$ALLOW/],
  ['128.0.0.0/1', /wider than \/8.*\$ALLOW/],
  ['64.0.0.0/3', /wider than \/8.*\$ALLOW/],
  ['2001:db8::/31', /wider than \/32.*\$ALLOW/],
  ['0.0.0.0', /unspecified/],
  ['::', /unspecified/],
  ['127.0.0.1', /loopback/],
  ['::1', /loopback/],
  ['224.0.0.1', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['169.254.169.254', /link-local/],
  ['fe80::1', /link-local/],
  ['::ffff:203.0.113.10', /IPv4-mapped/],
  // web-01 has no IPv6 private address: JIT would accept it and never write a rule.
  ['2001:db8::10', /IPv6, but VM web-01 has no IPv6 private address/],
];

/** The refusal names the input and shows the value, whatever the front-end calls the input. */
function namesInputAndValue(text: string, value: string): boolean {
  return /(input '|--)source/.test(text) && text.includes(JSON.stringify(value));
}

let emu: Emulator;

beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ ruleDelayMs: 0 });
});
afterAll(async () => {
  await emu.stop();
  removeStepFiles();
});
beforeEach(() => {
  emu.control.clearRequests();
  emu.control.ipEcho.reset();
});

describe.each(REFUSED)('source %s', (source, why) => {
  it('CLI request: refused, nothing written', async () => {
    const run = await runCli(
      emu,
      [
        'request',
        ...['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD, '--ports', '22'],
        ...['--source', source, '--wait-timeout', '10', ...cloudFlags(emu)],
      ],
      { cwd: tempDir() },
    );
    expect({ code: run.code, writes: armWrites(emu).length }).toEqual({ code: 2, writes: 0 });
    expect(run.stderr).toMatch(says(why, 'cli'));
    expect(namesInputAndValue(run.stderr, source)).toBe(true);
  });

  it('GitHub Action main: refused, nothing written', async () => {
    const main = await runStep({
      node,
      entry: 'main',
      inputs: { ...githubInputs(emu), ...oidcInputs(emu), source, 'wait-timeout': '10' },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
    });
    const errors = main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect({ exit: main.exitCode, writes: armWrites(emu).length }).toEqual({ exit: 1, writes: 0 });
    expect(errors.join('\n')).toMatch(says(why, 'github'));
    expect(namesInputAndValue(errors.join('\n'), source)).toBe(true);
  });

  it('Azure DevOps task main: refused, nothing written', async () => {
    const main = await runAdoStep({
      node,
      entry: 'main',
      inputs: taskInputs(emu, { source, waitTimeout: '10' }),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: agentEnv(emu, 'secret'),
    });
    expect({ result: main.result?.result, writes: armWrites(emu).length }).toEqual({
      result: 'Failed',
      writes: 0,
    });
    expect(main.result?.message).toMatch(says(why, 'ado'));
    expect(namesInputAndValue(main.result?.message ?? '', source)).toBe(true);
  });
});

describe('an IPv6 address the IP providers agree on, for a VM without IPv6', () => {
  const AUTO = 'auto (resolved to 2001:db8::10)';
  const agree = (): void => {
    for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { ip: '2001:db8::10' });
  };

  it('CLI request: refused, nothing written', async () => {
    agree();
    const run = await runCli(
      emu,
      [
        'request',
        ...['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD, '--ports', '22'],
        ...['--ip-providers', emu.ipEchoUrls.join(','), '--wait-timeout', '10', ...cloudFlags(emu)],
      ],
      { cwd: tempDir() },
    );
    expect({ code: run.code, writes: armWrites(emu).length }).toEqual({ code: 2, writes: 0 });
    expect(namesInputAndValue(run.stderr, AUTO)).toBe(true);
  });

  it('GitHub Action main: refused, nothing written', async () => {
    agree();
    const main = await runStep({
      node,
      entry: 'main',
      inputs: { ...githubInputs(emu), ...oidcInputs(emu), 'wait-timeout': '10' },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
    });
    const errors = main.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect({ exit: main.exitCode, writes: armWrites(emu).length }).toEqual({ exit: 1, writes: 0 });
    expect(namesInputAndValue(errors.join('\n'), AUTO)).toBe(true);
  });

  it('Azure DevOps task main: refused, nothing written', async () => {
    agree();
    const main = await runAdoStep({
      node,
      entry: 'main',
      inputs: taskInputs(emu, { waitTimeout: '10' }),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: agentEnv(emu, 'secret'),
    });
    expect({ result: main.result?.result, writes: armWrites(emu).length }).toEqual({
      result: 'Failed',
      writes: 0,
    });
    expect(namesInputAndValue(main.result?.message ?? '', AUTO)).toBe(true);
  });
});
