/**
 * Durations: a plain positive integer in the input's own unit (minutes for
 * `duration`, seconds for `wait-timeout`) or an ISO 8601 duration (`PT30M`).
 *
 * ISO values are parsed by `parseIsoDuration` (shared/time.ts).
 */
import { InputError } from '../errors';
import { parseIsoDuration } from '../time';

const MS = {
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
  const iso = parseIsoDuration(v);
  if ('problem' in iso && iso.problem === 'shape') {
    throw new InputError(
      input,
      raw,
      `is neither a number of ${plainUnit} nor an ISO 8601 duration; write e.g. ${example}`,
    );
  }
  if ('problem' in iso) {
    throw new InputError(
      input,
      raw,
      'uses years or months, which have no fixed length; use days, hours, minutes or seconds',
    );
  }
  return iso.ms;
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
