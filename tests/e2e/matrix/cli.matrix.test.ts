/**
 * open → wait → outputs → close through the shipped CLI bundle under the
 * emulator's behaviour switches (see matrixCells.ts for which cells and why).
 * In every cell: another principal's older requests on the same VM are
 * planted first; `request` reports ready only when THIS run's rules are live,
 * its outputs are right, and `close` leaves nothing of this run open and
 * deletes nothing of anyone else's. Each cell has its own emulator (rule delay 0).
 */
import { startEmulator, type EmulatorBehaviour } from '../../../emulator';
import { cloudFlags, requireBuiltCli, runCli, tempDir } from '../cli/helpers';
import { allCells, cellName, coversAllPairs, pairwiseCells } from './matrixCells';
import {
  jitAllow,
  livePerPort,
  NSGS,
  oursAmong,
  plantOthers,
  PORTS,
  requestArgs,
  settle,
  sourcesOf,
  VM,
} from './world';

jest.setTimeout(600_000);

const cells = process.env.JIT_MATRIX === 'full' ? allCells() : pairwiseCells();
const EGRESS = '203.0.113.10';

beforeAll(() => requireBuiltCli());

it('the sweep covers every pair of switch values', () => {
  expect(coversAllPairs(cells)).toBe(true);
  expect(allCells()).toHaveLength(192);
});

describe.each(cells.map((c) => [cellName(c), c] as const))(
  'CLI cell %s',
  (_name, behaviour: EmulatorBehaviour) => {
    // Each cell owns its emulator: the cells run concurrently (they wait on the CLI, not CPU).
    it.concurrent(
      'ready only on our own rules, outputs right, close removes ours and only ours',
      async () => {
        const emu = await startEmulator({ behaviour, ruleDelayMs: 0 });
        try {
          await plantOthers(emu, EGRESS);
          await settle(emu, 2); // one planted rule per planted request, in every layout
          const before = new Set(jitAllow(emu).map((r) => r.name));
          const cwd = tempDir();
          const opened = await runCli(emu, requestArgs(emu), { cwd });
          expect({ code: opened.code, stderr: opened.code === 0 ? '' : opened.stderr }).toEqual({
            code: 0,
            stderr: '',
          });

          // Ready: our own rules are live in every NSG, for every port.
          const afterOpen = jitAllow(emu);
          const ours = oursAmong(afterOpen, before, EGRESS);
          expect(livePerPort(ours)).toEqual(PORTS.map(() => NSGS.length));
          // Outputs: our address, the VM, this run's rule names, the end time we asked for.
          const doc = JSON.parse(opened.stdout) as { outputs: Record<string, unknown> };
          expect(doc.outputs.ip).toBe(EGRESS);
          const targets = doc.outputs.targets as {
            vm: string;
            ruleNames: string[];
            privateIp: string;
            ports: { port: number }[];
          }[];
          expect(targets.map((t) => t.vm)).toEqual([VM]);
          expect(targets[0]?.privateIp).toBe('10.1.1.5');
          expect(targets[0]?.ports.map((p) => p.port)).toEqual([...PORTS]);
          expect([...(targets[0]?.ruleNames ?? [])].sort()).toEqual(
            [...new Set(ours.map((r) => r.name))].sort(),
          );

          // Others' rules that Azure kept (coexist) are still there after close; none of ours is.
          const others = afterOpen.filter((r) => !ours.includes(r));
          if (behaviour.supersede === 'coexist') {
            expect(others.some((r) => sourcesOf(r).some((s) => s.startsWith('198.51.100.7')))).toBe(true);
            expect(
              others.some(
                (r) => r.name !== '' && before.has(r.name) && sourcesOf(r).some((s) => s.startsWith(EGRESS)),
              ),
            ).toBe(true);
          }
          const closed = await runCli(emu, ['close', '--json', ...cloudFlags(emu)], { cwd });
          expect({ code: closed.code, stderr: closed.code === 0 ? '' : closed.stderr }).toEqual({
            code: 0,
            stderr: '',
          });
          const afterClose = jitAllow(emu)
            .map((r) => r.name)
            .sort();
          expect(afterClose).toEqual(others.map((r) => r.name).sort());
        } finally {
          await emu.stop();
        }
      },
    );
  },
);
