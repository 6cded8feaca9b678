/**
 * Runs the BUILT CLI (dist/cli/main.js, `npm run build`) as a user would,
 * against an in-process emulator. The child is spawned asynchronously: the
 * emulator lives in this process and must keep answering while it runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../../emulator';
import { childEnvironment } from '../../helpers/childProcess';

export const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');
export const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first.`);
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly principal?: string;
  /** Replaces the sign-in variables entirely (e.g. a wrong secret). */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly node?: string;
  /** Do not trust the emulator's CA through NODE_EXTRA_CA_CERTS (to test --ca-file). */
  readonly withoutExtraCa?: boolean;
  /** Called once the child runs (e.g. to interfere while it waits). */
  readonly onSpawn?: (pid: number | undefined) => void;
}

/** Sign-in variables for a service principal of the scenario, as a user would export them. */
export function spEnv(emu: Emulator, principal = 'jit-deployer'): Record<string, string> {
  const p = emu.principals[principal];
  if (!p?.secret) throw new Error(`principal ${principal} has no secret`);
  return { AZURE_TENANT_ID: emu.tenantId, AZURE_CLIENT_ID: p.clientId, AZURE_CLIENT_SECRET: p.secret };
}

export function cloudFlags(emu: Emulator): string[] {
  return ['--cloud', 'Custom', '--arm-endpoint', emu.armUrl, '--authority-host', emu.authorityHost];
}

/** Everything a `request` needs to reach the emulator: its IP echo services and its cloud. */
export function emulatorFlags(emu: Emulator): string[] {
  return ['--ip-providers', emu.ipEchoUrls.join(','), ...cloudFlags(emu)];
}

/**
 * A fresh folder, by its real path: what the CLI's process.cwd() reports when run in it. On macOS the
 * temp folder is under /var, a link to /private/var, and a child's cwd comes back resolved.
 */
export function tempDir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'jit-cli-e2e-')));
}

export function runCli(emu: Emulator, args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {
    ...childEnvironment(),
    HOME: options.cwd ?? tmpdir(),
    // Post's re-check of deleted rules without the ~30 s pause (see tests/helpers/fastClose.js).
    AZURE_JIT_ACCESS_RECHECK_DELAY_MS: process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS ?? '0',
    // The emulator's CA, the documented way for a process that talks to it.
    ...(options.withoutExtraCa ? {} : { NODE_EXTRA_CA_CERTS: emu.caPath }),
    ...(options.env ?? spEnv(emu, options.principal)),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? tempDir(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    options.onSpawn?.(child.pid);
  });
}

export function jitAllowRules(emu: Emulator, nsg: string): string[] {
  return emu.control
    .rules(nsg)
    .filter((r) => r.jit === 'allow')
    .map((r) => r.name);
}
