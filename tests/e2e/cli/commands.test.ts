/**
 * The built CLI, each subcommand, against the emulator: outcomes are read
 * back from the emulator (rules in NSGs, JIT requests, the request log), not
 * only from what the CLI prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { NODE_BINARIES } from '../../helpers/nodes';
import {
  cloudFlags,
  emulatorFlags,
  jitAllowRules,
  PROD,
  requireBuiltCli,
  runCli,
  spEnv,
  tempDir,
} from './helpers';

jest.setTimeout(60_000);

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});
afterEach(() => {
  emu.control.setRuleDelay(0);
  emu.control.faults.clear();
});

const web01 = ['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD];
const request = (extra: string[] = []): string[] => [
  'request',
  ...web01,
  '--ports',
  '22',
  '--duration',
  '10',
  ...emulatorFlags(emu),
  ...extra,
];
/** Writes to Azure Resource Manager (token requests are POSTs too, but not ARM writes). */
const armWrites = (): number =>
  emu.control.requests().filter((r) => r.write && ['security', 'network', 'compute'].includes(r.provider))
    .length;
const initiates = (): number =>
  emu.control.requests().filter((r) => r.method === 'POST' && /\/initiate$/i.test(r.path)).length;

describe.each(NODE_BINARIES)('request and close under $name', ({ path: node }) => {
  it('opens access, records it, and close deletes exactly that rule', async () => {
    const cwd = tempDir();
    const before = initiates();
    const opened = await runCli(emu, request(), { cwd, node });
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(initiates()).toBe(before + 1);
    const rules = jitAllowRules(emu, 'web-01-nsg');
    expect(rules).toHaveLength(1);
    // What a user reads: the summary, the host to connect to, and how to close.
    expect(opened.stdout).toContain('live');
    expect(opened.stdout).toMatch(/host\s+20\.121\.40\.10/);
    expect(opened.stdout).toContain(rules[0]);
    expect(opened.stdout).toContain('azure-jit-access close');
    // The secret never shows, and the state file holds no token.
    const secret = spEnv(emu).AZURE_CLIENT_SECRET ?? '';
    expect(opened.stdout + opened.stderr).not.toContain(secret);
    const statePath = join(cwd, '.azure-jit-access', 'state.json');
    const state = readFileSync(statePath, 'utf8');
    expect(state).toContain(rules[0]);
    expect(state).not.toContain(secret);
    expect(state).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);

    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd, node });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('deleted');
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
    expect(existsSync(statePath)).toBe(false);
  });
});

describe('request', () => {
  it('--json prints one JSON document with the outputs; logs go to stderr', async () => {
    const cwd = tempDir();
    const run = await runCli(emu, request(['--json']), { cwd });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & { outputs: Record<string, unknown> };
    expect(doc).toMatchObject({ command: 'request', ok: true, exitCode: 0, dryRun: false });
    expect(doc.outputs).toMatchObject({ ip: '203.0.113.10', host: '20.121.40.10', port: 22 });
    const targets = doc.outputs.targets as { vm: string; ruleNames: string[] }[];
    expect(targets.map((t) => t.vm)).toEqual(['web-01']);
    expect(targets[0]?.ruleNames).toEqual(jitAllowRules(emu, 'web-01-nsg'));
    expect(doc.stateFile).toBe(join(cwd, '.azure-jit-access', 'state.json'));
    expect(run.stderr).toContain('Wait until the allow rules are live');
    await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  });

  it('refuses to overwrite a state file that still records open access', async () => {
    const cwd = tempDir();
    expect((await runCli(emu, request(), { cwd })).code).toBe(0);
    const writesBefore = armWrites();
    const again = await runCli(emu, request(), { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already records a request');
    expect(armWrites()).toBe(writesBefore);
    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
  });

  it('bad input: exit 2, every problem named, nothing written to Azure', async () => {
    const writesBefore = armWrites();
    const run = await runCli(emu, [
      'request',
      '--vms',
      'web-01',
      '--ports',
      '22,abc',
      '--duration',
      'forever',
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(2);
    // Named as flags, as the user typed them.
    expect(run.stderr).toContain('--ports = "abc"');
    expect(run.stderr).toContain('--duration = "forever"');
    expect(run.stderr).toContain('--resource-group');
    expect(run.stderr).not.toContain("input '");
    expect(armWrites()).toBe(writesBefore);
  });

  it('a wrong secret is an auth failure: exit 3', async () => {
    const env = { ...spEnv(emu), AZURE_CLIENT_SECRET: 'not-the-secret' };
    const run = await runCli(emu, request(), { env });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sign in|Sign-in/i);
    expect(run.stderr).not.toContain('not-the-secret');
  });

  it('a principal without initiate permission: exit 3, the missing action named', async () => {
    const run = await runCli(emu, request(), { principal: 'jit-readonly' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('AuthorizationFailed');
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  });

  it('a rule that never shows up: exit 4 after --wait-timeout, and close still cleans up', async () => {
    const cwd = tempDir();
    emu.control.setRuleDelay(120_000);
    const run = await runCli(emu, request(['--wait-timeout', '2', '--poll-interval', '1']), { cwd });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/not all live after 2 s/);
    expect(run.stdout).toContain("'azure-jit-access close' closes it");
    // The request was accepted and recorded: closing after the rule appears removes it.
    emu.control.clock.advance(120_000);
    expect(jitAllowRules(emu, 'web-01-nsg')).toHaveLength(1);
    emu.control.setRuleDelay(0); // the emulator also delays NSG deletes by the rule delay
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
    expect(closed.code).toBe(0);
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  });
});

describe('validate', () => {
  it('checks against the policy and writes nothing', async () => {
    const writesBefore = armWrites();
    const run = await runCli(emu, ['validate', ...web01, '--ports', '22', ...emulatorFlags(emu), '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      dryRun: boolean;
      summaries: { kind: string; outcome: string; rows: { vm: string; status: string }[] }[];
    };
    expect(doc).toMatchObject({ ok: true, dryRun: true });
    // The summary as data, not Markdown to re-parse.
    expect(doc.summaries).toMatchObject([
      { kind: 'main', outcome: 'dry-run', rows: [{ vm: 'web-01', status: 'would-request' }] },
    ]);
    expect(armWrites()).toBe(writesBefore);
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  });

  it('a port outside the policy: exit 2 naming the port and the policy', async () => {
    const run = await runCli(emu, [
      'validate',
      ...web01,
      '--ports',
      '22,3389',
      '--source',
      '203.0.113.10',
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('3389');
    expect(run.stderr).toContain('web-jit');
  });
});

describe('status', () => {
  it('shows the live request and its allow rule, then no rule after close', async () => {
    const cwd = tempDir();
    expect((await runCli(emu, request(), { cwd })).code).toBe(0);
    const [rule] = jitAllowRules(emu, 'web-01-nsg');
    const live = await runCli(emu, ['status', ...web01, ...cloudFlags(emu), '--json']);
    expect(live.code).toBe(0);
    type Status = {
      vms: {
        vm: string;
        policy?: { name: string };
        rules: { name: string; sources: string[] }[];
        requests: { port: number; ruleInNsg: boolean }[];
      }[];
    };
    const doc = JSON.parse(live.stdout) as Status;
    expect(doc.vms[0]?.policy?.name).toBe('web-jit');
    expect(doc.vms[0]?.rules.map((r) => r.name)).toEqual([rule]);
    expect(doc.vms[0]?.rules[0]?.sources).toEqual(['203.0.113.10']);
    expect(doc.vms[0]?.requests.some((r) => r.port === 22 && r.ruleInNsg)).toBe(true);

    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
    const after = JSON.parse(
      (await runCli(emu, ['status', ...web01, ...cloudFlags(emu), '--json'])).stdout,
    ) as Status;
    expect(after.vms[0]?.rules).toEqual([]);
  });

  it('human output names the VM without a policy', async () => {
    const run = await runCli(emu, [
      'status',
      '--vms',
      'legacy-01',
      '--resource-group',
      'rg-web',
      '--subscription',
      PROD,
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('legacy-01: no JIT policy');
  });
});

describe('close by flags', () => {
  it('deletes only rules matching VM, port and source exactly', async () => {
    const cwd = tempDir();
    const win = ['--vms', 'win-01', '--resource-group', 'rg-web', '--subscription', PROD];
    const opened = await runCli(
      emu,
      ['request', ...win, '--ports', '3389,5986', '--source', '203.0.113.10', ...cloudFlags(emu)],
      { cwd },
    );
    expect(opened.code).toBe(0);
    expect(jitAllowRules(emu, 'win-01-nsg')).toHaveLength(2);

    // Another source: nothing matches, nothing is deleted.
    const other = await runCli(emu, [
      'close',
      ...win,
      '--ports',
      '3389',
      '--source',
      '198.51.100.7',
      ...cloudFlags(emu),
    ]);
    expect(other.code).toBe(0);
    expect(other.stdout).toContain('nothing to close');
    expect(jitAllowRules(emu, 'win-01-nsg')).toHaveLength(2);

    // Our source, one port: that rule only.
    const one = await runCli(emu, [
      'close',
      ...win,
      '--ports',
      '3389',
      '--source',
      '203.0.113.10',
      ...cloudFlags(emu),
      '--json',
    ]);
    expect(one.code).toBe(0);
    const doc = JSON.parse(one.stdout) as { closed: { port: number; deleted: boolean }[] };
    expect(doc.closed).toEqual([expect.objectContaining({ port: 3389, deleted: true })]);
    const left = emu.control.rules('win-01-nsg').filter((r) => r.jit === 'allow');
    expect(left.map((r) => r.properties.destinationPortRange)).toEqual(['5986']);

    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
    expect(jitAllowRules(emu, 'win-01-nsg')).toEqual([]);
  });

  it('refuses `auto` as the source: it must be the exact address', async () => {
    const run = await runCli(emu, [
      'close',
      ...web01,
      '--ports',
      '22',
      '--source',
      'auto',
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--source = "auto"');
  });

  it('with nothing recorded and no flags there is nothing to close', async () => {
    const run = await runCli(emu, ['close', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, closed: false });
  });
});

describe('audit', () => {
  it('lists VMs without a JIT policy and policies that allow any source', async () => {
    const run = await runCli(emu, ['audit', '--subscription', PROD, ...cloudFlags(emu), '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      vmsChecked: number;
      findings: { vm: string; kind: string; ports?: number[] }[];
    };
    const by = (kind: string): string[] =>
      doc.findings
        .filter((f) => f.kind === kind)
        .map((f) => f.vm)
        .sort();
    expect(doc.vmsChecked).toBeGreaterThanOrEqual(6);
    expect(by('no-jit-policy')).toEqual(['legacy-01']);
    // web-jit and hub-jit allow `*`; api-01's port 22 is restricted but 5985 allows `*`.
    expect(by('any-source')).toEqual(
      expect.arrayContaining(['web-01', 'web-02', 'win-01', 'fw-01', 'api-01']),
    );
    expect(doc.findings.find((f) => f.vm === 'api-01')?.ports).toEqual([5985]);
  });

  it('--resource-group narrows the scope', async () => {
    const run = await runCli(emu, [
      'audit',
      '--subscription',
      PROD,
      '--resource-group',
      'rg-api',
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('api-01');
    expect(run.stdout).not.toContain('legacy-01');
  });
});

describe('bad command lines', () => {
  it('an unknown flag: exit 2, the flag named, a suggestion, nothing sent', async () => {
    const before = emu.control.requests().length;
    const run = await runCli(emu, ['request', '--vm', 'web-01']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Unknown flag --vm');
    expect(run.stderr).toContain('--vms');
    expect(emu.control.requests().length).toBe(before);
  });

  it('with --json the error is the JSON document', async () => {
    const run = await runCli(emu, ['status', '--ports', '22', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2, command: 'status' });
  });

  it('a subscription that is not a GUID is refused before signing in', async () => {
    const before = emu.control.requests().length;
    const run = await runCli(emu, [
      'status',
      '--vms',
      'web-01',
      '--resource-group',
      'rg-web',
      '--subscription',
      'prod',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--subscription "prod"');
    expect(emu.control.requests().length).toBe(before);
  });

  it('an unknown command and --help', async () => {
    const bad = await runCli(emu, ['open']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown command 'open'");
    const help = await runCli(emu, ['close', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--state-file');
    expect(help.stdout).toContain('Exit codes');
  });
});
