/** The automatic NSG poll interval: fast while the rule is likely to land, bounded reads per second. */
import { autoPollInterval } from '../../../../shared/jit/wait';

describe('autoPollInterval', () => {
  it.each([
    [0, 1, 500],
    [29_999, 2, 500],
    [30_000, 1, 2_000],
    [119_999, 1, 2_000],
    [120_000, 1, 5_000],
    [600_000, 1, 5_000],
  ])('after %i ms with %i NSG(s) waits %i ms', (elapsed, nsgs, expected) => {
    expect(autoPollInterval(elapsed, nsgs)).toBe(expected);
  });

  it('never reads more than 10 NSGs per second in total, whatever the phase', () => {
    for (const nsgs of [1, 5, 10, 60, 250]) {
      for (const elapsed of [0, 45_000, 300_000]) {
        const interval = autoPollInterval(elapsed, nsgs);
        expect((nsgs * 1000) / interval).toBeLessThanOrEqual(10);
      }
    }
    expect(autoPollInterval(0, 60)).toBe(6_000);
  });
});
