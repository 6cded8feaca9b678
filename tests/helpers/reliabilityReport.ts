/**
 * The one-line report every reliability matrix prints when it ends (cases,
 * passed, violations, duration), also appended to .cache/reliability-report.txt
 * so a CI log or a developer can read all matrices' figures in one place.
 *
 * A case "passes" when its test body ran to the end; a "violation" is a broken
 * reliability promise the case counted (a leaked secret, a rule left open, a
 * post that deleted someone else's rule...). Tests still fail on violations;
 * the report only makes the figures readable without digging through jest.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const REPORT_FILE = join(__dirname, '..', '..', '.cache', 'reliability-report.txt');

export class MatrixReport {
  private readonly started = Date.now();
  private cases = 0;
  private passed = 0;
  private readonly violations: string[] = [];
  private readonly known: string[] = [];
  private readonly extras: string[] = [];

  constructor(readonly matrix: string) {}

  /** Records one case; returns its violations so the caller can assert `toEqual([])`. */
  record(caseName: string, violations: readonly string[]): readonly string[] {
    this.cases += 1;
    if (violations.length === 0) this.passed += 1;
    for (const v of violations) this.violations.push(`${caseName}: ${v}`);
    return violations;
  }

  /**
   * Records a case that hits a KNOWN product defect (listed, reported to its owner): its
   * violations are counted apart, so the line tells fixed promises from open ones.
   */
  recordKnown(caseName: string, defect: string, violations: readonly string[]): void {
    this.cases += 1;
    this.known.push(`${caseName}: ${defect} (${violations.length} violation(s))`);
  }

  /** A free-form figure shown after the counts, e.g. "requests per run ≤ 31". */
  note(text: string): void {
    this.extras.push(text);
  }

  line(): string {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const extra = this.extras.length > 0 ? `; ${this.extras.join('; ')}` : '';
    const known = this.known.length > 0 ? `, ${this.known.length} known defects` : '';
    return `[reliability] ${this.matrix}: ${this.cases} cases, ${this.passed} passed, ${this.violations.length} violations${known} (${secs} s)${extra}`;
  }

  /** Call from afterAll: prints the line (and the first violations) and appends it to the report file. */
  flush(): void {
    const head = this.line();
    const details = [
      ...this.violations.slice(0, 20).map((v) => `  - ${v}`),
      ...this.known.map((k) => `  - known defect: ${k}`),
    ];
    const text = [head, ...details].join('\n');
    process.stdout.write(`${text}\n`);
    try {
      mkdirSync(join(REPORT_FILE, '..'), { recursive: true });
      appendFileSync(REPORT_FILE, `${new Date().toISOString()} ${text}\n`);
    } catch {
      // The report file is a convenience; a read-only checkout must not fail the suite.
    }
  }
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the input order.
 * Bounded so a matrix never oversubscribes the 2-core CI machine.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Seeded PRNG (mulberry32): the same seed replays the same interleaving. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
