/**
 * `--probe` through the shipped CLI bundle: behind Azure Firewall the default
 * (`auto`) connects to the firewall's DNAT port before reporting ready, even for
 * fw-01, which also has an NSG on its path; `--probe false` reports ready with a
 * warning; a bad value is refused before anything is written. The scenario's
 * firewall IP is unreachable from here, so the probed run points hub-jit's fw-01
 * at a loopback listener standing in for the firewall's DNAT port.
 */
import { createServer, type Server } from 'node:net';
import { firewallAtLoopback } from '../../helpers/firewallLoopback';
import { startEmulator, type Emulator } from '../../../emulator';
import { cloudFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

let emu: Emulator | undefined;
let server: Server | undefined;
beforeAll(() => requireBuiltCli());
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

const request = (e: Emulator, extra: string[] = []): string[] => [
  'request',
  ...['--vms', 'fw-01', '--resource-group', 'rg-hub', '--subscription', PROD, '--ports', '22'],
  ...['--ip-providers', e.ipEchoUrls.join(','), ...cloudFlags(e)],
  ...extra,
];

it('by default, a firewall VM with an NSG on its path is probed at the firewall port before ready', async () => {
  let connections = 0;
  const s = createServer((socket) => {
    connections++;
    socket.end();
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  emu = await startEmulator({ scenario: firewallAtLoopback(port) });
  const cwd = tempDir();
  const run = await runCli(emu, request(emu), { cwd });
  expect(run.code).toBe(0);
  expect(jitAllowRules(emu, 'fw-01-nsg')).toHaveLength(1);
  expect(connections).toBeGreaterThanOrEqual(1);
  expect(run.stdout + run.stderr).toContain(`127.0.0.1:${port} (VM fw-01) accepts TCP connections.`);
  expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
});

it('--probe false reports ready unprobed and warns, naming the VM, the firewall address and --probe', async () => {
  emu = await startEmulator();
  const cwd = tempDir();
  const run = await runCli(emu, request(emu, ['--probe', 'false']), { cwd });
  expect(run.code).toBe(0);
  const text = run.stdout + run.stderr;
  expect(text).toContain('VM fw-01 is reached through Azure Firewall at 52.170.20.30:50022');
  expect(text).toContain('--probe false skips the TCP probe, so its readiness is unproven');
  expect(text).toContain('Set --probe auto (the default) or --probe true');
  expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
});

it('--probe with a bad value is refused, naming --probe, the value and the allowed values; nothing is written', async () => {
  emu = await startEmulator();
  const run = await runCli(emu, request(emu, ['--probe', 'perhaps']), { cwd: tempDir() });
  expect(run.code).toBe(2);
  expect(run.stdout + run.stderr).toContain(
    '--probe = "perhaps": must be `auto` (probe the VMs reached through Azure Firewall), `true` (probe every VM) or `false` (probe none)',
  );
  expect(emu.control.requests().filter((r) => r.write && r.provider !== 'identity')).toEqual([]);
});
