/**
 * Shared plumbing for the fidelity suites: Microsoft's own non-JS clients (the Azure
 * CLI and azure-sdk-for-python, as Debian packages them) run as child processes
 * against an in-process emulator. Nothing here fakes a client; it only spawns them
 * with the environment a user would set (REQUESTS_CA_BUNDLE, a private
 * AZURE_CONFIG_DIR) and collects what they print.
 */
import { spawn, spawnSync } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../../emulator';

/** Debian's interpreter, which python3-azure and azure-cli are installed for (not pyenv's). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface Availability {
  available: boolean;
  /** Why not, naming the apt package that provides the client. */
  reason: string;
}

/** Runs a probe command synchronously at collection time, so a suite can register `test.skip`. */
function probe(cmd: string, args: string[], missing: string): Availability {
  const config = scratchDir('probe');
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: tmpdir(),
    env: childEnv({ AZURE_CONFIG_DIR: config.path }),
  });
  config.remove();
  if (r.status === 0) return { available: true, reason: '' };
  const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n').pop();
  return { available: false, reason: `${missing} (${cmd} ${args.join(' ')}: ${why ?? `exit ${r.status}`})` };
}

export function azureCliAvailability(): Availability {
  return probe('az', ['--version'], 'Azure CLI not installed: apt-get install azure-cli');
}

export function pythonSdkAvailability(): Availability {
  return probe(
    SYSTEM_PYTHON,
    ['-c', 'import azure.identity, azure.mgmt.security, azure.mgmt.network, azure.mgmt.compute'],
    'azure-sdk-for-python not installed for /usr/bin/python3: apt-get install python3-azure',
  );
}

/**
 * The environment for a child client: ours minus what would make it use another
 * Python or talk through a proxy, plus a CA the Python `requests` stack trusts.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV']) delete env[name];
  for (const name of Object.keys(env)) {
    // Loopback only: a proxy variable in the developer's shell must not capture 127.0.0.1.
    if (/^(https?|all)_proxy$/i.test(name)) delete env[name];
    // A developer's own Azure login or cloud must not leak in (or out).
    if (/^AZURE_/.test(name)) delete env[name];
  }
  return {
    ...env,
    NO_PROXY: '127.0.0.1,localhost',
    PYTHONDONTWRITEBYTECODE: '1',
    // No telemetry upload process, no colour codes, no survey prompt on stderr.
    AZURE_CORE_COLLECT_TELEMETRY: 'no',
    AZURE_CORE_NO_COLOR: 'true',
    AZURE_CORE_SURVEY_MESSAGE: 'no',
    ...extra,
  };
}

export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns a client, feeds `input` on stdin, and bounds it with a timeout (kills its process group). */
export function runClient(
  cmd: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string },
): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env,
      cwd: options.cwd ?? tmpdir(),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A private directory (config dir, key files) removed by the returned function. */
export function scratchDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `azure-jit-fidelity-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes a principal's certificate + private key PEM (what `az login -p` and CertificateCredential read). */
export function writeCertificate(emu: Emulator, principal: string, dir: string): string {
  const pem = emu.principals[principal]?.certificatePem;
  if (!pem) throw new Error(`principal ${principal} has no certificate`);
  const path = join(dir, `${principal}.pem`);
  writeFileSync(path, pem, { mode: 0o600 });
  return path;
}

/**
 * A GitHub Actions OIDC token from the emulator's ACTIONS_ID_TOKEN_REQUEST_URL service,
 * with the audience azure/login asks for: what `az login --federated-token` receives there.
 */
export function githubOidcToken(emu: Emulator, audience = 'api://AzureADTokenExchange'): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = `${emu.github.requestUrl}&audience=${encodeURIComponent(audience)}`;
    const req = httpsGet(
      url,
      { ca: emu.caPem, timeout: 10_000, headers: { Authorization: `Bearer ${emu.github.requestToken}` } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString('utf8')));
        res.on('end', () => {
          const value = res.statusCode === 200 ? (JSON.parse(text) as { value?: unknown }).value : undefined;
          if (typeof value === 'string') resolve(value);
          else reject(new Error(`GitHub OIDC token request answered ${res.statusCode}: ${text}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('GitHub OIDC token request timed out')));
    req.on('error', reject);
  });
}
