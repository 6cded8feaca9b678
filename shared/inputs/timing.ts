/**
 * `wait-timeout` and `poll-interval`: how long and how often to read the NSGs
 * while waiting for the JIT allow rule.
 *
 * Decision: wait-timeout is capped at 1 hour. NSG rules normally appear within
 * seconds to a couple of minutes; a longer wait hides a real problem and keeps
 * a pipeline agent busy for nothing.
 */
import { InputError } from '../errors';
import { formatMs, parseDurationMs } from './duration';

export const MAX_WAIT_TIMEOUT_MS = 60 * 60_000;
export const MIN_POLL_SECONDS = 1;
export const MAX_POLL_SECONDS = 60;

export function parseWaitTimeoutMs(input: string, raw: string): number {
  const ms = parseDurationMs(input, raw, 'seconds');
  if (ms <= 0) throw new InputError(input, raw, 'must be more than 0 seconds');
  if (ms > MAX_WAIT_TIMEOUT_MS) {
    throw new InputError(input, raw, `is ${formatMs(ms)}; the maximum is 1 hour (3600 seconds, PT1H)`);
  }
  return ms;
}

export function parsePollIntervalMs(input: string, raw: string): number | 'auto' {
  const v = raw.trim();
  if (v === '' || v.toLowerCase() === 'auto') return 'auto';
  if (!/^\d+$/.test(v)) {
    throw new InputError(
      input,
      raw,
      `must be \`auto\` or a whole number of seconds from ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS}`,
    );
  }
  const seconds = Number(v);
  if (seconds < MIN_POLL_SECONDS || seconds > MAX_POLL_SECONDS) {
    throw new InputError(
      input,
      raw,
      `is out of range; use \`auto\` or ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS} seconds`,
    );
  }
  return seconds * 1000;
}
