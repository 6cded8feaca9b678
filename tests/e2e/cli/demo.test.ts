/**
 * `npm run demo` works on a fresh clone: the real flow end to end against the
 * embedded emulator, with no setup and no NODE_EXTRA_CA_CERTS by hand.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REAL_AZURE_LINES, runDemo } from '../../../cli/demo';

jest.setTimeout(90_000);

const root = join(__dirname, '..', '..', '..');

describe('npm run demo', () => {
  // The two share nothing (each demo starts its own emulator): they run at the same time.
  it.concurrent('opens access, shows the rule, closes it, and leaves no JIT allow rule behind', async () => {
    let output = '';
    const result = await runDemo({
      out: { write: (t: string) => (output += t) },
      ruleDelayMs: 500,
      keepRunning: true,
    });
    const emu = result.emulator;
    if (!emu) throw new Error('the demo did not return its emulator');
    try {
      expect(result.exitCode).toBe(0);
      expect(result.steps).toEqual([
        { command: 'request', exitCode: 0 },
        { command: 'status', exitCode: 0 },
        { command: 'close', exitCode: 0 },
        { command: 'status', exitCode: 0 },
      ]);
      // The flow a newcomer should see, in order.
      const expected = [
        'Source: 203.0.113.10',
        "JIT policy 'web-jit'",
        'Accepted',
        'Live: web-01',
        /host +20\.121\.40\.10/,
        'SecurityCenter-JITRule-',
        'deleted',
        'No JIT allow rules in its NSGs',
        'no JIT allow rule left in web-01-nsg',
      ];
      let at = 0;
      for (const text of expected) {
        // Output names are padded to the longest one, so the host line is matched loosely.
        const rest = typeof text === 'string' ? output.indexOf(text, at) : output.slice(at).search(text);
        const found = typeof text === 'string' || rest < 0 ? rest : at + rest;
        expect({ text, found: found >= 0 }).toEqual({ text, found: true });
        at = found;
      }
      // Written to a file or a pipe (no ansi option): plain text, no escape codes.
      expect(output).not.toContain('\u001b');
      expect(output).toContain('\n== 1. Request SSH');
      // The emulator's own view: the request happened, and nothing of it is left open in any NSG.
      expect(emu.control.jitRequests('web-jit')).toHaveLength(1);
      expect(emu.control.rules().filter((r) => r.jit === 'allow')).toEqual([]);
      expect(output).not.toContain(emu.principals['jit-deployer']?.secret ?? 'no secret');
    } finally {
      await emu.stop();
    }
  });

  it.concurrent('runs as `npm run demo` does, as its own process', async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const env = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      const child = spawn(process.execPath, ['scripts/ts-run.mjs', 'cli/demo.ts'], { cwd: root, env });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.out).toContain('Demo finished');
    expect(run.out).toContain('no JIT allow rule left in web-01-nsg');
    expect(run.code).toBe(0);
    // It ends with the three lines to run against real Azure: sign in, request, close.
    const last = run.out
      .trimEnd()
      .split('\n')
      .slice(-3)
      .map((l) => l.trim());
    expect(last).toEqual([...REAL_AZURE_LINES]);
    expect(last[1]).toMatch(/^node dist\/cli\/main\.js request .*--ports 22/);
  });
});
