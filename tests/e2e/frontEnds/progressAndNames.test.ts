/**
 * What a user of each front-end sees, through the shipped bundles (the Action
 * under the runner's protocol, the task under the agent's, dist/cli/main.js
 * as a shell runs it), against the emulator with a 6-second rule delay:
 * progress lines while the allow rule is on its way, the summary, and an
 * input error that names the input as that front-end spells it.
 *
 * Each run that waits through the rule delay has an emulator of its own (web-01 is one VM per
 * emulator), so those tests run concurrently instead of one delay after another.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { removeStepFiles, runStep } from '../../helpers/githubRunner';
import { NODE_BINARIES } from '../../helpers/nodes';
import { baseEnv, oidcEnv, oidcInputs, targetInputs as actionInputs } from '../action/fixture';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI, cloudFlags, PROD, requireBuiltCli, runCli, spEnv } from '../cli/helpers';
import { agentEnv, connection, targetInputs as taskInputs } from '../task/fixture';

jest.setTimeout(120_000);

const RULE_DELAY_MS = 6000;
const node = (NODE_BINARIES[0] as { path: string }).path;
const WAITING = /web-01: waiting for the allow rule in web-01-nsg \(NIC\), \d+ s of 60 s/;
const LIVE = /web-01: rule SecurityCenter-JITRule-[-\w]+ live in web-01-nsg after \d+\.\d s/;

/** Index of the first line matching, -1 when none does. */
const lineIndex = (text: string, pattern: RegExp): number =>
  text.split('\n').findIndex((l) => pattern.test(l));

/** The order a user reads: progress first, then the rule live, then the final "Live:" line. */
function expectProgress(log: string): void {
  const waiting = lineIndex(log, WAITING);
  const live = lineIndex(log, LIVE);
  expect(waiting).toBeGreaterThanOrEqual(0);
  expect(live).toBeGreaterThan(waiting);
  expect(lineIndex(log, /^Live: web-01|\] Live: web-01/)).toBeGreaterThan(live);
}

/** Runs `fn` against an emulator of its own with the rule delay, stopped afterwards. */
async function withEmulator<T>(fn: (world: Emulator) => Promise<T>): Promise<T> {
  const world = await startEmulator({ ruleDelayMs: RULE_DELAY_MS });
  try {
    return await fn(world);
  } finally {
    await world.stop();
  }
}

/** For the input errors, which write nothing and never wait. */
let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ ruleDelayMs: RULE_DELAY_MS });
});
afterAll(async () => {
  await emu.stop();
  removeStepFiles();
});

describe('GitHub Action bundle', () => {
  const step = (
    entry: 'main' | 'post',
    inputs: Record<string, string> = {},
    state?: Record<string, string>,
    world: Emulator = emu,
  ) =>
    runStep({
      node,
      entry,
      inputs: { ...actionInputs(world), ...oidcInputs(world), ...inputs },
      env: { ...baseEnv(world), ...oidcEnv(world) },
      ...(state ? { state } : {}),
    });

  it.concurrent('logs progress during the rule delay, and summarises main and post', () =>
    withEmulator(async (world) => {
      const main = await step('main', {}, undefined, world);
      expect(main.exitCode).toBe(0);
      expectProgress(main.log);
      expect(main.summary).toContain('### ✅ JIT access is open');
      expect(main.summary).toMatch(
        /\| ✅ live \| web-01 \| [^|]+ \| 203\.0\.113\.10 \| `[^`]+:22` \| \d{4}-\d\d-\d\d \d\d:\d\d UTC<br>in 15 min \| \d+\.\d s \|/,
      );
      expect(main.summary).toContain('**Justification:** GitHub Actions');
      const post = await step('post', {}, main.state, world);
      expect(post.exitCode).toBe(0);
      expect(post.summary).toContain('### 🔒 JIT access closed');
      expect(post.summary).toContain('<details><summary>Full rule names</summary>');
    }),
  );

  it('names a bad input as the workflow spells it: wait-timeout, and summarises what to fix', async () => {
    const main = await step('main', { 'wait-timeout': 'soon' });
    expect(main.exitCode).toBe(1);
    const error = main.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain(`input 'wait-timeout' = "soon"`);
    expect(error).not.toMatch(/waitTimeout|--wait-timeout/);
    expect(main.summary).toContain('### ❌ JIT access was not requested');
    expect(main.summary).toContain('input \'wait-timeout\' = "soon"');
  });
});

describe('Azure DevOps task bundle', () => {
  const step = (
    entry: 'main' | 'post',
    inputs: Record<string, string> = {},
    taskVariables?: Record<string, string>,
    world: Emulator = emu,
  ) =>
    runAdoStep({
      node,
      entry,
      inputs: taskInputs(world, inputs),
      endpoints: [connection(world, 'secret')],
      systemAccessToken: world.ado.accessToken,
      env: agentEnv(world, 'secret'),
      ...(taskVariables ? { taskVariables } : {}),
    });

  it.concurrent('logs progress during the rule delay, and uploads both summaries', () =>
    withEmulator(async (world) => {
      const main = await step('main', {}, undefined, world);
      expect(main.result?.result).toBe('Succeeded');
      expectProgress(main.stdout);
      expect(main.summaries[0]?.content).toContain('### ✅ JIT access is open');
      expect(main.summaries[0]?.content).toContain('**Justification:** Azure Pipelines');
      const post = await step('post', {}, main.taskVariables, world);
      expect(post.result?.result).toBe('Succeeded');
      expect(post.summaries[0]?.content).toContain('### 🔒 JIT access closed');
    }),
  );

  it('names a bad input as the pipeline YAML spells it: waitTimeout, allowAnySource', async () => {
    const main = await step('main', { waitTimeout: 'soon', source: '*' });
    expect(main.result?.result).toBe('Failed');
    const message = main.result?.message ?? '';
    expect(message).toContain(`input 'waitTimeout' = "soon"`);
    expect(message).toContain('allowAnySource: true');
    expect(message).not.toMatch(/wait-timeout|allow-any-source|--\w/);
    expect(message).toContain('Fix the inputs listed above in the pipeline');
    expect(main.summaries[0]?.content).toContain('### ❌ JIT access was not requested');
  });
});

describe('CLI bundle (dist/cli/main.js), output not a terminal', () => {
  const flags = (stateFile: string, extra: string[] = [], world: Emulator = emu): string[] => [
    'request',
    '--vms',
    'web-01',
    '--resource-group',
    'rg-web',
    '--subscription',
    PROD,
    '--ports',
    '22',
    '--wait-timeout',
    '60',
    '--ip-providers',
    world.ipEchoUrls.join(','),
    ...cloudFlags(world),
    '--state-file',
    stateFile,
    ...extra,
  ];

  it.concurrent('prints progress lines during the rule delay, a text summary, and no escape codes', () =>
    withEmulator(async (world) => {
      const stateFile = join(mkdtempSync(join(tmpdir(), 'jit-names-')), 'state.json');
      const run = await runCli(world, flags(stateFile, [], world));
      expect(run.code).toBe(0);
      expectProgress(run.stdout);
      expect(run.stdout + run.stderr).not.toContain('\u001b');
      expect(run.stdout).toMatch(/JIT access is open\n-+\n/);
      expect(run.stdout).not.toMatch(/\\[_|*]|<br>|\*\*/);
      const closed = await runCli(world, ['close', '--state-file', stateFile, ...cloudFlags(world)]);
      expect(closed.code).toBe(0);
      expect(closed.stdout).toMatch(/JIT access closed\n-+\n/);
    }),
  );

  it('names a bad input as a flag: --wait-timeout', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'jit-names-')), 'state.json');
    const run = await runCli(emu, flags(stateFile, ['--wait-timeout', 'soon', '--source', '*']));
    expect(run.code).not.toBe(0);
    const text = run.stdout + run.stderr;
    expect(text).toContain('--wait-timeout = "soon"');
    expect(text).toContain('--allow-any-source');
    expect(text).not.toMatch(/input '|waitTimeout|allowAnySource|\ballow-any-source: true/);
    expect(text).toContain('Fix the inputs listed above in the command line');
  });

  /** Runs the CLI on a pseudo-terminal (util-linux `script`), as in an interactive shell. */
  function onTerminal(
    world: Emulator,
    args: readonly string[],
    env: Record<string, string>,
  ): Promise<string> {
    const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qefc', quoted, '/dev/null'], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          NODE_EXTRA_CA_CERTS: world.caPath,
          ...spEnv(world),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  }

  // util-linux `script` only: macOS's BSD `script` takes other arguments (not tried there) and
  // Windows has no such tool; the status line is drawn by the same code on every OS.
  const onTty =
    process.platform === 'linux' && existsSync('/usr/bin/script') ? it.concurrent : it.concurrent.skip;

  onTty(
    'on a terminal, shows one updating status line with the elapsed time; NO_COLOR drops the escape codes',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'jit-names-'));
      // The two runs, each on an emulator of its own, at the same time.
      await Promise.all([
        withEmulator(async (world) => {
          const colour = await onTerminal(world, flags(join(dir, 'a.json'), [], world), { TERM: 'xterm' });
          // Redrawn in place (carriage return, erase to end of line), with the elapsed time.
          expect(colour).toMatch(
            // eslint-disable-next-line no-control-regex
            /\r[|/\\-] web-01: waiting for the allow rule in web-01-nsg \(NIC\), \d+ s of 60 s \(\d+\.\ds\)\u001b\[K/,
          );
          // The periodic "waiting" lines are the status line's, not log lines.
          expect(colour.split(/\r?\n/).filter((l) => WAITING.test(l) && !l.includes('\r'))).toEqual([]);
          expect(colour).toMatch(LIVE);
          await runCli(world, ['close', '--state-file', join(dir, 'a.json')]);
        }),
        withEmulator(async (world) => {
          const plain = await onTerminal(world, flags(join(dir, 'b.json'), [], world), {
            TERM: 'xterm',
            NO_COLOR: '1',
          });
          expect(plain).toMatch(/\r[|/\\-] web-01: waiting for the allow rule in web-01-nsg \(NIC\)/);
          expect(plain).not.toContain('\u001b');
          expect(plain).toMatch(LIVE);
          await runCli(world, ['close', '--state-file', join(dir, 'b.json')]);
        }),
      ]);
    },
  );
});
