// `npm test`: every check CI runs, in order, each reported on one line, then a
// final `N passed, N failed` line (jest's own summary is not a line CI reads).
// Needs nothing but `npm ci`: the emulator is started in-process by the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
const npx = (bin, ...args) => [
  process.execPath,
  [join('node_modules', '.bin', bin).replace(/$/, ''), ...args],
];
const stages = [
  ['format', ...npx('prettier', '--check', '.')],
  ['lint', ...npx('eslint', '--max-warnings', '0', '.')],
  ['typecheck', ...npx('tsc', '-p', 'tsconfig.json', '--noEmit')],
  ['dist is fresh', process.execPath, ['scripts/build.mjs', '--check']],
];

let passed = 0;
let failed = 0;
function runStage(name, cmd, args, show = false) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) {
    passed += 1;
    console.log(`ok   ${name} (${secs}s)`);
    if (show) console.log(r.stdout.trim());
  } else {
    failed += 1;
    console.log(`FAIL ${name} (${secs}s)\n${(r.stdout + r.stderr).trim().split('\n').slice(-60).join('\n')}`);
  }
}

if (!quick) for (const [name, cmd, args] of stages) runStage(name, cmd, args);

const report = join(mkdtempSync(join(tmpdir(), 'jit-jest-')), 'report.json');
const jestStarted = Date.now();
const jest = spawnSync(
  process.execPath,
  [join('node_modules', 'jest', 'bin', 'jest.js'), '--maxWorkers=2', '--json', `--outputFile=${report}`],
  { stdio: 'inherit' },
);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
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

if (!quick && existsSync('bench/run.ts')) {
  runStage('bench (quick mode)', process.execPath, ['scripts/ts-run.mjs', 'bench/run.ts', '--quick'], true);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
