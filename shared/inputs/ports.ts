/**
 * The `ports` input: single TCP/UDP port numbers, comma (or space/newline)
 * separated. Ranges are refused: a JIT policy lists single ports and a request
 * names single ports, so `8000-8010` could never be granted as written.
 */
import { InputError, type InputIssue } from '../errors';
import { splitWords } from './collect';

export interface ParsedPorts {
  /** Distinct, in the order given. */
  readonly ports: readonly number[];
  readonly duplicates: readonly number[];
}

/** Spells out a short range (`22-24` → ` (22,23,24)`) to show what to write instead. */
function rangeExample([, from = '', to = '']: RegExpExecArray): string {
  const a = Number(from);
  const b = Number(to);
  if (a < 1 || b > 65535 || b < a || b - a > 9) return '';
  return ` (${Array.from({ length: b - a + 1 }, (_, i) => a + i).join(',')})`;
}

export function parsePorts(input: string, raw: string): ParsedPorts {
  const items = splitWords(raw);
  if (items.length === 0) {
    throw new InputError(input, raw, 'is required: list the ports to open, e.g. `22` or `22,5986`');
  }
  const issues: InputIssue[] = [];
  const ports: number[] = [];
  const duplicates: number[] = [];
  for (const item of items) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      issues.push({
        input,
        value: item,
        rule: `is a range; JIT opens single ports, so list each port${rangeExample(range)}`,
      });
      continue;
    }
    if (!/^\d+$/.test(item)) {
      issues.push({ input, value: item, rule: 'is not a port number; use whole numbers from 1 to 65535' });
      continue;
    }
    const n = Number(item);
    if (n < 1 || n > 65535) {
      issues.push({ input, value: item, rule: 'is out of range; ports are 1 to 65535' });
      continue;
    }
    if (ports.includes(n)) duplicates.push(n);
    else ports.push(n);
  }
  if (issues.length > 0) throw new InputError(issues);
  return { ports, duplicates };
}
