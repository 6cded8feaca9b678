/**
 * `npm run demo`: the whole flow on a laptop, offline, in a few seconds.
 * Starts the embedded Azure emulator (default scenario, a rule delay so the
 * wait is visible), then runs the REAL CLI code path against it, exactly as
 * `azure-jit-access` would run in a shell: sign in with a service principal
 * (EnvironmentCredential), resolve the public IP through the emulator's echo
 * services, find the JIT policy, initiate, wait with progress, print the
 * summary; show the allow rule in the NSG; close; show it gone.
 *
 * A dev script, not a shipped bundle: it may import the emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator';
import { runCli } from './app';
import { ansiAllowed, bold } from './style';
import type { Writer } from './terminal';

/** Contoso Production in the default scenario (emulator/README.md, "Default scenario"). */
const SUBSCRIPTION = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const VM = { name: 'web-01', resourceGroup: 'rg-web', nsg: 'web-01-nsg' };

export interface DemoOptions {
  readonly out: Writer;
  /** Bold banners (a terminal without NO_COLOR); plain text otherwise, e.g. into a file. */
  readonly ansi?: boolean;
  /** How long the emulator takes to write the allow rule after initiate. */
  readonly ruleDelayMs?: number;
  /** Leave the emulator running and return it (tests inspect its final state). */
  readonly keepRunning?: boolean;
}

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface DemoResult {
  readonly exitCode: number;
  /** Exit code of each CLI run, in order. */
  readonly steps: readonly { readonly command: string; readonly exitCode: number }[];
  readonly emulator?: Emulator;
}

/**
 * The demo's last lines: the same flow against real Azure, from this clone. `az login` is the
 * simplest sign-in to try it with (the CLI also takes AZURE_* variables, see --help).
 */
export const REAL_AZURE_LINES = [
  'az login',
  'node dist/cli/main.js request --vms <vm> --resource-group <resource group> --ports 22 --duration 15',
  'node dist/cli/main.js close',
] as const;

const isJitAllow = (name: string): boolean => /^SecurityCenter-JITRule-/i.test(name);

type Say = (text?: string) => void;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { out } = options;
  const say: Say = (text = '') => void out.write(`${text}\n`);
  const banner = (text: string): void => say(`\n${bold(`== ${text}`, options.ansi === true)}`);
  banner('Starting the embedded Azure emulator (Entra ID + Resource Manager over HTTPS, offline)');
  const emu = await startDemoEmulator(options, say);
  const dir = mkdtempSync(join(tmpdir(), 'jit-demo-'));
  const steps: { command: string; exitCode: number }[] = [];
  const cli = async (argv: string[]): Promise<number> => {
    say(`\n$ azure-jit-access ${argv.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
    const exitCode = await runCli(argv, {
      stdout: out,
      stderr: out,
      env: process.env,
      interactive: false,
      // The emulator's CA, in-process: nobody has to set NODE_EXTRA_CA_CERTS by hand.
      tlsCa: emu.caPem,
      cwd: dir,
    });
    steps.push({ command: argv[0] ?? '', exitCode });
    say(`(exit code ${exitCode})`);
    return exitCode;
  };
  try {
    const exitCode = await demoSteps(emu, cli, join(dir, 'state.json'), say, banner);
    return { exitCode, steps, ...(options.keepRunning ? { emulator: emu } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!options.keepRunning) await emu.stop();
  }
}

/** The emulator, and the AZURE_* variables a user exports for its service principal. */
async function startDemoEmulator(options: DemoOptions, say: Say): Promise<Emulator> {
  const emu = await startEmulator({ ruleDelayMs: options.ruleDelayMs ?? 3000 });
  const deployer = emu.principals['jit-deployer'];
  if (!deployer?.secret) throw new Error('the default scenario has no jit-deployer with a client secret');
  say(`ARM ${emu.armUrl}, authority ${emu.authorityHost}, tenant ${emu.tenantId}`);
  say(
    `Signed-in identity: service principal jit-deployer (${deployer.clientId}), from AZURE_* environment variables`,
  );
  // Exactly what a user exports for a service principal; EnvironmentCredential reads them.
  process.env.AZURE_TENANT_ID = emu.tenantId;
  process.env.AZURE_CLIENT_ID = deployer.clientId;
  process.env.AZURE_CLIENT_SECRET = deployer.secret;
  delete process.env.AZURE_CLIENT_CERTIFICATE_PATH;
  delete process.env.AZURE_FEDERATED_TOKEN_FILE;
  return emu;
}

/** Request, look, close, look again; the exit code of the demo. */
async function demoSteps(
  emu: Emulator,
  cli: (argv: string[]) => Promise<number>,
  stateFile: string,
  say: Say,
  banner: (text: string) => void,
): Promise<number> {
  const cloud = ['--cloud', 'Custom', '--arm-endpoint', emu.armUrl, '--authority-host', emu.authorityHost];
  const target = ['--vms', VM.name, '--resource-group', VM.resourceGroup, '--subscription', SUBSCRIPTION];
  banner(`1. Request SSH (22) to ${VM.name} for 15 minutes and wait until the allow rule is live`);
  const requested = await cli([
    'request',
    ...target,
    '--ports',
    '22',
    '--duration',
    '15',
    '--ip-providers',
    emu.ipEchoUrls.join(','),
    '--state-file',
    stateFile,
    ...cloud,
  ]);
  if (requested !== 0) return requested;

  banner(`2. The JIT allow rule now in ${VM.nsg} (read through the ARM API by 'status')`);
  await cli(['status', ...target, ...cloud]);

  banner('3. Close access early: delete exactly the rule this request opened');
  const closed = await cli(['close', '--state-file', stateFile, ...cloud]);

  banner(`4. ${VM.nsg} after closing`);
  await cli(['status', ...target, ...cloud]);
  const left = emu.control.rules(VM.nsg).filter((r: { name: string }) => isJitAllow(r.name));
  say(
    left.length === 0
      ? `\nEmulator check: no JIT allow rule left in ${VM.nsg}. The deny rule keeps port 22 shut.`
      : `\nEmulator check: ${left.length} JIT allow rule(s) still in ${VM.nsg}: ${left.map((r: { name: string }) => r.name).join(', ')}`,
  );
  return closed !== 0 ? closed : left.length === 0 ? 0 : 1;
}

if (require.main === module) {
  const started = Date.now();
  runDemo({ out: process.stdout, ansi: ansiAllowed(process.stdout, process.env) }).then(
    (result) => {
      process.stdout.write(
        `\nDemo ${result.exitCode === 0 ? 'finished' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
      );
      if (result.exitCode === 0) {
        process.stdout.write(
          `\nTo do the same against your own Azure subscription (a VM with a JIT policy for port 22):\n${REAL_AZURE_LINES.map((l) => `  ${l}`).join('\n')}\n`,
        );
      }
      process.exitCode = result.exitCode;
    },
    (error: unknown) => {
      process.stderr.write(
        `Demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
