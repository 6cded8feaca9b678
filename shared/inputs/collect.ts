/**
 * Collects every input problem of one parse so they are reported together:
 * users fix all their inputs in one go instead of one per failed run.
 */
import { InputError, type InputIssue } from '../errors';

export class IssueCollector {
  private readonly found: InputIssue[] = [];
  readonly warnings: string[] = [];

  /** Runs one field's parser; an InputError is recorded and `undefined` returned. Other errors propagate. */
  field<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (e) {
      if (e instanceof InputError) {
        this.found.push(...e.issues);
        return undefined;
      }
      throw e;
    }
  }

  add(issue: InputIssue): void {
    this.found.push(issue);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  get issues(): readonly InputIssue[] {
    return this.found;
  }

  /** Throws one InputError holding every issue, if there were any, sorted by `order` (input names) when given. */
  throwIfAny(order: readonly string[] = []): void {
    if (this.found.length === 0) return;
    const rank = (input: string): number => {
      const i = order.indexOf(input);
      return i === -1 ? order.length : i;
    };
    throw new InputError([...this.found].sort((a, b) => rank(a.input) - rank(b.input)));
  }
}

/** Splits a list input on commas and new lines, trimming entries and dropping empty ones (trailing separators are common in YAML blocks). */
export function splitList(raw: string): string[] {
  return splitOn(raw, /[,\r\n]+/);
}

/** Like splitList, but blanks separate too: for lists whose entries never hold one (ports, addresses). */
export function splitWords(raw: string): string[] {
  return splitOn(raw, /[,\s]+/);
}

function splitOn(raw: string, separators: RegExp): string[] {
  return raw
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
