/**
 * The README's GitHub section is the Action's manual: every input and output of action.yml is in
 * its tables with the same default, its YAML examples parse and use only real inputs, and it
 * documents the permissions block and the post-step opt-out that action.yml implements.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('<!-- section:github -->');
const end = readme.indexOf('<!-- /section:github -->');
const section = readme.slice(start, end);
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string | number | boolean; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { 'post-if': string };
};

/**
 * `| \`name\` | cell | cell | ...` rows of the section's tables, by name: the inputs tables, or
 * the outputs table (some outputs share an input's name, e.g. `client-id`).
 */
function tableRows(part: 'inputs' | 'outputs' = 'inputs'): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  const [before, after = ''] = section.split('### Outputs');
  for (const line of (part === 'inputs' ? (before ?? '') : after).split('\n')) {
    const cells = /^\|\s*`([a-z-]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (cells)
      rows.set(
        cells[1] as string,
        (cells[2] as string).split('|').map((c) => c.trim()),
      );
  }
  return rows;
}

describe('README GitHub section', () => {
  it('exists', () => {
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
  });

  it('lists every input with its required flag and default', () => {
    const rows = tableRows();
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = rows.get(name);
      expect({ name, listed: row !== undefined }).toEqual({ name, listed: true });
      const [required, defaultCell] = row ?? [];
      expect({ name, required: required === 'yes' }).toEqual({ name, required: input.required === true });
      const expected =
        input.default === undefined || input.default === '' ? '' : `\`${String(input.default)}\``;
      expect({ name, default: defaultCell }).toEqual({ name, default: expected });
    }
  });

  it('lists every output', () => {
    const rows = tableRows('outputs');
    for (const name of Object.keys(action.outputs))
      expect({ name, listed: rows.has(name) }).toEqual({ name, listed: true });
  });

  it('has YAML examples that parse and pass only inputs the Action has', () => {
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThan(0);
    const withKeys: string[] = [];
    for (const block of blocks) {
      const doc: unknown = parse(block);
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node && typeof node === 'object') {
          const record = node as Record<string, unknown>;
          if (typeof record.uses === 'string' && record.uses.includes('azure-jit-access')) {
            withKeys.push(...Object.keys((record.with as Record<string, unknown> | undefined) ?? {}));
          }
          Object.values(record).forEach(visit);
        }
      };
      visit(doc);
    }
    expect(withKeys.length).toBeGreaterThan(0);
    expect(withKeys.filter((k) => !(k in action.inputs))).toEqual([]);
  });

  it('shows the permissions block and the post-step opt-out action.yml implements', () => {
    expect(section).toMatch(/permissions:\n\s+id-token: write/);
    const optOut = /env\.(\w+)/.exec(action.runs['post-if'])?.[1] ?? '';
    expect(optOut).toBe('JIT_ACCESS_POST_CLEANUP');
    expect(section).toContain(`${optOut}: 'false'`);
  });
});
