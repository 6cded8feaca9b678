/**
 * What users of @azure/identity and of CI gates expect from the built CLI (dist/cli/main.js):
 * the environment a shell exported decides the cloud (the lines `npm run emulator` prints work as
 * printed), help lists only what a command takes, `audit` can fail a job, and nothing is left
 * behind in the working folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { childEnvironment, killTree, OWN_PROCESS_GROUP } from '../../helpers/childProcess';
import { CLI, cloudFlags, jitAllowRules, PROD, requireBuiltCli, runCli, spEnv, tempDir } from './helpers';

jest.setTimeout(90_000);
const root = join(__dirname, '..', '..', '..');

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

describe('the lines `npm run emulator` prints', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    // Our own child and the server ts-run starts under it.
    killTree(server);
    server = undefined;
  });

  function startServer(): Promise<string> {
    server = spawn(process.execPath, ['scripts/ts-run.mjs', 'emulator/cli.ts', '--port', '0'], {
      cwd: root,
      ...OWN_PROCESS_GROUP,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${out}`)), 60_000);
      server?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('node dist/cli/main.js close')) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      server?.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      server?.on('exit', (code) => reject(new Error(`emulator exited with ${code}:\n${out}`)));
    });
  }

  function run(command: string, env: Record<string, string>, cwd: string) {
    const argv = command.replace(/^node dist\/cli\/main\.js /, '').split(' ');
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('open and close access with only the exported variables: no cloud flags, no empty folder left', async () => {
    const out = await startServer();
    const exported = Object.fromEntries(
      [...out.matchAll(/^ {2}export ([A-Z_]+)=(\S+)/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining(['AZURE_AUTHORITY_HOST', 'JIT_ACCESS_CLOUD', 'JIT_ACCESS_ARM_ENDPOINT']),
    );
    const commands = [...out.matchAll(/^ {2}(node dist\/cli\/main\.js .*)$/gm)].map((m) => m[1] ?? '');
    expect(commands).toHaveLength(2);
    const env = {
      ...childEnvironment(),
      HOME: tempDir(),
      // Not a cloud setting: post's re-check without the ~30 s pause, as for every other child
      // (tests/helpers/fastClose.js).
      AZURE_JIT_ACCESS_RECHECK_DELAY_MS: process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS ?? '0',
      ...exported,
    };
    const cwd = tempDir();

    const opened = await run(commands[0] ?? '', env, cwd);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain('Custom');
    const closed = await run(commands[1] ?? '', env, cwd);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('deleted');
    // The state file is gone, and so is the folder it made.
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('the cloud from the environment', () => {
  const target = ['--vms', 'web-01', '--resource-group', 'rg-web', '--subscription', PROD, '--ports', '22'];
  const ipFlags = (): string[] => ['--ip-providers', emu.ipEchoUrls.join(',')];

  it('AZURE_AUTHORITY_HOST and JIT_ACCESS_ARM_ENDPOINT replace the cloud flags', async () => {
    const run = await runCli(emu, ['validate', ...target, ...ipFlags()], {
      env: { ...spEnv(emu), AZURE_AUTHORITY_HOST: emu.authorityHost, JIT_ACCESS_ARM_ENDPOINT: emu.armUrl },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('an authority of no known cloud without its ARM endpoint is a usage error naming what to set', async () => {
    const run = await runCli(emu, ['validate', ...target, ...ipFlags()], {
      env: { ...spEnv(emu), AZURE_AUTHORITY_HOST: emu.authorityHost },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('JIT_ACCESS_ARM_ENDPOINT');
    expect(run.stderr).toContain(`the authority ${emu.authorityHost} (from AZURE_AUTHORITY_HOST)`);
    // It never reached for the public cloud and blamed the network.
    expect(run.stderr).not.toMatch(/usually temporary|login\.microsoftonline\.com/);
  });

  it('an exported authority that contradicts --cloud is refused before any sign-in', async () => {
    const run = await runCli(emu, ['validate', ...target, '--cloud', 'AzureUSGovernment', ...ipFlags()], {
      env: { ...spEnv(emu), AZURE_AUTHORITY_HOST: emu.authorityHost },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'is not the authority of AzureUSGovernment (https://login.microsoftonline.us)',
    );
  });

  it('flags still win over the environment', async () => {
    const run = await runCli(emu, ['validate', ...target, ...cloudFlags(emu), ...ipFlags()], {
      env: { ...spEnv(emu), JIT_ACCESS_CLOUD: 'AzureChinaCloud' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('help lists only what a command takes', () => {
  it('close --help shows no default for --source, which must be an explicit address', async () => {
    const run = await runCli(emu, ['close', '--help']);
    expect(run.code).toBe(0);
    const source = /^ {2}--source <ip>[\s\S]*?(?=\n {2}--)/m.exec(run.stdout)?.[0] ?? '';
    expect(source).toContain('No default');
    expect(source).not.toMatch(/Default: auto/);
  });

  it('validate --help has no wait, poll or probe flags, and refuses them', async () => {
    const help = await runCli(emu, ['validate', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--wait-timeout', '--poll-interval', '--probe', '--dry-run', '--state-file']) {
      expect(help.stdout).not.toMatch(new RegExp(`^ {2}${flag}\\b`, 'm'));
    }
    expect(help.stdout).toMatch(/^ {2}--ports\b/m);
    const run = await runCli(emu, ['validate', '--vms', 'web-01', '--ports', '22', '--wait-timeout', '60']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("(--wait-timeout belongs to 'request'.)");
  });
});

describe('audit as a CI gate', () => {
  const audit = ['audit', '--subscription', PROD];

  it('--fail-on-findings exits 6 when there are findings; without it, 0', async () => {
    const gated = await runCli(emu, [...audit, ...cloudFlags(emu), '--fail-on-findings']);
    expect(gated.code).toBe(6);
    expect(gated.stdout).toContain('legacy-01');
    expect(gated.stderr).toContain('(--fail-on-findings)');
    const plain = await runCli(emu, [...audit, ...cloudFlags(emu)]);
    expect(plain.code).toBe(0);
  });

  it('--json with --fail-on-findings: one document on stdout with the same exit code', async () => {
    const run = await runCli(emu, [...audit, ...cloudFlags(emu), '--fail-on-findings', '--json']);
    expect(run.code).toBe(6);
    const doc = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; findings: unknown[] };
    expect(doc).toMatchObject({ ok: false, exitCode: 6 });
    expect(doc.findings.length).toBeGreaterThan(0);
  });
});

describe('no empty .azure-jit-access/ folder', () => {
  it('is left after request and close with the default state file', async () => {
    const cwd = tempDir();
    const opened = await runCli(
      emu,
      [
        'request',
        '--vms',
        'web-02',
        '--resource-group',
        'rg-web',
        '--subscription',
        PROD,
        '--ports',
        '22',
      ].concat(['--ip-providers', emu.ipEchoUrls.join(','), ...cloudFlags(emu)]),
      { cwd },
    );
    expect(opened.code).toBe(0);
    expect(existsSync(join(cwd, '.azure-jit-access', 'state.json'))).toBe(true);
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
    expect(closed.code).toBe(0);
    expect(jitAllowRules(emu, 'web-02-nsg')).toEqual([]);
    expect(existsSync(join(cwd, '.azure-jit-access'))).toBe(false);
  });
});
