/**
 * Attacker test, route 3: text from outside the process never becomes a runner command. Another
 * principal's JIT justification, Azure's error text and IP providers' answers carry `::add-mask::`
 * (indented), `::set-output`, `##[...]` and `##vso[...]`; read back through the CLI (`status`,
 * `status --json`, `request`, `request --json`, `close`) and the Action's and task's logs, no line
 * may be one a GitHub runner or an Azure Pipelines agent would execute. Shipped bundles only.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { removeStepFiles, runStep } from '../../helpers/githubRunner';
import { NODE_BINARIES } from '../../helpers/nodes';
import { baseEnv, oidcEnv, oidcInputs, targetInputs as githubInputs } from '../action/fixture';
import { cloudFlags, jitAllowRules, requireBuiltCli, runCli, tempDir, type CliRun } from '../cli/helpers';
import { agentEnv, connection, targetInputs as taskInputs } from '../task/fixture';
import {
  commandLines,
  foreignAdoCommands,
  foreignGitHubCommands,
  HOSTILE,
  HOSTILE_ONE_LINE,
  MARK,
  PROD,
  WEB_01_ID,
} from './helpers';

jest.setTimeout(180_000);

const node = (NODE_BINARIES[NODE_BINARIES.length - 1] ?? { path: process.execPath }).path;

let emu: Emulator;

beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ ruleDelayMs: 0 });
});
afterAll(async () => {
  await emu.stop();
  removeStepFiles();
});
afterEach(() => {
  emu.control.faults.clear();
  emu.control.ipEcho.reset();
});

const web01 = ['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD];
const request = (): string[] => [
  'request',
  ...web01,
  ...['--ports', '22', '--duration', '10', '--ip-providers', emu.ipEchoUrls.join(',')],
  ...cloudFlags(emu),
];

/** Everything the CLI wrote, where a `run:` / script step would show it. */
const everything = (run: CliRun): string => `${run.stdout}\n${run.stderr}`;

/** Azure answers the initiate with an error whose message is the hostile text. */
function hostileAzureError(method: string, path: string): void {
  emu.control.faults.add({
    method,
    path,
    status: 409,
    times: Infinity,
    body: { error: { code: 'Conflict', message: HOSTILE } },
  });
}

/** Every IP provider answers the hostile text instead of an address. */
function hostileIpProviders(): void {
  for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { body: HOSTILE_ONE_LINE });
}

describe('CLI', () => {
  it("status and status --json show another principal's justification, inert", async () => {
    const end = new Date(emu.control.clock.now().getTime() + 30 * 60_000).toISOString();
    const other = await emu.control.initiateAs('jit-cert', {
      resourceGroup: 'rg-web',
      location: 'eastus',
      policy: 'web-jit',
      body: {
        virtualMachines: [
          {
            id: WEB_01_ID,
            ports: [{ number: 22, allowedSourceAddressPrefix: '198.51.100.7', endTimeUtc: end }],
          },
        ],
        justification: HOSTILE,
      },
    });
    expect(other.status).toBe(202);

    const text = await runCli(emu, ['status', ...web01, ...cloudFlags(emu)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`deploy ${MARK}`);
    expect(commandLines(everything(text))).toEqual([]);

    const json = await runCli(emu, ['status', ...web01, ...cloudFlags(emu), '--json']);
    expect(json.code).toBe(0);
    expect(commandLines(everything(json))).toEqual([]);
    const doc = JSON.parse(json.stdout) as { vms: { requests: { justification?: string }[] }[] };
    const shown = doc.vms[0]?.requests.map((r) => r.justification ?? '').join(' ');
    // Still all there for a reader (and a JSON consumer), on one line.
    expect(shown).toContain(`::add-mask::${MARK}-mask`);
    expect(shown).toContain(`##vso[task.setvariable variable=${MARK}]yes`);
    expect(shown).not.toContain('\n');
  });

  it.each([[[]], [['--json']]])("request %j reports Azure's hostile error text inert", async (extra) => {
    hostileAzureError('POST', '/initiate');
    const run = await runCli(emu, [...request(), ...extra], { cwd: tempDir() });
    expect(run.code).not.toBe(0);
    expect(everything(run)).toContain(MARK);
    expect(commandLines(everything(run))).toEqual([]);
  });

  it.each([[[]], [['--json']]])(
    "request %j reports the IP providers' hostile answers inert",
    async (extra) => {
      hostileIpProviders();
      const run = await runCli(emu, [...request(), ...extra], { cwd: tempDir() });
      expect(run.code).not.toBe(0);
      expect(everything(run)).toContain(MARK);
      expect(commandLines(everything(run))).toEqual([]);
    },
  );

  it("close reports Azure's hostile error text inert", async () => {
    const cwd = tempDir();
    expect((await runCli(emu, request(), { cwd })).code).toBe(0);
    hostileAzureError('DELETE', '/securityRules/');
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
    const json = await runCli(emu, ['close', ...cloudFlags(emu), '--json'], { cwd });
    expect(everything(closed)).toContain(MARK);
    expect(commandLines(everything(closed))).toEqual([]);
    expect(commandLines(everything(json))).toEqual([]);
    emu.control.faults.clear();
    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  });
});

describe('GitHub Action', () => {
  const main = () =>
    runStep({
      node,
      entry: 'main',
      inputs: { ...githubInputs(emu), ...oidcInputs(emu) },
      env: { ...baseEnv(emu), ...oidcEnv(emu), ACTIONS_STEP_DEBUG: 'true' },
    });

  it.each([
    ["Azure's error text", () => hostileAzureError('POST', '/initiate')],
    ["the IP providers' answers", hostileIpProviders],
  ])('%s stays inert in the log', async (_, plant) => {
    plant();
    const run = await main();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(MARK);
    expect(foreignGitHubCommands(run.stdout)).toEqual([]);
    expect(foreignGitHubCommands(run.stderr)).toEqual([]);
  });
});

describe('Azure DevOps task', () => {
  const main = () =>
    runAdoStep({
      node,
      entry: 'main',
      inputs: taskInputs(emu),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: { ...agentEnv(emu, 'secret'), SYSTEM_DEBUG: 'true' },
    });

  it.each([
    ["Azure's error text", () => hostileAzureError('POST', '/initiate')],
    ["the IP providers' answers", hostileIpProviders],
  ])('%s stays inert in the log', async (_, plant) => {
    plant();
    const run = await main();
    expect(run.result?.result).toBe('Failed');
    expect(run.stdout).toContain(MARK);
    expect(foreignAdoCommands(run.stdout)).toEqual([]);
    expect(foreignAdoCommands(run.stderr)).toEqual([]);
  });
});
