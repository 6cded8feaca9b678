/**
 * Runs the bundled CLI as a child process and measures it: wall time from
 * spawn to exit, and peak RSS and CPU time read by a preloaded hook at the
 * child's exit (`process.resourceUsage()`), which works wherever Node does (no
 * /usr/bin/time needed). The emulator runs in THIS process, so the child is
 * spawned asynchronously.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Written after every other 'exit' listener has run (the compile cache's write included), as
 * `<peak RSS KB> <user + system CPU µs>`.
 */
const PRELOAD = `const emit = process.emit;
process.emit = function (event, ...args) {
  const handled = emit.call(this, event, ...args);
  if (event === 'exit') {
    try {
      const u = process.resourceUsage();
      require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime));
    } catch {}
  }
  return handled;
};\n`;

/** Peak RSS (MB) and CPU time (ms) the preload wrote; NaN when the child died before it could. */
function readUsage(file: string): { peakRssMb: number; cpuMs: number } {
  try {
    const [rss, cpu] = readFileSync(file, 'utf8').split(' ').map(Number);
    return { peakRssMb: (rss ?? Number.NaN) / 1024, cpuMs: (cpu ?? Number.NaN) / 1000 };
  } catch {
    return { peakRssMb: Number.NaN, cpuMs: Number.NaN };
  }
}

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** performance.timeOrigin-based ms, for lining up with the emulator's request log (Date.now()). */
  readonly spawnedAt: number;
  readonly exitedAt: number;
  readonly wallMs: number;
  /** Peak resident set size of the child, MB. */
  readonly peakRssMb: number;
  /** CPU time of the child (user + system), ms: it leaves out waits, though on a shared machine it varies too. */
  readonly cpuMs: number;
}

export class Runner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'jit-bench-'));
  private readonly preload = join(this.dir, 'rss-preload.js');
  private runs = 0;

  constructor(
    private readonly cli: string,
    private readonly env: Record<string, string>,
  ) {
    writeFileSync(this.preload, PRELOAD);
  }

  /**
   * Environment that makes any Node child (e.g. one spawned by a test helper) report its peak RSS;
   * read it back with `readRss(env)` after the child exited.
   */
  rssEnv(): Record<string, string> {
    return {
      NODE_OPTIONS: `--require ${this.preload}`,
      BENCH_RSS_FILE: join(this.dir, `rss-${++this.runs}`),
    };
  }

  readRss(env: Record<string, string>): number {
    return readUsage(env.BENCH_RSS_FILE ?? '').peakRssMb;
  }

  readCpu(env: Record<string, string>): number {
    return readUsage(env.BENCH_RSS_FILE ?? '').cpuMs;
  }

  /** A fresh working directory (so each request has its own state file). */
  workdir(): string {
    const d = join(this.dir, `run-${++this.runs}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /**
   * Runs the CLI (or `options.script`) with `options.node` (default: this Node) and extra
   * environment, e.g. a TMPDIR of its own so Node's compile cache starts empty. `plain`: the
   * executable is not Node (no RSS hook).
   */
  run(
    args: readonly string[],
    cwd: string,
    options: { node?: string; script?: string; env?: Record<string, string>; plain?: boolean } = {},
  ): Promise<ChildRun> {
    const rssFile = join(this.dir, `rss-${++this.runs}`);
    return new Promise((resolve, reject) => {
      const spawnedAt = Date.now();
      const t0 = performance.now();
      const script =
        options.script === undefined ? [this.cli] : options.script === '' ? [] : [options.script];
      // `plain`: not a Node (the peer row's bash script), so no RSS hook either.
      const preload = options.plain ? [] : ['--require', this.preload];
      const child = spawn(options.node ?? process.execPath, [...preload, ...script, ...args], {
        cwd,
        env: { ...this.env, ...options.env, BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('exit', (code) => {
        const wallMs = performance.now() - t0;
        const exitedAt = Date.now();
        // 'exit' can fire before the pipes drain: collect output on 'close'.
        child.on('close', () => {
          // NaN when the child died before its exit hook ran.
          const { peakRssMb, cpuMs } = readUsage(rssFile);
          resolve({ code, stdout, stderr, spawnedAt, exitedAt, wallMs, peakRssMb, cpuMs });
        });
      });
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The middle half of the values (25th and 75th percentiles, nearest rank): how far one run's median can move. */
export function middleHalf(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return [at(0.25), at(0.75)];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
