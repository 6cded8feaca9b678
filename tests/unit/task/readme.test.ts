/**
 * The README's Azure DevOps section against task.json: the inputs and output
 * variables tables, and the YAML examples (they parse, use the task's current
 * major version and only inputs the task has).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const task = JSON.parse(readFileSync(join(root, 'task.json'), 'utf8')) as {
  name: string;
  version: { Major: number };
  inputs: { name: string; aliases?: string[]; defaultValue?: string; required?: boolean }[];
  outputVariables: { name: string }[];
};

function section(name: string): string {
  const start = readme.indexOf(`<!-- section:${name} -->`);
  const end = readme.indexOf(`<!-- /section:${name} -->`);
  if (start < 0 || end < start) throw new Error(`README has no section '${name}'`);
  return readme.slice(start, end);
}

/** Rows of the first Markdown table after `heading`, as cells without backticks. */
function table(text: string, heading: string): string[][] {
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no '${heading}' in the section`);
  const rows: string[][] = [];
  for (const line of text.slice(at).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replace(/`/g, '')),
    );
  }
  return rows.slice(2); // header and separator
}

const ado = section('azure-devops');

describe('README, Azure DevOps section', () => {
  it('lists every task input, in task.json order, with its required flag and default', () => {
    const rows = table(ado, '### Inputs');
    expect(rows.map((r) => r[0])).toEqual(task.inputs.map((i) => i.name));
    for (const input of task.inputs) {
      const row = rows.find((r) => r[0] === input.name) ?? [];
      expect(row[1]).toBe(input.required ? 'yes' : '');
      expect(row[2]).toBe(input.defaultValue ?? '');
    }
  });

  it('lists every output variable', () => {
    const rows = table(ado, '### Output variables');
    expect(rows.map((r) => r[0]).sort()).toEqual(task.outputVariables.map((o) => o.name).sort());
  });

  it('has YAML examples that parse and use only inputs the task has, and its output variables', () => {
    const blocks = [...ado.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const known = new Set(task.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]));
    const steps: { task?: string; inputs?: Record<string, unknown> }[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (typeof record.task === 'string') steps.push(record);
        Object.values(record).forEach(collect);
      }
    };
    for (const block of blocks) collect(parse(block));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const step of steps) {
      // The first public major is 1: a 0.x version is unreleased and its examples already show @1.
      expect(step.task).toBe(`${task.name}@${Math.max(1, task.version.Major)}`);
      for (const name of Object.keys(step.inputs ?? {})) expect(known).toContain(name);
      for (const input of task.inputs.filter((i) => i.required))
        expect(Object.keys(step.inputs ?? {})).toContain(input.name);
    }
    // A later job reads the outputs through dependencies, with the step name as prefix.
    expect(ado).toMatch(/dependencies\.open\.outputs\['jit\.host'\]/);
    expect(ado).toContain('closeOnPost: none');
  });

  it('describes the set-up of every supported service-connection scheme', () => {
    for (const scheme of [
      'Workload identity federation',
      'Service principal with a secret',
      'Service principal with a certificate',
      'Managed identity',
    ]) {
      expect(ado).toContain(`**${scheme}**`);
    }
  });
});
