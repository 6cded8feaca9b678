/**
 * The identity side through startEmulator: every credential kind the product uses
 * (secret, certificate, GitHub and Azure DevOps federation, managed identity) gets a
 * token from the running emulator and then makes a real ARM call with an unmodified
 * SDK over verified TLS; ARM answers bad tokens with its own 401 envelope.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { SecurityCenter } from '@azure/arm-security';
import { startEmulator, type Emulator } from '../../../emulator';
import { childEnvironment } from '../../helpers/childProcess';

const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const ROOT = join(__dirname, '..', '..', '..');

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => emu.control.clearRequests());

const p = (name: string) => {
  const found = emu.principals[name];
  if (!found) throw new Error(`no principal ${name}`);
  return found;
};
const options = () => ({
  authorityHost: emu.authorityHost,
  disableInstanceDiscovery: true,
  tlsOptions: { ca: emu.caPem },
});

/** One ARM read with the real arm-security client: resolves to the JIT policy names. */
async function listPolicies(credential: TokenCredential): Promise<string[]> {
  const client = new SecurityCenter(credential, PROD, {
    endpoint: emu.armUrl,
    credentialScopes: [`${emu.armUrl}/.default`],
    tlsOptions: { ca: emu.caPem },
  });
  const names: string[] = [];
  for await (const policy of client.jitNetworkAccessPolicies.list()) names.push(policy.name ?? '');
  return names;
}

function armGet(
  path: string,
  authorization?: string,
): Promise<{ status: number; body: unknown; wwwAuthenticate?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.armUrl}${path}`,
      { ca: emu.caPem, headers: authorization ? { Authorization: authorization } : {}, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const header = res.headers['www-authenticate'];
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
            ...(header ? { wwwAuthenticate: header } : {}),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

it('client secret: token from the emulator, ARM call accepted, logged under the principal', async () => {
  const deployer = p('jit-deployer');
  const names = await listPolicies(
    new ClientSecretCredential(emu.tenantId, deployer.clientId, deployer.secret ?? '', options()),
  );
  expect(names).toContain('web-jit');
  const log = emu.control.requests();
  expect(log.find((e) => e.path.endsWith('/oauth2/v2.0/token'))).toMatchObject({
    provider: 'identity',
    principal: 'jit-deployer',
    status: 200,
  });
  expect(log.find((e) => e.path.includes('jitNetworkAccessPolicies'))).toMatchObject({
    principal: 'jit-deployer',
    status: 200,
  });
});

it('client certificate', async () => {
  const cert = p('jit-cert');
  const names = await listPolicies(
    new ClientCertificateCredential(
      emu.tenantId,
      cert.clientId,
      { certificate: cert.certificatePem ?? '' },
      options(),
    ),
  );
  expect(names).toContain('web-jit');
});

it('GitHub OIDC token as client assertion', async () => {
  const deployer = p('jit-deployer');
  const assertion = async (): Promise<string> =>
    new Promise((resolve, reject) => {
      const url = `${emu.github.requestUrl}&audience=${encodeURIComponent('api://AzureADTokenExchange')}`;
      request(
        url,
        { ca: emu.caPem, headers: { Authorization: `Bearer ${emu.github.requestToken}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve((JSON.parse(Buffer.concat(chunks).toString()) as { value: string }).value),
          );
        },
      )
        .on('error', reject)
        .end();
    });
  const names = await listPolicies(
    new ClientAssertionCredential(emu.tenantId, deployer.clientId, assertion, options()),
  );
  expect(names).toContain('web-jit');
  expect(emu.control.requests().some((e) => e.provider === 'oidc' && e.status === 200)).toBe(true);
});

it('AzurePipelinesCredential with the Azure DevOps OIDC endpoint', async () => {
  const saved = process.env.SYSTEM_OIDCREQUESTURI;
  process.env.SYSTEM_OIDCREQUESTURI = emu.ado.oidcRequestUri;
  try {
    const deployer = p('jit-deployer');
    const credential = new AzurePipelinesCredential(
      emu.tenantId,
      deployer.clientId,
      emu.ado.serviceConnectionId,
      emu.ado.accessToken,
      options(),
    );
    expect(await listPolicies(credential)).toContain('web-jit');
  } finally {
    if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
    else process.env.SYSTEM_OIDCREQUESTURI = saved;
  }
});

it('ManagedIdentityCredential in a child process, from emu.managedIdentity.env + NODE_EXTRA_CA_CERTS', async () => {
  const script = `
    const { ManagedIdentityCredential } = require('@azure/identity');
    const { SecurityCenter } = require('@azure/arm-security');
    (async () => {
      const client = new SecurityCenter(new ManagedIdentityCredential({ clientId: process.env.MI_CLIENT_ID }), process.env.SUB, {
        endpoint: process.env.ARM, credentialScopes: [process.env.ARM + '/.default'],
      });
      const names = [];
      for await (const p of client.jitNetworkAccessPolicies.list()) names.push(p.name);
      console.log(JSON.stringify(names));
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      {
        cwd: ROOT,
        timeout: 30_000,
        env: childEnvironment({
          ...emu.managedIdentity.env,
          NODE_EXTRA_CA_CERTS: emu.caPath,
          MI_CLIENT_ID: p('jit-agent-mi').clientId,
          SUB: PROD,
          ARM: emu.armUrl,
        }),
      },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
  });
  expect(JSON.parse(stdout)).toContain('web-jit');
  expect(emu.control.requests().find((e) => e.path === '/msi/token')).toMatchObject({
    principal: 'jit-agent-mi',
    status: 200,
  });
});

it('ManagedIdentityCredential in-process too, when the env is set before its first use and tlsOptions carries the CA', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, emu.managedIdentity.env);
  try {
    const credential = new ManagedIdentityCredential({
      clientId: p('jit-agent-mi').clientId,
      tlsOptions: { ca: emu.caPem },
    });
    expect(await listPolicies(credential)).toContain('web-jit');
  } finally {
    for (const name of Object.keys(emu.managedIdentity.env)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
});

describe('ARM 401s', () => {
  const path = `/subscriptions/${PROD}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01`;

  it('missing header', async () => {
    const reply = await armGet(path);
    expect(reply).toMatchObject({ status: 401, body: { error: { code: 'AuthenticationFailed' } } });
  });

  it('expired token', async () => {
    const bearer = await emuToken({ issuedAt: new Date(Date.now() - 3 * 3600_000) });
    const reply = await armGet(path, `Bearer ${bearer}`);
    expect(reply).toMatchObject({ status: 401, body: { error: { code: 'ExpiredAuthenticationToken' } } });
  });

  it('token for another audience', async () => {
    const bearer = await emuToken({ audience: 'https://graph.microsoft.com' });
    const reply = await armGet(path, `Bearer ${bearer}`);
    expect(reply).toMatchObject({
      status: 401,
      body: { error: { code: 'InvalidAuthenticationTokenAudience' } },
    });
  });

  it('ARM audience with and without a trailing slash is accepted', async () => {
    for (const audience of [
      emu.armUrl,
      `${emu.armUrl}/`,
      'https://management.azure.com/',
      'https://management.core.windows.net',
    ]) {
      const reply = await armGet(path, `Bearer ${await emuToken({ audience })}`);
      expect(reply.status).toBe(200);
    }
  });

  /** A token straight from the token endpoint (v1 dialect lets the test pick the resource). */
  async function emuToken(opts: { audience?: string; issuedAt?: Date }): Promise<string> {
    if (opts.issuedAt) {
      // Only Date is faked (sockets and timers stay real): the in-process token endpoint
      // then issues a token whose iat/exp lie in the past, as a long-cached token would.
      jest.useFakeTimers({ now: opts.issuedAt, doNotFake: NOT_DATE });
      try {
        return await emuToken({ ...(opts.audience ? { audience: opts.audience } : {}) });
      } finally {
        jest.useRealTimers();
      }
    }
    const deployer = p('jit-deployer');
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: deployer.clientId,
      client_secret: deployer.secret ?? '',
      resource: opts.audience ?? `${emu.armUrl}/`,
    }).toString();
    return new Promise((resolve, reject) => {
      const req = request(
        `${emu.authorityHost}/${emu.tenantId}/oauth2/token`,
        { method: 'POST', ca: emu.caPem, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve((JSON.parse(Buffer.concat(chunks).toString()) as { access_token: string }).access_token),
          );
        },
      );
      req.on('error', reject);
      req.end(form);
    });
  }
});

const NOT_DATE: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];
