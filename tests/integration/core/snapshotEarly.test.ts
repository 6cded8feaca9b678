/**
 * Main reads the NSGs it snapshots before initiate as soon as the topology names them all (once
 * the subnet read is answered), while the VM's public IP and the JIT policies are still being
 * read, not after the whole plan is made and validated. These cases hold the public IP read back
 * with the emulator's latency fault, so the order does not depend on machine speed, and check
 * that the outcome, the reads and the writes are what they were.
 */
import { startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import { EGRESS_IP, allowRules, initiates, main, platformFor, writes } from './harness';

jest.setTimeout(60_000);

let emu: Emulator;
afterEach(async () => {
  await emu?.stop();
});

const PIP_GET = /\/publicIPAddresses\/web-01-pip(\?|$)/i;
const NSG_GET = /\/networkSecurityGroups\/web-01-nsg(\?|$)/i;
/** The log holds calls in the order they were answered. */
const answered = (pattern: RegExp): number =>
  emu.control.requests().findIndex((e: RequestLogEntry) => e.method === 'GET' && pattern.test(e.path));

it("the VM's NSG is read while its public IP read is still pending; access opens as before", async () => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  emu.control.faults.add({ method: 'GET', path: PIP_GET, latencyMs: 1500 });
  const platform = platformFor(emu);
  expect(await main(emu, platform)).toBe(true);
  expect(platform.failures).toEqual([]);

  const pip = answered(PIP_GET);
  const nsg = answered(NSG_GET);
  expect(pip).toBeGreaterThanOrEqual(0);
  expect(nsg).toBeGreaterThanOrEqual(0);
  // Answered before the public IP read it overlapped.
  expect(nsg).toBeLessThan(pip);
  // Still one NSG read before initiate (the snapshot), none repeated.
  const log = emu.control.requests();
  const initiate = log.findIndex((e) => e.method === 'POST' && /\/initiate$/i.test(e.path));
  expect(log.slice(0, initiate).filter((e) => e.method === 'GET' && NSG_GET.test(e.path))).toHaveLength(1);
  expect(initiates(emu)).toHaveLength(1);
  expect(allowRules(emu, 'web-01-nsg').map((r) => r.properties.sourceAddressPrefix)).toEqual([EGRESS_IP]);
});

it('a failed early NSG read fails the run as the snapshot read did, before any write', async () => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  emu.control.faults.add({ method: 'GET', path: PIP_GET, latencyMs: 500 });
  emu.control.faults.add({ method: 'GET', path: NSG_GET, status: 403 });
  const platform = platformFor(emu);
  expect(await main(emu, platform)).toBe(false);
  expect(platform.failures.join('\n')).toMatch(/web-01-nsg/);
  expect(writes(emu)).toEqual([]);
});

it('a dry run reads no NSG (it writes nothing, so it needs no snapshot)', async () => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  const platform = platformFor(emu, { 'dry-run': 'true' });
  expect(await main(emu, platform)).toBe(true);
  expect(answered(NSG_GET)).toBe(-1);
  expect(writes(emu)).toEqual([]);
});
