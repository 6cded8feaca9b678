/**
 * Booleans accept exactly the YAML 1.2 core-schema spellings. Anything else
 * (`yes`, `1`, `on`, a typo) is an error rather than a silent `false`: a
 * mistyped `allow-any-source` or `dry-run` must not quietly do the opposite.
 */
import { InputError } from '../errors';

export const TRUE = new Set(['true', 'True', 'TRUE']);
export const FALSE = new Set(['false', 'False', 'FALSE']);

export function parseBoolean(input: string, raw: string): boolean {
  const v = raw.trim();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InputError(
    input,
    raw,
    'must be true or false (YAML 1.2 spellings: true/True/TRUE, false/False/FALSE)',
  );
}
