/**
 * The shapes of the CLI's flags: what a flag and a command are, the values
 * parsed from a command line, and a flag's text as the core reads inputs.
 * Apart from args.ts, so that the files args.ts assembles its commands from
 * (adminFlags.ts, cloudEnv.ts) can use them without importing it back.
 */
import type { InputName } from '../shared';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Repeatable; values are joined with new lines (the core splits on commas and new lines). */
  readonly multiple?: boolean;
  readonly description: string;
  /** The core input this flag feeds, when it is one. */
  readonly input?: InputName;
  readonly valueName?: string;
  /** The value of a string flag given alone (`--probe` = `--probe true`), like the boolean it once was. */
  readonly bare?: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** A flag's value as the core reads inputs: '' when unset, repeated values joined by new lines. */
export function flagText(values: FlagValues, name: string): string {
  const v = values[name];
  if (v === undefined || v === false) return '';
  if (v === true) return 'true';
  if (typeof v === 'string') return v;
  return v.join('\n');
}
