/**
 * `close --vms --ports --source` when Azure writes ONE allow rule for several
 * ports (emulator `ruleLayout: combined`, as JIT's own deny rules are): the
 * rule is deleted only when every port it opens was asked for, so closing
 * one port never closes another as a side effect.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { cloudFlags, emulatorFlags, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ behaviour: { ruleLayout: 'combined', sourceForm: 'cidr' } });
});
afterAll(async () => {
  await emu?.stop();
});

const target = ['--vms', 'win-01', '--resource-group', 'rg-web', '--subscription', PROD];
const allowRules = (): string[] =>
  emu.control
    .rules('win-01-nsg')
    .filter((r) => r.jit === 'allow')
    .map((r) => r.name);

it('a combined rule is kept when only some of its ports are named, deleted when all are', async () => {
  const cwd = tempDir();
  const opened = await runCli(emu, ['request', ...target, '--ports', '3389,5986', ...emulatorFlags(emu)], {
    cwd,
  });
  expect(opened.code).toBe(0);
  const [rule] = allowRules();
  expect(allowRules()).toHaveLength(1);
  expect(
    emu.control.rules('win-01-nsg').find((r) => r.name === rule)?.properties.destinationPortRanges,
  ).toEqual(['3389', '5986']);

  const partial = await runCli(emu, [
    'close',
    ...target,
    '--ports',
    '3389',
    '--source',
    '203.0.113.10',
    ...cloudFlags(emu),
  ]);
  expect(partial.code).toBe(0);
  expect(partial.stderr).toContain(`Not deleting ${rule}`);
  expect(partial.stderr).toContain('add them to --ports');
  expect(allowRules()).toEqual([rule]);

  const full = await runCli(emu, [
    'close',
    ...target,
    '--ports',
    '3389,5986',
    '--source',
    '203.0.113.10',
    ...cloudFlags(emu),
  ]);
  expect(full.code).toBe(0);
  expect(allowRules()).toEqual([]);
});
