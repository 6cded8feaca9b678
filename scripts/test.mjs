// `npm test`: every check CI runs, each reported on one line, then a
// final `N passed, N failed` line (jest's own summary is not a line CI reads).
// Needs nothing but `npm ci`: the emulator is started in-process by the tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
/**
 * A dev tool's JS entry, from its package.json `bin` (not node_modules/.bin, which holds shell
 * scripts on Windows), run with this Node.
 */
const npx = (pkg, bin, ...args) => {
  const manifest = JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8'));
  const entry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin];
  return [process.execPath, [join('node_modules', pkg, entry), ...args]];
};
const stages = [
  ['format', ...npx('prettier', 'prettier', '--check', '.')],
  ['lint', ...npx('eslint', 'eslint', '--max-warnings', '0', '.')],
  ['typecheck', ...npx('typescript', 'tsc', '-p', 'tsconfig.json', '--noEmit')],
  ['dist is fresh', process.execPath, ['scripts/build.mjs', '--check']],
];

let passed = 0;
let failed = 0;
function report(name, ok, secs, out, show = false) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name} (${secs}s)`);
    if (show) console.log(out.trim());
  } else {
    failed += 1;
    console.log(`FAIL ${name} (${secs}s)\n${out.trim().split('\n').slice(-60).join('\n')}`);
  }
}

/**
 * Runs one stage in the background; resolves to what `report` needs, once it exits. A `background`
 * stage runs at a lower CPU priority, so the tests running alongside it get the CPU first.
 */
function runStage(name, cmd, args, background = false) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (background && child.pid !== undefined)
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not permitted here: it only runs at the same priority as the tests.
      }
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const done = (ok, extra = '') =>
      resolve({ name, ok, secs: ((Date.now() - started) / 1000).toFixed(1), out: out + extra });
    child.on('error', (e) => done(false, String(e)));
    child.on('close', (code) => done(code === 0));
  });
}

// The static checks share no state with each other or with jest, which spends much of its time
// waiting on emulators and child processes: they run alongside jest (at a lower priority) and are
// reported, in their usual order, before jest's line.
const staticChecks = quick
  ? Promise.resolve([])
  : Promise.all(stages.map(([name, cmd, args]) => runStage(name, cmd, args, true)));

// The bundles run under Node 24 too only where a Node 24 binary exists for this machine
// (tests/helpers/nodes.ts): say so when they do not, and why, rather than pass quietly with less.
// The node-<platform>-<arch> packages with a Node 24 build are the optional dependencies.
const node24Packages = Object.keys(
  JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies ?? {},
);
const bundledNode = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const node24 = join('node_modules', bundledNode, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
if (process.versions.node.split('.')[0] !== '24' && !existsSync(node24)) {
  const why = node24Packages.includes(bundledNode)
    ? `${bundledNode} is not installed (were optional dependencies omitted?)`
    : `npm has no Node 24 build for ${process.platform}-${process.arch} (no ${bundledNode} 24.x), only for ` +
      node24Packages.map((p) => p.slice('node-'.length)).join(', ');
  console.log(
    `note Node 24 runs skipped: ${why}; the bundles are tested on Node ${process.versions.node} only`,
  );
}

const work = mkdtempSync(join(tmpdir(), 'jit-jest-'));
const jestReport = join(work, 'report.json');
const coverageDir = join(work, 'coverage');
// One worker more than cores: the suites spend about half their time waiting on emulators and
// child processes, so with one worker per core the CPU sat half idle (2 cores: jest took 270 s
// with 2 workers, 174 s with 3, the same CPU time in both).
const workers = availableParallelism() + 1;
const jestStarted = Date.now();
const jestChild = spawn(
  process.execPath,
  [
    join('node_modules', 'jest', 'bin', 'jest.js'),
    `--maxWorkers=${workers}`,
    '--json',
    `--outputFile=${jestReport}`,
    // Line coverage of the core (jest.config.js: shared/ only), gated below.
    '--coverage',
    `--coverageDirectory=${coverageDir}`,
    '--coverageReporters=json-summary',
  ],
  { stdio: 'inherit' },
);
const jest = await new Promise((resolve) => {
  jestChild.on('error', (e) => resolve({ status: String(e) }));
  jestChild.on('close', (status) => resolve({ status }));
});
for (const r of await staticChecks) report(r.name, r.ok, r.secs, r.out);
if (existsSync(jestReport)) {
  const r = JSON.parse(readFileSync(jestReport, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.log(
    `jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped in ` +
      `${r.numTotalTestSuites} suites (${((Date.now() - jestStarted) / 1000).toFixed(1)}s)`,
  );
} else {
  failed += 1;
  console.log(`FAIL jest produced no report (exit ${jest.status})`);
}

// The coverage gate: lines of shared/ run by the tests (in jest's own process: unit,
// integration and the in-process e2e matrices; the bundles' child processes are not counted).
const MIN_SHARED_LINES = 90;
const summary = join(coverageDir, 'coverage-summary.json');
if (existsSync(summary)) {
  const lines = JSON.parse(readFileSync(summary, 'utf8')).total.lines;
  const ok = lines.pct >= MIN_SHARED_LINES;
  if (ok) passed += 1;
  else failed += 1;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} coverage of shared/: ${lines.pct}% of lines (${lines.covered}/${lines.total}; ` +
      `gate ${MIN_SHARED_LINES}%)`,
  );
} else {
  failed += 1;
  console.log('FAIL coverage of shared/: jest wrote no coverage summary');
}

// The benchmark is a measurement, not a check: `npm run bench` reports figures. It runs here
// only when asked (`npm test -- --bench`), which keeps CI's clean-clone run well under 10 minutes.
if (process.argv.includes('--bench') && existsSync('bench/run.ts')) {
  const r = await runStage('bench (quick mode)', process.execPath, [
    'scripts/ts-run.mjs',
    'bench/run.ts',
    '--quick',
  ]);
  report(r.name, r.ok, r.secs, r.out, true);
}

// `npm test -- --keep-report` keeps jest's JSON report (per-suite times) and the coverage summary.
if (process.argv.includes('--keep-report'))
  console.log(`note jest report and coverage summary kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
