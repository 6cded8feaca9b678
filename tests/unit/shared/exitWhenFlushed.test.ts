/**
 * The entries end their process with exitWhenFlushed: it must keep the exit code
 * a failed step set (process.exitCode), flush output first, and not wait for
 * anything still pending.
 */
import { spawnSync } from 'node:child_process';

function run(mode: string): { status: number | null; stdout: string } {
  const r = spawnSync(
    process.execPath,
    ['scripts/ts-run.mjs', 'tests/unit/shared/fixtures/exitWhenFlushed.ts', mode],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: r.status, stdout: r.stdout };
}

it('keeps process.exitCode when called without a code (a failed step must not exit 0)', () => {
  const r = run('exitCode');
  expect(r.status).toBe(3);
  expect(r.stdout).toContain('flushed before exit');
});

it('uses an explicit code when given one', () => {
  expect(run('explicit').status).toBe(5);
});
