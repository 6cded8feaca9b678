/**
 * A run with `source: auto` must be able to exit as soon as its work is done:
 * once two providers agree, the cancelled losers may leave no timer (or
 * pending request) that keeps Node alive. Checked on a child process that
 * goes idle after resolving: it must exit BY ITSELF; the guard only exists so
 * a regression fails instead of hanging (no duration is asserted).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
/** Below the 5 s per-provider timeout, so a leftover provider timer cannot expire before it. */
const GUARD_MS = 4_000;

interface ChildEnd {
  readonly lines: string[];
  readonly exitedByItself: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

function runUntilIdle(script: string): Promise<ChildEnd> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['scripts/ts-run.mjs', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let guard: NodeJS.Timeout | undefined;
    let killed = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      // The guard starts once the answer is out: start-up (transpiling) is not what is measured.
      guard ??= setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, GUARD_MS);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(guard);
      done({ lines: stdout.trim().split('\n'), exitedByItself: !killed, code, stderr });
    });
  });
}

it('exits by itself after resolving, even when the cancelled provider request never settles', async () => {
  const end = await runUntilIdle('tests/unit/shared/ip/fixtures/resolveThenIdle.ts');
  expect(end.stderr).toBe('');
  expect(JSON.parse(end.lines[0] ?? '{}')).toEqual({
    address: '203.0.113.10',
    agreedBy: ['https://a.example/ip', 'https://b.example/ip'],
  });
  expect(end.exitedByItself).toBe(true);
  expect(end.code).toBe(0);
}, 60_000);
