/**
 * Attacker test, route 1: a saved state planted by someone else must not choose where
 * credentials go. The state names a cloud whose Resource Manager and authority are a local
 * listener; post (GitHub `STATE_jit-state`, Azure DevOps `jitState`) and CLI `close` (a
 * `.azure-jit-access/state.json` committed to the repository) must refuse before any sign-in,
 * and the listener must receive nothing: not a connection, let alone a secret or assertion.
 * Runs the shipped bundles (dist/, `npm run build`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { removeStepFiles, runStep } from '../../helpers/githubRunner';
import { NODE_BINARIES } from '../../helpers/nodes';
import { baseEnv, oidcEnv, oidcInputs, targetInputs as githubInputs } from '../action/fixture';
import { cloudFlags, requireBuiltCli, runCli, tempDir } from '../cli/helpers';
import { agentEnv, connection, targetInputs as taskInputs } from '../task/fixture';
import { cliStateFile, plantedState, signIns, startTrap, type Trap } from './helpers';

jest.setTimeout(180_000);

const node = (NODE_BINARIES[NODE_BINARIES.length - 1] ?? { path: process.execPath }).path;
const REFUSAL = /saved state names cloud Custom \(Resource Manager https:\/\/127\.0\.0\.1:\d+/;

let emu: Emulator;
let trap: Trap;
let planted: string;

beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ ruleDelayMs: 0 });
  trap = await startTrap();
  planted = plantedState({ name: 'Custom', resourceManager: trap.url, authorityHost: trap.url });
});
afterAll(async () => {
  await trap.close();
  await emu.stop();
  removeStepFiles();
});
beforeEach(() => {
  emu.control.clearRequests();
  trap.reset();
});

describe('CLI close with a state file committed to the repository', () => {
  it.each([
    ["as the README's `trap 'azure-jit-access close' EXIT` runs it (no flags)", [] as string[]],
    ['with the cloud flags of the real cloud', ['cloud flags']],
  ])('%s: refuses before signing in, and the listener gets nothing', async (_, how) => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.azure-jit-access'));
    const file = join(cwd, '.azure-jit-access', 'state.json');
    writeFileSync(file, cliStateFile(planted));
    const flags = how.length > 0 ? cloudFlags(emu) : [];

    const run = await runCli(emu, ['close', ...flags], { cwd });
    const json = await runCli(emu, ['close', ...flags, '--json'], { cwd });

    expect(trap.connections()).toBe(0);
    expect(signIns(emu)).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(REFUSAL);
    expect(json.code).not.toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(REFUSAL) });
    // Kept: it is not ours to delete, and nothing was closed.
    expect(existsSync(file)).toBe(true);
  });
});

describe('GitHub post step with STATE_jit-state exported by an earlier step', () => {
  it('refuses before signing in, and the listener gets nothing', async () => {
    const post = await runStep({
      node,
      entry: 'post',
      inputs: { ...githubInputs(emu), ...oidcInputs(emu) },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
      state: { 'jit-state': planted },
    });

    expect(trap.connections()).toBe(0);
    // Not even the GitHub ID token was fetched: nothing was signed in anywhere.
    expect(signIns(emu)).toEqual([]);
    expect(post.exitCode).toBe(1);
    expect(post.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(REFUSAL),
    ]);
  });
});

describe('Azure DevOps post-job step with a planted jitState', () => {
  it('refuses before signing in with the service connection, and the listener gets nothing', async () => {
    const post = await runAdoStep({
      node,
      entry: 'post',
      inputs: taskInputs(emu),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: agentEnv(emu, 'secret'),
      taskVariables: { jitState: planted },
    });

    expect(trap.connections()).toBe(0);
    // The connection decides the cloud, but the mismatch is still refused before its secret is used.
    expect(signIns(emu)).toEqual([]);
    expect(post.result?.result).toBe('Failed');
    expect(post.result?.message).toMatch(REFUSAL);
  });
});
