/**
 * action.yml is what the runner reads; the core reads shared/inputs/table.ts and the Action's
 * sign-in inputs come from action/authInputs.ts. They must agree, or an input is silently
 * dropped (runner: "Unexpected input") or given the wrong default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { AUTH_INPUTS } from '../../../action/authInputs';
import { INPUTS, type InputSpec } from '../../../shared/inputs/table';
import { OUTPUTS } from '../../../shared/outputs';

const root = join(__dirname, '..', '..', '..');

interface ActionInput {
  description?: unknown;
  required?: unknown;
  default?: unknown;
}
interface ActionYml {
  name: unknown;
  description: unknown;
  author: unknown;
  branding: { icon: unknown; color: unknown };
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: unknown }>;
  runs: { using: unknown; main: unknown; post: unknown; 'post-if': unknown };
}

const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionYml;
/** Other names of core inputs (azure/login's `environment` for `cloud`): optional, no default. */
const aliasInputs = Object.fromEntries(
  Object.values(INPUTS as Record<string, InputSpec>).flatMap((spec) =>
    (spec.aliases ?? []).map((alias) => [alias, { required: false, default: '' }]),
  ),
);
const expectedInputs: Record<string, { required: boolean; default: string }> = {
  ...INPUTS,
  ...AUTH_INPUTS,
  ...aliasInputs,
};

describe('action.yml', () => {
  it('declares exactly the core inputs, their other names and the sign-in inputs', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(expectedInputs).sort());
    expect(Object.keys(aliasInputs)).toEqual(['environment']);
  });

  it.each(Object.entries(expectedInputs))('input %s has the same default and required flag', (name, spec) => {
    const declared = action.inputs[name];
    expect(declared).toBeDefined();
    // The runner passes a missing default as ''; a YAML boolean/number default would arrive as text.
    expect(declared?.default === undefined ? '' : declared.default).toBe(spec.default);
    expect(declared?.required === true).toBe(spec.required);
    expect(typeof declared?.description).toBe('string');
    expect(String(declared?.description).length).toBeGreaterThan(10);
  });

  it('declares exactly the outputs of shared/outputs.ts, each described', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(OUTPUTS).sort());
    for (const output of Object.values(action.outputs)) expect(typeof output.description).toBe('string');
  });

  it('runs main and post on node24 with an environment opt-out for post', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/action/main.js');
    expect(action.runs.post).toBe('dist/action/post.js');
    expect(action.runs['post-if']).toBe(
      "(!env.JIT_ACCESS_POST_CLEANUP || env.JIT_ACCESS_POST_CLEANUP != 'false')",
    );
  });

  it('has the Marketplace metadata', () => {
    for (const field of [
      action.name,
      action.description,
      action.author,
      action.branding.icon,
      action.branding.color,
    ]) {
      expect(typeof field).toBe('string');
      expect(String(field).length).toBeGreaterThan(0);
    }
  });

  it('has a description the GitHub Marketplace accepts (fewer than 125 characters)', () => {
    expect(typeof action.description).toBe('string');
    expect(String(action.description).length).toBeLessThan(125);
  });

  it('points main and post at bundles that exist (after `npm run build`)', () => {
    for (const target of [action.runs.main, action.runs.post]) {
      const path = join(root, String(target));
      expect(existsSync(path)).toBe(true);
      // A bundle, not a stub: it contains the Action's own code and @actions/core, itself or in
      // the bundle main and post share (the entry loads it by path through the compile cache).
      const entry = readFileSync(path, 'utf8');
      const shared = /\(__dirname,\s*"([\w.]+\.js)"\)/.exec(entry)?.[1];
      const code = shared ? readFileSync(join(dirname(path), shared), 'utf8') : entry;
      expect(code).toContain('GITHUB_STEP_SUMMARY');
    }
  });
});
