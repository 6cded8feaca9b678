/**
 * Times on the wire. Azure emits 7 fraction digits (.NET ticks); the JS SDK sends 3
 * (Date#toISOString), Python 6, hand-written bodies 0: all must parse, and the
 * request's endTimeUtc is echoed verbatim, never re-formatted.
 */
import { parse as parseDuration } from 'tinyduration';

const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since epoch, or undefined when the text is not an ISO 8601 date-time. */
export function parseUtc(text: string): number | undefined {
  const m = UTC.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return Number.isNaN(t) ? undefined : t;
}

/**
 * .NET's round-trip format with trailing zeros trimmed (`ss.FFFFFFFK`), which is how
 * the Security RP writes times: 7 digits for server clocks, fewer when the client
 * sent fewer significant digits (a JS `.000Z` comes back without a fraction).
 */
function netFormat(ms: number, fraction7: string): string {
  const base = new Date(ms).toISOString().slice(0, 19);
  const trimmed = fraction7.replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

/** A server timestamp (`startTimeUtc`): 7 fraction digits, sub-millisecond ticks made up. */
export function serverTimeUtc(date: Date): string {
  const ms = date.getTime();
  // Last digit never 0, so the trimmed .NET format always shows 7 digits like the recordings.
  const ticks = `${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}${1 + Math.floor(Math.random() * 9)}`;
  return netFormat(ms, `${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}${ticks}`);
}

/** A client-sent time re-serialised the way the service does (UTC, trimmed 7-digit fraction). */
export function normalizeUtc(text: string): string | undefined {
  const ms = parseUtc(text);
  if (ms === undefined) return undefined;
  const frac = (UTC.exec(text)?.[7] ?? '').padEnd(7, '0');
  return netFormat(ms, `${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}${frac.slice(3)}`);
}

/** ISO 8601 duration in ms (days counted as 24 h); undefined when it does not parse. */
export function durationMs(text: string): number | undefined {
  try {
    const d = parseDuration(text);
    if (d.years || d.months) return undefined; // not a fixed length; Azure caps JIT at 1 day anyway
    return (
      ((((d.weeks ?? 0) * 7 + (d.days ?? 0)) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60_000 +
      (d.seconds ?? 0) * 1000
    );
  } catch {
    return undefined;
  }
}
