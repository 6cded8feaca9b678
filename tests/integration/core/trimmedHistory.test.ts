/**
 * A request history that shows only the policy's newest request (emulator
 * behaviour `history: newest`, one of the ways real Azure may trim it): once
 * another request is made, this run's entry is gone from what a read shows.
 * Post then has no proof that the rule it saved is still this run's, so it
 * leaves it to JIT's own expiry and says so; main never reports ready on
 * another request's rule.
 */
import { laterRequestOnWeb02 } from '../../helpers/otherRequest';
import { withEmulator } from '../../helpers/ownEmulator';
import {
  allowRules,
  EGRESS_IP,
  main,
  mainSupersededWhileWaiting,
  platformFor,
  post,
  savedState,
} from './harness';

jest.setTimeout(60_000);

it.concurrent(
  "a later request on the policy trims this run's entry: post leaves the rule, says why, and JIT ends it",
  () =>
    withEmulator({ behaviour: { history: 'newest' }, ruleDelayMs: 0 }, async (emu) => {
      const platform = platformFor(emu, { duration: '10' });
      expect(await main(emu, platform)).toBe(true);
      const ours = savedState(platform).requests[0]?.vms[0]?.rules[0]?.name;
      expect(ours).toMatch(/^SecurityCenter-JITRule-/);
      // Another principal's request for another VM of the same policy: the history now shows only it.
      expect(await laterRequestOnWeb02(emu)).toBe(202);

      const closed = await post(emu, platform);
      const warnings = platform.messages('warning').join('\n');
      expect(warnings).toMatch(/holds no request of this run for VM web-01 port 22/);
      expect(allowRules(emu, 'web-01-nsg').map((r) => [r.name, r.properties.sourceAddressPrefix])).toEqual([
        [ours, EGRESS_IP],
      ]);
      expect(closed).toBe(true);
      // Left to JIT: its own end time removes it.
      emu.control.clock.advance(10 * 60_000);
      expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    }),
);

it.concurrent(
  "a newer request for this run's VM port while waiting (replace): main fails, naming the likely cause, and takes nothing of the other's",
  () =>
    withEmulator({ behaviour: { history: 'newest', supersede: 'replace' } }, async (emu) => {
      const platform = platformFor(emu, { 'wait-timeout': '4' });
      expect(await mainSupersededWhileWaiting(emu, platform)).toBe(false);
      // Our entry cannot be found, so nothing proves the replacement: the wait runs out, naming the likely cause.
      expect(platform.failures[0]).toMatch(/not all live after 4 s/);
      expect(platform.failures[0]).toMatch(
        /policy 'web-jit' no longer lists this run's request in its history but lists a newer JIT request for source 198\.51\.100\.7 \(started [^)]+\) for this VM port, which has probably replaced it/,
      );
      expect(platform.outputs.get('host')).toBeUndefined();
      // Post must not delete the other principal's rule.
      expect(await post(emu, platform)).toBe(true);
      expect(allowRules(emu, 'web-01-nsg').map((r) => r.properties.sourceAddressPrefix)).toEqual([
        '198.51.100.7',
      ]);
    }),
);
