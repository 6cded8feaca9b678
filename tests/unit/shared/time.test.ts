import { endTimeFrom, formatUtc, isoDurationMs, parseIsoDuration, relativeTo } from '../../../shared/time';

describe('isoDurationMs', () => {
  it.each([
    ['PT30M', 30 * 60_000],
    ['pt1h30m', 90 * 60_000],
    [' P1D ', 24 * 3_600_000],
    ['P1W', 7 * 24 * 3_600_000],
    ['PT1.5S', 1_500],
    ['P1DT3H', 27 * 3_600_000],
  ])('%s = %d ms', (iso, ms) => expect(isoDurationMs(iso)).toBe(ms));

  it.each(['', 'P', 'PT', '30', 'PT5Mjunk', 'xPT5M', '-PT5M', 'P1Y', 'P2M'])('refuses %j', (text) =>
    expect(isoDurationMs(text)).toBeUndefined(),
  );

  it('says whether the shape or a calendar unit is the problem', () => {
    expect(parseIsoDuration('PT5Mjunk')).toEqual({ problem: 'shape' });
    expect(parseIsoDuration('P1Y')).toEqual({ problem: 'calendar' });
    expect(parseIsoDuration('P1M')).toEqual({ problem: 'calendar' });
    expect(parseIsoDuration('PT1M')).toEqual({ ms: 60_000 });
  });
});

describe('dates', () => {
  const now = new Date('2026-11-22T00:45:10.000Z');

  it('ends a request N minutes after the given now, across a day boundary', () => {
    expect(endTimeFrom(now, 30).toISOString()).toBe('2026-11-22T01:15:10.000Z');
    expect(endTimeFrom(new Date('2026-12-31T23:50:00Z'), 20).toISOString()).toBe('2027-01-01T00:10:00.000Z');
  });

  it('shows an instant in UTC to the minute, whatever it was given as', () => {
    expect(formatUtc('2026-11-22T01:15:00.000Z')).toBe('2026-11-22 01:15 UTC');
    expect(formatUtc('2026-11-22T02:15:00+01:00')).toBe('2026-11-22 01:15 UTC');
    expect(formatUtc(new Date(Date.UTC(2026, 10, 22, 1, 15)))).toBe('2026-11-22 01:15 UTC');
    expect(formatUtc('soon')).toBe('soon');
  });

  it('says how far an instant is from now', () => {
    expect(relativeTo(endTimeFrom(now, 30), now)).toBe('in 30 min');
    expect(relativeTo(endTimeFrom(now, 120), now)).toBe('in 2 h');
    expect(relativeTo(endTimeFrom(now, 125), now.toISOString())).toBe('in 2 h 5 min');
    expect(relativeTo('2026-11-22T00:40:10.000Z', now)).toBe('5 min ago');
    // To the nearest minute: 29 s is less than a minute, 14 min 31 s is 15 min.
    expect(relativeTo(new Date(now.getTime() + 29_000), now)).toBe('in less than a minute');
    expect(relativeTo(new Date(now.getTime() - 29_000), now)).toBe('less than a minute ago');
    expect(relativeTo(new Date(now.getTime() + 871_000), now)).toBe('in 15 min');
    expect(relativeTo('later', now)).toBe('');
    expect(relativeTo(now, 'never')).toBe('');
  });
});
