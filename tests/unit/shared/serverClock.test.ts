import { ServerClock, SKEW_WARN_MS } from '../../../shared/azure/serverClock';

/** A local clock frozen at `ms`, and the RFC 7231 Date header Azure would send when its clock reads `serverMs`. */
function at(ms: number): () => Date {
  return () => new Date(ms);
}
function dateHeader(serverMs: number): string {
  return new Date(serverMs).toUTCString();
}

const LOCAL = Date.parse('2026-01-01T12:00:00.000Z');

describe('ServerClock', () => {
  it('uses local time until Azure has answered', () => {
    expect(new ServerClock(at(LOCAL)).now().getTime()).toBe(LOCAL);
  });

  it.each([90_000, -90_000, 30_000, 10 * 60_000, -10 * 60_000])(
    'corrects a skew of %d ms (agent behind when positive), below the warning threshold too',
    (skew) => {
      const clock = new ServerClock(at(LOCAL));
      const serverNow = LOCAL + skew + 700; // mid-second: the header truncates the .700
      clock.observe(dateHeader(serverNow));
      const estimate = clock.now().getTime();
      // Never later than Azure's real time (access never longer than asked), at most the header's 1 s resolution early.
      expect(estimate).toBeLessThanOrEqual(serverNow);
      expect(serverNow - estimate).toBeLessThan(1000);
      expect(clock.skewed).toBe(Math.abs(skew) > SKEW_WARN_MS);
    },
  );

  it('ignores a missing or unparseable Date header', () => {
    const clock = new ServerClock(at(LOCAL));
    clock.observe(undefined);
    clock.observe('not a date');
    expect(clock.skewMs).toBeUndefined();
    expect(clock.now().getTime()).toBe(LOCAL);
  });
});
