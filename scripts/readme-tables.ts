/**
 * The README's inputs and outputs tables, generated from the core's tables
 * (shared/inputs/table.ts, shared/outputs.ts). `node scripts/ts-run.mjs
 * scripts/readme-tables.ts` rewrites them in README.md between their
 * `generated:` markers; tests/unit/cli/readme.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADO, CLI } from '../shared/frontEnd';
import { INPUTS, type InputName } from '../shared/inputs/table';
import { OUTPUTS, type OutputName } from '../shared/outputs';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function inputsTable(): string {
  const rows = (Object.keys(INPUTS) as InputName[]).map((name) => {
    const spec = INPUTS[name];
    const def = spec.default === '' ? '' : `\`${spec.default}\``;
    const flag = CLI.uses(name) ? `\`--${name}\`` : 'n/a';
    // Azure DevOps takes the cloud from the service connection: no such inputs there.
    const ado = ADO.uses(name) ? `\`${spec.ado}\`` : 'n/a';
    return `| \`${name}\` | ${ado} | ${flag} | ${spec.required ? 'yes' : 'no'} | ${def} | ${cell(spec.description)} |`;
  });
  return [
    '| Input (GitHub) | Azure DevOps | CLI flag | Required | Default | Description |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function outputsTable(): string {
  const rows = (Object.keys(OUTPUTS) as OutputName[]).map(
    (name) => `| \`${name}\` | \`${OUTPUTS[name].ado}\` | ${cell(OUTPUTS[name].description)} |`,
  );
  return [
    '| Output (GitHub, CLI `--json`) | Azure DevOps variable | Description |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}

export const GENERATED = { inputs: inputsTable, outputs: outputsTable } as const;

const markers = (name: string): [string, string] => [
  `<!-- generated:${name} -->`,
  `<!-- /generated:${name} -->`,
];

/** The text between a generated block's markers, or undefined when the markers are missing. */
export function generatedBlock(readme: string, name: keyof typeof GENERATED): string | undefined {
  const [open, close] = markers(name);
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + open.length, end).trim();
}

export function withTables(readme: string): string {
  let out = readme;
  for (const name of Object.keys(GENERATED) as (keyof typeof GENERATED)[]) {
    const [open, close] = markers(name);
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} ... ${close} block`);
    out = `${out.slice(0, start + open.length)}\n${GENERATED[name]()}\n${out.slice(end)}`;
  }
  return out;
}

if (require.main === module) {
  const path = join(process.cwd(), 'README.md');
  const before = readFileSync(path, 'utf8');
  const after = withTables(before);
  if (after !== before) writeFileSync(path, after);
  console.log(after === before ? 'README tables are up to date.' : 'README tables updated.');
}
