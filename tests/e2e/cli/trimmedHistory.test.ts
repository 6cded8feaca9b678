/**
 * Through the shipped CLI bundle: a request history that lists only the policy's newest request
 * (emulator behaviour `history: newest`). Another principal's request after ours trims this run's
 * entry, so `close` cannot prove the saved rule is still ours: it leaves it, says why, and JIT
 * removes it at its end time.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { laterRequestOnWeb02 } from '../../helpers/otherRequest';
import { cloudFlags, emulatorFlags, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ behaviour: { history: 'newest' }, ruleDelayMs: 0 });
});
afterAll(async () => {
  await emu?.stop();
});

const allowRules = () =>
  emu.control
    .rules('web-01-nsg')
    .filter((r) => r.jit === 'allow')
    .map((r) => [r.name, r.properties.sourceAddressPrefix]);

it('close leaves a rule whose entry the history no longer lists, and says so', async () => {
  const cwd = tempDir();
  const target = ['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD, '--ports', '22'];
  const opened = await runCli(emu, ['request', ...target, '--duration', '10', ...emulatorFlags(emu)], {
    cwd,
  });
  expect(opened.code).toBe(0);
  const ours = allowRules();
  expect(ours).toHaveLength(1);
  expect(await laterRequestOnWeb02(emu)).toBe(202);

  const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
  expect(closed.code).toBe(0);
  expect(closed.stderr).toMatch(/holds no request of this run for VM web-01 port 22/);
  expect(allowRules()).toEqual(ours);
  emu.control.clock.advance(10 * 60_000);
  expect(allowRules()).toEqual([]);
});
