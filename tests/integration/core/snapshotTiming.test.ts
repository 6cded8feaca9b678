/**
 * The NSG read that records the JIT rules present before initiate (snapshot.ts) is the last read
 * before initiate: a rule that appears between it and initiate counts as this run's, so reading it
 * earlier (beside the topology reads, to save a round trip) would let another request's rule with
 * the same source pass for ours. These cases hold one earlier read back with the emulator's latency
 * fault, so the order does not depend on machine speed.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { EGRESS_IP, allowRules, initiates, main, platformFor, writes } from './harness';

jest.setTimeout(60_000);

let emu: Emulator;
afterEach(async () => {
  await emu?.stop();
});

const PIP_GET = /\/publicIPAddresses\/web-01-pip(\?|$)/i;
const POLICIES = /\/providers\/Microsoft\.Security\/jitNetworkAccessPolicies(\?|$)/i;
const NSG_GET = /\/networkSecurityGroups\/web-01-nsg(\?|$)/i;

/** Index of the first logged call matching (the log holds calls in the order they were answered). */
const answered = (pattern: RegExp): number =>
  emu.control.requests().findIndex((e) => e.method === 'GET' && pattern.test(e.path));
/** When the first NSG read arrived, and when the held-back read was answered. */
function timesOf(held: RegExp): { nsgArrived: number; heldAnswered: number } {
  const log = emu.control.requests();
  const nsg = log.find((e) => e.method === 'GET' && NSG_GET.test(e.path));
  const h = log.find((e) => e.method === 'GET' && held.test(e.path));
  if (!nsg || !h) throw new Error('missing NSG or held-back read in the log');
  return { nsgArrived: nsg.time.getTime(), heldAnswered: h.time.getTime() + h.durationMs };
}

it.each([
  ['public IP read', PIP_GET],
  ['JIT policy list', POLICIES],
])('the snapshot NSG read waits for a slow %s; access opens as before', async (_, held) => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  emu.control.faults.add({ method: 'GET', path: held, latencyMs: 800 });
  const platform = platformFor(emu);
  expect(await main(emu, platform)).toBe(true);
  expect(platform.failures).toEqual([]);

  expect(answered(NSG_GET)).toBeGreaterThan(answered(held));
  const { nsgArrived, heldAnswered } = timesOf(held);
  expect(nsgArrived).toBeGreaterThanOrEqual(heldAnswered);
  // One NSG read before initiate (the snapshot), then the wait's.
  const log = emu.control.requests();
  const initiate = log.findIndex((e) => e.method === 'POST' && /\/initiate$/i.test(e.path));
  expect(log.slice(0, initiate).filter((e) => e.method === 'GET' && NSG_GET.test(e.path))).toHaveLength(1);
  expect(initiates(emu)).toHaveLength(1);
  expect(allowRules(emu, 'web-01-nsg').map((r) => r.properties.sourceAddressPrefix)).toEqual([EGRESS_IP]);
});

it('a dry run reads no NSG (it writes nothing, so it needs no snapshot)', async () => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  const platform = platformFor(emu, { 'dry-run': 'true' });
  expect(await main(emu, platform)).toBe(true);
  expect(answered(NSG_GET)).toBe(-1);
  expect(writes(emu)).toEqual([]);
});
