/**
 * Other names an input answers to (table.ts `aliases`), for users of the tools we stand in for:
 * azure/login calls the cloud `environment`. The runner passes an input's default even when the
 * workflow does not set it, so an alias wins over a canonical value equal to its default; two
 * different values set on purpose are an error, not a silent choice.
 */
import { InputError } from '../errors';
import { INPUTS, type InputName, type InputSpec } from './table';

export function readWithAliases(name: InputName, read: (name: string) => string): string {
  const spec: InputSpec = INPUTS[name];
  const value = read(name);
  for (const alias of spec.aliases ?? []) {
    const other = read(alias).trim();
    if (other === '') continue;
    const own = value.trim();
    if (own === '' || own === spec.default || own.toLowerCase() === other.toLowerCase()) return other;
    throw new InputError(
      name,
      value,
      `differs from ${alias} (${other}), another name for the same input`,
      `set only one of ${name} and ${alias}`,
    );
  }
  return value;
}
