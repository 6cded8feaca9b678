/**
 * Durations: a plain positive integer in the input's own unit (minutes for
 * `duration`, seconds for `wait-timeout`) or an ISO 8601 duration (`PT30M`).
 *
 * ISO values are parsed by `tinyduration`, but its pattern is not anchored
 * (`PT5Mjunk` and `xPT5M` would parse), so the whole text is first matched
 * against an anchored ISO 8601 shape. Years and months have no fixed length and
 * are refused; weeks and days count as 7 × 24 h and 24 h.
 */
import { parse as parseIso } from 'tinyduration';
import { InputError } from '../errors';

const NUM = String.raw`\d+(?:[.,]\d+)?`;
/** `P[nY][nM][nW][nD][T[nH][nM][nS]]`, at least one component, `T` only if a time component follows. */
const ISO_SHAPE = new RegExp(
  String.raw`^P(?!$)(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?=\d)(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);

const MS = {
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
} as const;

export type PlainUnit = 'minutes' | 'seconds';

/**
 * Parses a duration to milliseconds. Range checks are the caller's.
 * @throws InputError naming `input` when the text is neither form.
 */
export function parseDurationMs(input: string, raw: string, plainUnit: PlainUnit): number {
  const v = raw.trim();
  const example = plainUnit === 'minutes' ? '`15` (minutes) or `PT15M`' : '`300` (seconds) or `PT5M`';
  if (/^\d+$/.test(v)) return Number(v) * MS[plainUnit];
  if (/^[+-]?\d+(?:\.\d+)?$/.test(v)) {
    throw new InputError(
      input,
      raw,
      `must be a whole, positive number of ${plainUnit} or an ISO 8601 duration, e.g. ${example}`,
    );
  }
  const upper = v.toUpperCase();
  if (!ISO_SHAPE.test(upper)) {
    throw new InputError(
      input,
      raw,
      `is neither a number of ${plainUnit} nor an ISO 8601 duration; write e.g. ${example}`,
    );
  }
  const d = parseIso(upper);
  if (d.years || d.months) {
    throw new InputError(
      input,
      raw,
      'uses years or months, which have no fixed length; use days, hours, minutes or seconds',
    );
  }
  return Math.round(
    (d.weeks ?? 0) * MS.weeks +
      (d.days ?? 0) * MS.days +
      (d.hours ?? 0) * MS.hours +
      (d.minutes ?? 0) * MS.minutes +
      (d.seconds ?? 0) * MS.seconds,
  );
}

/** Human form of a millisecond span for messages: `90 min`, `45 s`, `2 h`. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0 s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** JIT's own limits on a request (maxRequestAccessDuration: "Minimum 5 minutes, maximum 1 day"). */
export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 24 * 60;

/** The `duration` input: whole minutes within JIT's limits. A policy's own maximum is checked later, per policy. */
export function parseDurationMinutes(input: string, raw: string): number {
  const ms = parseDurationMs(input, raw, 'minutes');
  if (ms % 60_000 !== 0)
    throw new InputError(input, raw, `is ${formatMs(ms)}; JIT access is granted in whole minutes`);
  const minutes = ms / 60_000;
  if (minutes < MIN_DURATION_MINUTES || minutes > MAX_DURATION_MINUTES) {
    throw new InputError(
      input,
      raw,
      `is ${formatMs(ms)}; JIT allows from ${MIN_DURATION_MINUTES} minutes to 24 hours`,
    );
  }
  return minutes;
}
