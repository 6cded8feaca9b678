/**
 * The cells of the behaviour matrix: every emulator switch of what real Azure
 * leaves unknown (emulator/behaviour.ts). All 192 combinations are listed; the
 * CLI sweep runs a pairwise covering subset (every pair of values of every two
 * switches appears in some cell) plus the default and the all-unfavourable cell,
 * because 192 full open/close cycles through spawned bundles would take minutes
 * on the 2-core CI machine. `JIT_MATRIX=full` runs all 192.
 */
import type { EmulatorBehaviour } from '../../../emulator';

const VALUES: { readonly [K in keyof EmulatorBehaviour]: readonly EmulatorBehaviour[K][] } = {
  supersede: ['replace', 'coexist'],
  ruleLayout: ['per-port', 'combined'],
  sourceForm: ['verbatim', 'cidr', 'prefixes'],
  echo: ['full', 'minimal'],
  startTime: ['same', 'rounded'],
  nsgWrites: ['parallel', 'serialized'],
  history: ['all', 'newest'],
};
const FIELDS = Object.keys(VALUES) as (keyof EmulatorBehaviour)[];

export const DEFAULT_CELL: EmulatorBehaviour = {
  supersede: 'replace',
  ruleLayout: 'per-port',
  sourceForm: 'verbatim',
  echo: 'full',
  startTime: 'same',
  nsgWrites: 'parallel',
  history: 'all',
};

export const UNFAVOURABLE_CELL: EmulatorBehaviour = {
  supersede: 'coexist',
  ruleLayout: 'combined',
  sourceForm: 'prefixes',
  echo: 'minimal',
  startTime: 'rounded',
  nsgWrites: 'serialized',
  history: 'newest',
};

export function allCells(): EmulatorBehaviour[] {
  let cells: Partial<EmulatorBehaviour>[] = [{}];
  for (const f of FIELDS)
    cells = cells.flatMap((c) => (VALUES[f] as readonly string[]).map((v) => ({ ...c, [f]: v })));
  return cells as EmulatorBehaviour[];
}

/** Pairs of (field=value, field=value) a cell covers. */
function pairsOf(cell: EmulatorBehaviour): string[] {
  const out: string[] = [];
  for (let i = 0; i < FIELDS.length; i++)
    for (let j = i + 1; j < FIELDS.length; j++) {
      const a = FIELDS[i] as keyof EmulatorBehaviour;
      const b = FIELDS[j] as keyof EmulatorBehaviour;
      out.push(`${a}=${cell[a]}|${b}=${cell[b]}`);
    }
  return out;
}

/** Greedy pairwise cover (deterministic), starting from the default and all-unfavourable cells. */
export function pairwiseCells(): EmulatorBehaviour[] {
  const all = allCells();
  const uncovered = new Set(all.flatMap(pairsOf));
  const chosen: EmulatorBehaviour[] = [];
  const take = (c: EmulatorBehaviour): void => {
    chosen.push(c);
    for (const p of pairsOf(c)) uncovered.delete(p);
  };
  take(DEFAULT_CELL);
  take(UNFAVOURABLE_CELL);
  while (uncovered.size > 0) {
    let best = all[0] as EmulatorBehaviour;
    let bestGain = -1;
    for (const c of all) {
      const gain = pairsOf(c).filter((p) => uncovered.has(p)).length;
      if (gain > bestGain) {
        best = c;
        bestGain = gain;
      }
    }
    take(best);
  }
  return chosen;
}

export function cellName(c: EmulatorBehaviour): string {
  return FIELDS.map((f) => c[f]).join(',');
}

/** Every pair of switch values appears in some cell: the claim the sweep rests on. */
export function coversAllPairs(cells: readonly EmulatorBehaviour[]): boolean {
  const want = new Set(allCells().flatMap(pairsOf));
  for (const c of cells) for (const p of pairsOf(c)) want.delete(p);
  return want.size === 0;
}
