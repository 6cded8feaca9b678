/**
 * The README's generated tables and the CLI's exit codes must say what the
 * code does. Cells are compared after trimming, because prettier pads
 * Markdown tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../cli/args';
import { EXIT_CODE_TABLE } from '../../../cli/exitCodes';
import { INPUT_NAMES } from '../../../shared/inputs/table';
import { OUTPUTS } from '../../../shared/outputs';
import { generatedBlock, inputsTable, outputsTable } from '../../../scripts/readme-tables';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

/** Rows of a Markdown table as trimmed cells, separator rows dropped. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('|') && !/^\|[\s:|-]+\|$/.test(l))
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

function section(name: string): string {
  const start = readme.indexOf(`<!-- section:${name} -->`);
  const end = readme.indexOf(`<!-- /section:${name} -->`);
  expect(start).toBeGreaterThanOrEqual(0);
  return readme.slice(start, end);
}

describe('README inputs and outputs tables', () => {
  it('the inputs table is the one generated from shared/inputs/table.ts', () => {
    const block = generatedBlock(readme, 'inputs');
    expect(block).toBeDefined();
    expect(rows(block ?? '')).toEqual(rows(inputsTable()));
  });

  it('lists every input exactly once, in the table order', () => {
    const names = rows(generatedBlock(readme, 'inputs') ?? '')
      .slice(1)
      .map((r) => (r[0] ?? '').replace(/`/g, ''));
    expect(names).toEqual(INPUT_NAMES);
  });

  it('every CLI flag the table names is a flag of `request`', () => {
    const flags = rows(generatedBlock(readme, 'inputs') ?? '')
      .slice(1)
      .map((r) => (r[2] ?? '').replace(/`/g, ''))
      .filter((f) => f.startsWith('--'))
      .map((f) => f.slice(2));
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) expect(Object.keys(COMMANDS.request.flags)).toContain(flag);
  });

  it('the outputs table is the one generated from shared/outputs.ts', () => {
    const block = generatedBlock(readme, 'outputs');
    expect(rows(block ?? '')).toEqual(rows(outputsTable()));
    expect(
      rows(block ?? '')
        .slice(1)
        .map((r) => (r[0] ?? '').replace(/`/g, '')),
    ).toEqual(Object.keys(OUTPUTS));
  });
});

describe('README CLI exit codes', () => {
  it('match the codes the CLI returns, with the same meaning', () => {
    const cli = section('cli');
    const table = cli.slice(cli.indexOf('| Code'));
    const documented = rows(table)
      .slice(1)
      .filter((r) => /^\d+$/.test(r[0] ?? ''))
      .map((r) => [Number(r[0]), (r[1] ?? '').replace(/`/g, '')]);
    expect(documented).toEqual(EXIT_CODE_TABLE.map(([code, text]) => [code, text.replace(/`/g, '')]));
  });
});
