/**
 * The CLI's sign-in chain, each link on its own, with the built CLI against
 * the emulator's Entra ID: a certificate, a federated token file (how GitLab
 * and Kubernetes workload identity sign in) and a managed identity. The log
 * names the method that signed in; a wrong credential stops the chain.
 */
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { cloudFlags, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const status = (): string[] => [
  'status',
  '--vms',
  'web-01',
  '--resource-group',
  'rg-web',
  '--subscription',
  PROD,
  '--verbose',
  ...cloudFlags(emu),
];

/** A GitHub Actions OIDC token from the emulator, as a CI system would hand it to the job. */
function githubIdToken(): Promise<string> {
  const url = new URL(emu.github.requestUrl);
  url.searchParams.set('audience', 'api://AzureADTokenExchange');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: emu.caPem, headers: { Authorization: `Bearer ${emu.github.requestToken}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve((JSON.parse(body) as { value: string }).value);
          } catch (e) {
            reject(new Error(`no token in ${res.statusCode}: ${body} (${String(e)})`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('CLI sign-in', () => {
  it('a client certificate (AZURE_CLIENT_CERTIFICATE_PATH)', async () => {
    const cert = emu.principals['jit-cert'];
    if (!cert?.certificatePem) throw new Error('jit-cert has no certificate');
    const path = join(tempDir(), 'cert.pem');
    writeFileSync(path, cert.certificatePem);
    const run = await runCli(emu, status(), {
      env: {
        AZURE_TENANT_ID: emu.tenantId,
        AZURE_CLIENT_ID: cert.clientId,
        AZURE_CLIENT_CERTIFICATE_PATH: path,
      },
    });
    expect(run.stderr).toContain('Signed in with: environment (service principal)');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("web-01: JIT policy 'web-jit'");
  });

  it('a federated token file (AZURE_FEDERATED_TOKEN_FILE), the token masked', async () => {
    const deployer = emu.principals['jit-deployer'];
    if (!deployer) throw new Error('no jit-deployer');
    const token = await githubIdToken();
    const file = join(tempDir(), 'oidc.jwt');
    writeFileSync(file, token);
    const run = await runCli(emu, status(), {
      env: {
        AZURE_TENANT_ID: emu.tenantId,
        AZURE_CLIENT_ID: deployer.clientId,
        AZURE_FEDERATED_TOKEN_FILE: file,
      },
    });
    expect(run.stderr).toContain('Signed in with: federated token file (workload identity)');
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('a managed identity, when nothing else is configured', async () => {
    const run = await runCli(emu, status(), { env: { ...emu.managedIdentity.env } });
    expect(run.stderr).toContain('Signed in with: managed identity');
    expect(run.code).toBe(0);
  });

  it('--ca-file trusts a private CA for sign-in and Azure calls; without it TLS is refused', async () => {
    const trusted = await runCli(emu, [...status(), '--ca-file', emu.caPath], { withoutExtraCa: true });
    expect(trusted.stderr).toContain('Signed in with: environment (service principal)');
    expect(trusted.code).toBe(0);
    const untrusted = await runCli(emu, status(), { withoutExtraCa: true });
    expect(untrusted.code).toBe(3);
    const missing = await runCli(emu, [...status(), '--ca-file', '/nonexistent/ca.pem'], {
      withoutExtraCa: true,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--ca-file');
  });

  it('nothing usable: exit 3 with what each method said and how to sign in', async () => {
    const run = await runCli(emu, status(), { env: {} });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('EnvironmentCredential');
    expect(run.stderr).toContain('AZURE_CLIENT_SECRET');
    expect(run.stderr).toContain("'az login'");
  });
});
