/**
 * Dates and durations, one helper per concept, built on date-fns: the end
 * time of a request, an ISO 8601 duration in milliseconds, an instant shown
 * in UTC and relative to now ("in 30 min").
 *
 * ISO durations are parsed by `tinyduration` (date-fns has no ISO-duration
 * parser), but its pattern is not anchored (`PT5Mjunk` and `xPT5M` would
 * parse), so the whole text is first matched against an anchored ISO 8601
 * shape. Years and months have no fixed length and are refused; weeks and
 * days count as 7 × 24 h and 24 h.
 */
import { addMinutes, differenceInMinutes, formatDuration, isValid, milliseconds } from 'date-fns';
import { parse as parseIso } from 'tinyduration';

const NUM = String.raw`\d+(?:[.,]\d+)?`;
/** `P[nY][nM][nW][nD][T[nH][nM][nS]]`, at least one component, `T` only if a time component follows. */
const ISO_SHAPE = new RegExp(
  String.raw`^P(?!$)(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?=\d)(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);

/** Why an ISO 8601 duration has no length in milliseconds. */
export type IsoDurationProblem = 'shape' | 'calendar';

/**
 * Milliseconds in an ISO 8601 duration such as `PT30M`, `P1D` or `PT1H30M`
 * (case-insensitive, surrounding blanks ignored); `{ problem }` when the text
 * is not one (`shape`) or uses years or months (`calendar`).
 */
export function parseIsoDuration(text: string): { ms: number } | { problem: IsoDurationProblem } {
  const upper = text.trim().toUpperCase();
  if (!ISO_SHAPE.test(upper)) return { problem: 'shape' };
  const d = parseIso(upper);
  if (d.years || d.months) return { problem: 'calendar' };
  const ms = milliseconds({
    weeks: d.weeks ?? 0,
    days: d.days ?? 0,
    hours: d.hours ?? 0,
    minutes: d.minutes ?? 0,
    seconds: d.seconds ?? 0,
  });
  return { ms: Math.round(ms) };
}

/** Milliseconds in an ISO 8601 duration, undefined when it is not one of fixed length. */
export function isoDurationMs(text: string): number | undefined {
  const parsed = parseIsoDuration(text);
  return 'ms' in parsed ? parsed.ms : undefined;
}

/** Minutes in an ISO 8601 duration of fixed length (`PT3H`, `P1D`), e.g. a policy's maxRequestAccessDuration. */
export function isoDurationMinutes(text: string): number | undefined {
  const ms = isoDurationMs(text);
  return ms === undefined ? undefined : ms / 60_000;
}

/**
 * A date-time as the Azure SDKs give it (deserialised to a Date, or a string
 * when a field is not in the SDK's model) as a Date; undefined when it is
 * missing or no date.
 */
export function instantOf(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return isValid(d) ? d : undefined;
}

/** The same as ISO 8601 in UTC (`2026-11-22T01:15:00.000Z`), undefined when it is missing or no date. */
export function isoOf(value: Date | string | undefined): string | undefined {
  return instantOf(value)?.toISOString();
}

/** End time of a request for `minutes` from `now` (Azure's clock, see ServerClock). */
export function endTimeFrom(now: Date, minutes: number): Date {
  return addMinutes(now, minutes);
}

/**
 * `2026-11-22T01:15:00.000Z` (or that Date) → `2026-11-22 01:15 UTC`; text
 * that is no date is shown as given. (date-fns formats in the local zone, and
 * runners' zones vary; the ISO form is UTC by definition.)
 */
export function formatUtc(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  if (!isValid(d)) return typeof date === 'string' ? date : 'an invalid date';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Hours and minutes as the summaries' narrow columns show them: `1 h 5 min`. */
const COMPACT_UNITS = {
  formatDistance: (token: string, count: number): string =>
    token === 'xHours' ? `${count} h` : `${count} min`,
};

/**
 * `date` relative to `now`, to the nearest minute: `in 15 min`, `in 1 h 5 min`,
 * `3 min ago`, `in less than a minute`; '' when either is no date.
 */
export function relativeTo(date: Date | string, now: Date | string): string {
  const d = instantOf(date);
  const n = instantOf(now);
  if (!d || !n) return '';
  const minutes = Math.abs(differenceInMinutes(d, n, { roundingMethod: 'round' }));
  const span =
    minutes < 1
      ? 'less than a minute'
      : formatDuration({ hours: Math.floor(minutes / 60), minutes: minutes % 60 }, { locale: COMPACT_UNITS });
  return d >= n ? `in ${span}` : `${span} ago`;
}
