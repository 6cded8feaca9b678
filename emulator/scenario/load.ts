/**
 * Scenario loading: a path or an object in, a schema-checked Scenario out. The
 * default scenario is imported (not read from disk) so the bundled CLI finds it.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import defaultScenarioJson from '../scenarios/default.json';
import { scenarioSchema } from './schema';
import type { Scenario } from './types';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** Throws ScenarioError naming the source, the JSON path and the problem. */
export function validateScenario(value: unknown, source = 'scenario'): Scenario {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(scenarioSchema);
  if (!validator(value)) {
    const problems = (validator.errors ?? [])
      .slice(0, 10)
      .map((e) => `  ${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra(e.params)}`)
      .join('\n');
    throw new ScenarioError(
      `Invalid ${source}:\n${problems}\nFix the file (see emulator/README.md, "Scenario format").`,
    );
  }
  return value as Scenario;
}

function extra(params: Record<string, unknown>): string {
  if (typeof params.additionalProperty === 'string') return ` ('${params.additionalProperty}')`;
  if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.map(String).join(', ')})`;
  return '';
}

/**
 * The shipped default scenario. Not run through ajv at start (compiling the schema
 * costs ~100 ms of the 300 ms start budget); a unit test validates the file instead.
 */
export function defaultScenario(): Scenario {
  // A deep copy: instances must never share (and mutate) one object.
  return structuredClone(defaultScenarioJson) as Scenario;
}

export function loadScenario(input: Scenario | string | undefined): Scenario {
  if (input === undefined) return defaultScenario();
  if (typeof input !== 'string') return validateScenario(structuredClone(input));
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (error) {
    throw new ScenarioError(`Cannot read scenario file '${input}': ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`Scenario file '${input}' is not valid JSON: ${(error as Error).message}`);
  }
  return validateScenario(parsed, `scenario file '${input}'`);
}
