/**
 * What happens to a request that does not end normally: Ctrl-C while
 * waiting (exit 130, what was opened stays recorded so `close` can close it)
 * and another request taking over the same VM port (exit 5).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { NO_SIGNALS } from '../../helpers/childProcess';
import { initiateAsOther } from '../../helpers/otherRequest';
import { cloudFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const web01Id = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
const request = (): string[] => [
  'request',
  '--vms',
  web01Id,
  '--ports',
  '22',
  '--ip-providers',
  emu.ipEchoUrls.join(','),
  '--poll-interval',
  '1',
  ...cloudFlags(emu),
];

/** Resolves once the emulator has accepted an initiate (the CLI is then waiting for the rule). */
async function initiated(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (
      emu.control
        .requests()
        .some((r) => r.method === 'POST' && /\/initiate$/i.test(r.path) && r.status === 202)
    )
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the CLI never initiated');
}

beforeEach(() => emu.control.clearRequests());

(NO_SIGNALS ? it.skip : it)(
  'Ctrl-C while waiting: exit 130, the request stays recorded, and close removes its rule',
  async () => {
    const cwd = tempDir();
    emu.control.setRuleDelay(60_000);
    let pid: number | undefined;
    const running = runCli(emu, request(), { cwd, onSpawn: (p) => (pid = p) });
    await initiated();
    if (pid === undefined) throw new Error('no child pid');
    process.kill(pid, 'SIGINT');
    const run = await running;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/cancel/i);
    expect(existsSync(join(cwd, '.azure-jit-access', 'state.json'))).toBe(true);

    // The rule shows up later (Azure does not know we were interrupted); close finds and deletes it.
    emu.control.clock.advance(60_000);
    emu.control.setRuleDelay(0);
    expect(jitAllowRules(emu, 'web-01-nsg')).toHaveLength(1);
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
    expect(closed.code).toBe(0);
    expect(jitAllowRules(emu, 'web-01-nsg')).toEqual([]);
  },
);

it('another request for the same VM port while we wait: exit 5 (superseded)', async () => {
  const cwd = tempDir();
  emu.control.setRuleDelay(1500);
  const running = runCli(emu, request(), { cwd });
  await initiated();
  expect(
    await initiateAsOther(emu, {
      vm: 'web-01',
      resourceGroup: 'rg-web',
      policy: 'web-jit',
      source: '198.51.100.7',
    }),
  ).toBe(202);
  const run = await running;
  expect(run.code).toBe(5);
  expect(run.stderr).toContain('superseded');
  // Our close must not delete the other requester's rule.
  emu.control.setRuleDelay(0);
  emu.control.clock.advance(5_000);
  const before = emu.control.rules('web-01-nsg').filter((r) => r.jit === 'allow');
  expect(before.map((r) => r.properties.sourceAddressPrefix)).toEqual(['198.51.100.7']);
  const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
  expect(closed.code).toBe(0);
  expect(
    emu.control
      .rules('web-01-nsg')
      .filter((r) => r.jit === 'allow')
      .map((r) => r.name),
  ).toEqual(before.map((r) => r.name));
});
