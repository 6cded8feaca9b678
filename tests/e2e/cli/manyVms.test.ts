/**
 * The shipped CLI for many VMs at once, as a user runs it: every VM opened and closed, and nothing
 * on stderr but what the CLI says itself. Dozens of Azure calls in flight at once each listen to the
 * run's abort signal; Node's listener-leak warning ("MaxListenersExceededWarning: Possible
 * EventTarget memory leak") must not reach the user's log for that.
 */
import { generateScenario, startEmulator, type Emulator } from '../../../emulator';
import { cloudFlags, emulatorFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(120_000);

let emu: Emulator;
const scenario = generateScenario({ vms: 30, resourceGroups: 3 });
const vms = (scenario.subscriptions[0]?.resourceGroups ?? []).flatMap((rg) =>
  (rg.virtualMachines ?? []).map(
    (vm) =>
      `/subscriptions/${PROD}/resourceGroups/${rg.name}/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
  ),
);

beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ scenario, ruleDelayMs: 0 });
});
afterAll(() => emu.stop());

it('30 VMs in 3 resource groups: opened, closed, and no Node warning on stderr', async () => {
  const cwd = tempDir();
  const request = await runCli(
    emu,
    [
      'request',
      ...vms.flatMap((v) => ['--vms', v]),
      '--subscription',
      PROD,
      '--ports',
      '22',
      ...emulatorFlags(emu),
    ],
    { cwd },
  );
  expect(request.stderr).not.toMatch(/Warning|\(node:\d+\)/);
  expect(request.code).toBe(0);
  const nsgs = [...new Set(emu.control.rules().map((r) => r.nsgName))];
  const open = nsgs.filter((n) => jitAllowRules(emu, n).length > 0);
  expect(open.length).toBeGreaterThanOrEqual(vms.length);
  const close = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
  expect(close.stderr).not.toMatch(/Warning|\(node:\d+\)/);
  expect(close.code).toBe(0);
  expect(nsgs.filter((n) => jitAllowRules(emu, n).length > 0)).toEqual([]);
});
