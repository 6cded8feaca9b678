/**
 * `probe` and Azure Firewall, through the core in-process against the emulator.
 * Through a firewall, users connect to JIT's DNAT rule in the firewall, which no
 * read of ours shows; an NSG rule on the VM's path proves only half of the way.
 * So `probe: auto` (the default) connects to every firewall VM, fw-01 included
 * although it has an NSG (fw-01-nsg on its NIC). The firewall's public IP of the
 * scenario is unreachable from here, so the probed test points it at a loopback
 * listener standing in for the firewall's DNAT port.
 */
import { createServer, type Server } from 'node:net';
import { firewallAtLoopback } from '../../helpers/firewallLoopback';
import { startEmulator } from '../../../emulator';
import { ADO, CLI, type FrontEnd } from '../../../shared/frontEnd';
import { FakePlatform } from '../../helpers/fakePlatform';
import { allowRules, main, platformFor, post, type Emulator } from './harness';

jest.setTimeout(60_000);

let emu: Emulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A loopback listener counting the connections it accepts: the firewall's DNAT port, as the probe sees it. */
async function dnatListener(): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const s = createServer((socket) => {
    count++;
    socket.end();
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as { port: number }).port, connections: () => count };
}

const fw01 = { vms: 'fw-01', 'resource-group': 'rg-hub' } as const;

it('probe defaults to auto: a firewall VM WITH an NSG on its path is probed before ready is reported', async () => {
  const dnat = await dnatListener();
  emu = await startEmulator({ scenario: firewallAtLoopback(dnat.port) });
  const platform = platformFor(emu, fw01);
  expect(await main(emu, platform)).toBe(true);
  // The NSG rule was there to watch too, yet the firewall's port was connected to.
  expect(allowRules(emu, 'fw-01-nsg')).toHaveLength(1);
  expect(dnat.connections()).toBeGreaterThanOrEqual(1);
  expect(platform.messages('info')).toContain(`127.0.0.1:${dnat.port} (VM fw-01) accepts TCP connections.`);
  expect(platform.outputs.get('port')).toBe(String(dnat.port));
  expect(await post(emu, platform)).toBe(true);
});

it('probe auto: a firewall VM with an NSG whose DNAT port does not answer is not reported ready', async () => {
  emu = await startEmulator();
  const platform = platformFor(emu, { ...fw01, 'wait-timeout': '3' });
  expect(await main(emu, platform)).toBe(false);
  expect(allowRules(emu, 'fw-01-nsg')).toHaveLength(1);
  expect(platform.failures.join('\n')).toContain(
    'The JIT rule is live but 52.170.20.30:50022 did not accept a TCP connection',
  );
  expect(await post(emu, platform)).toBe(true);
  expect(allowRules(emu, 'fw-01-nsg')).toHaveLength(0);
});

it('probe auto does not probe a VM reached without a firewall (its public IP is unreachable from here)', async () => {
  emu = await startEmulator();
  const platform = platformFor(emu, { 'wait-timeout': '3' });
  expect(await main(emu, platform)).toBe(true);
  expect(platform.groupTitles).not.toContain('Probe TCP connectivity');
  expect(platform.messages('warning')).toEqual([]);
});

it.each<[string, FrontEnd | undefined, string, string]>([
  ['GitHub', undefined, 'probe: false', 'Set probe: auto (the default) or probe: true'],
  ['Azure DevOps', ADO, 'probe: false', 'Set probe: auto (the default) or probe: true'],
  ['CLI', CLI, '--probe false', 'Set --probe auto (the default) or --probe true'],
])(
  'probe false (%s): a firewall VM is reported ready unprobed, with one warning naming VM, address and the input',
  async (_name, frontEnd, off, on) => {
    emu = await startEmulator();
    const base = platformFor(emu, { ...fw01, ports: '22', probe: 'false' });
    const platform = frontEnd ? new FakePlatform({ inputs: base.inputs, frontEnd }) : base;
    expect(await main(emu, platform)).toBe(true);
    expect(platform.groupTitles).not.toContain('Probe TCP connectivity');
    const warnings = platform.messages('warning').filter((w) => w.includes('Azure Firewall'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('VM fw-01 is reached through Azure Firewall at 52.170.20.30:50022');
    expect(warnings[0]).toContain(`${off} skips the TCP probe, so its readiness is unproven`);
    expect(warnings[0]).toContain(on);
    expect(await post(emu, platform)).toBe(true);
  },
);
