/**
 * The identity side of the emulator driven by the real @azure/identity 4.13.1 over
 * verified TLS: every credential kind a pipeline uses must obtain a token that the
 * ARM side (`authenticate`) accepts, and each failure must carry Entra's real text.
 * The identity handlers are mounted in a tiny HTTPS server here, independent of the ARM side.
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
} from '@azure/identity';
import { createLocalJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { createIdentityService, type IdentityService, type PrincipalSpec } from '../../../emulator/identity';
import { createTlsMaterial, writeCaFile } from '../../../emulator/tls';
import { childEnvironment } from '../../helpers/childProcess';

interface Scenario {
  tenantId: string;
  oidc: {
    adoOrganizationId: string;
    adoServiceConnections: { id: string; subject: string }[];
    githubSubject: string;
  };
  principals: PrincipalSpec[];
}
const scenario = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'emulator', 'scenarios', 'default.json'), 'utf8'),
) as Scenario;
const TENANT = scenario.tenantId;
// A second ADO service connection whose subject no federated credential names.
const OTHER_CONNECTION = {
  id: '0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4',
  subject: 'sc://contoso/webapp/other-connection',
};

interface Scaffold {
  identity: IdentityService;
  armUrl: string;
  authorityHost: string;
  caPem: string;
  caPath: string;
  close(): Promise<void>;
}

async function startScaffold(): Promise<Scaffold> {
  const tls = await createTlsMaterial();
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const armUrl = `https://127.0.0.1:${port}`;
  const authorityHost = `https://localhost:${port}`;
  const identity = await createIdentityService({
    principals: scenario.principals,
    tenantId: TENANT,
    authorityHost,
    armUrl,
    oidc: {
      ...scenario.oidc,
      adoServiceConnections: [...scenario.oidc.adoServiceConnections, OTHER_CONNECTION],
    },
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
      void (async () => {
        if (await identity.handle(req, res, url, Buffer.concat(chunks))) return;
        // Stand-in for ARM: report what `authenticate` decides for this request.
        const auth = identity.authenticate(req.headers.authorization);
        res.writeHead(auth.ok ? 200 : 401, { 'Content-Type': 'application/json' }).end(JSON.stringify(auth));
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  return {
    identity,
    armUrl,
    authorityHost,
    caPem: tls.caPem,
    caPath: writeCaFile(tls.caPem),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

let s: Scaffold;
beforeAll(async () => {
  s = await startScaffold();
});
afterAll(async () => {
  await s.close();
});

const principal = (name: string) => {
  const p = s.identity.principals[name];
  if (!p) throw new Error(`no principal ${name}`);
  return p;
};
const credentialOptions = () => ({
  authorityHost: s.authorityHost,
  disableInstanceDiscovery: true,
  tlsOptions: { ca: s.caPem },
});
const armScope = () => `${s.armUrl}/.default`;

async function githubToken(
  audience = 'api://AzureADTokenExchange',
  bearer = s.identity.github.requestToken,
): Promise<Reply> {
  const url = `${s.identity.github.requestUrl}&audience=${encodeURIComponent(audience)}`;
  return send(url, s.caPem, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' } });
}

describe('client secret', () => {
  it('issues an ARM token that authenticate maps back to the principal, with aud, tid, oid and exp', async () => {
    const deployer = principal('jit-deployer');
    const cred = new ClientSecretCredential(
      TENANT,
      deployer.clientId,
      deployer.secret ?? '',
      credentialOptions(),
    );
    const token = await cred.getToken(armScope());
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      aud: s.armUrl,
      tid: TENANT,
      oid: deployer.objectId,
      appid: deployer.clientId,
    });
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toEqual({
      ok: true,
      principal: { name: 'jit-deployer', clientId: deployer.clientId, objectId: deployer.objectId },
    });
  });

  it.each([
    ['https://management.azure.com/.default', 'https://management.azure.com'],
    ['https://management.core.windows.net//.default', 'https://management.core.windows.net/'],
  ])('accepts the public ARM audience %s as %s', async (scope, audience) => {
    const reader = principal('jit-readonly');
    const cred = new ClientSecretCredential(
      TENANT,
      reader.clientId,
      reader.secret ?? '',
      credentialOptions(),
    );
    const token = await cred.getToken(scope);
    expect(decodeJwt(token.token).aud).toBe(audience);
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-readonly' },
    });
  });

  it('also works with the ARM host name (127.0.0.1) as the authority: discovery answers on the name asked', async () => {
    const deployer = principal('jit-deployer');
    const cred = new ClientSecretCredential(TENANT, deployer.clientId, deployer.secret ?? '', {
      ...credentialOptions(),
      authorityHost: s.armUrl,
    });
    const token = await cred.getToken(armScope());
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-deployer' },
    });
    const config = JSON.parse(
      (await send(`${s.armUrl}/${TENANT}/v2.0/.well-known/openid-configuration`, s.caPem)).text,
    ) as Record<string, string>;
    expect(config.token_endpoint).toBe(`${s.armUrl}/${TENANT}/oauth2/v2.0/token`);
  });

  it('rejects a bad secret with the real AADSTS7000215 invalid_client body', async () => {
    const deployer = principal('jit-deployer');
    const cred = new ClientSecretCredential(TENANT, deployer.clientId, 'not-the-secret', credentialOptions());
    await expect(cred.getToken(armScope())).rejects.toThrow(/AADSTS7000215: Invalid client secret provided/);

    const raw = await send(`${s.authorityHost}/${TENANT}/oauth2/v2.0/token`, s.caPem, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: deployer.clientId,
        client_secret: 'x',
        scope: armScope(),
      }).toString(),
    });
    expect(raw.status).toBe(401);
    const body = JSON.parse(raw.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      'correlation_id',
      'error',
      'error_codes',
      'error_description',
      'error_uri',
      'timestamp',
      'trace_id',
    ]);
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([7000215]);
    expect(body.error_description).toMatch(
      new RegExp(
        `^AADSTS7000215: .*for a secret added to app '${deployer.clientId}'\\.\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
  });

  it('rejects an unknown client id with AADSTS700016', async () => {
    const cred = new ClientSecretCredential(
      TENANT,
      '99999999-0000-4000-8000-000000000000',
      'x',
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(
      /AADSTS700016: Application with identifier '99999999-0000-4000-8000-000000000000' was not found/,
    );
  });

  it('answers an unknown tenant with AADSTS90002, which MSAL reports as endpoints_resolution_error (as against Entra)', async () => {
    const bogus = '00000000-1111-4222-8333-444444444444';
    const discovery = await send(
      `${s.authorityHost}/${bogus}/v2.0/.well-known/openid-configuration`,
      s.caPem,
    );
    expect(discovery.status).toBe(400);
    expect(JSON.parse(discovery.text)).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    const deployer = principal('jit-deployer');
    const cred = new ClientSecretCredential(
      bogus,
      deployer.clientId,
      deployer.secret ?? '',
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(/endpoints_resolution_error/);
  });

  it('rejects a resource the tenant does not know with AADSTS500011', async () => {
    const deployer = principal('jit-deployer');
    const cred = new ClientSecretCredential(
      TENANT,
      deployer.clientId,
      deployer.secret ?? '',
      credentialOptions(),
    );
    await expect(cred.getToken('https://vault.example.org/.default')).rejects.toThrow(/AADSTS500011/);
  });
});

describe('client certificate', () => {
  it('issues a token for the certificate principal (PEM with cert + key, as a service connection holds it)', async () => {
    const cert = principal('jit-cert');
    expect(cert.certificatePem).toMatch(/-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN PRIVATE KEY-----/);
    const cred = new ClientCertificateCredential(
      TENANT,
      cert.clientId,
      { certificate: cert.certificatePem ?? '' },
      credentialOptions(),
    );
    const token = await cred.getToken(armScope());
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-cert' },
    });
    expect(decodeJwt(token.token).appidacr).toBe('2');
  });

  it('also works with sendCertificateChain (x5c header)', async () => {
    const cert = principal('jit-cert');
    const cred = new ClientCertificateCredential(
      TENANT,
      cert.clientId,
      { certificate: cert.certificatePem ?? '' },
      {
        ...credentialOptions(),
        sendCertificateChain: true,
      },
    );
    await expect(cred.getToken(armScope())).resolves.toHaveProperty('token');
  });

  it('rejects a certificate registered to another app with AADSTS700027', async () => {
    const cert = principal('jit-cert');
    const deployer = principal('jit-deployer');
    const cred = new ClientCertificateCredential(
      TENANT,
      deployer.clientId,
      { certificate: cert.certificatePem ?? '' },
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(
      /AADSTS700027: Client assertion contains an invalid signature\. \[Reason - The key was not found/,
    );
  });
});

describe('hand-made client assertions', () => {
  /** POSTs a client-assertion token request and returns the AADSTS code (0 on success). */
  async function assertionResult(clientId: string, assertion: string): Promise<number> {
    const reply = await send(`${s.authorityHost}/${TENANT}/oauth2/v2.0/token`, s.caPem, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: armScope(),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
    });
    if (reply.status === 200) return 0;
    return (JSON.parse(reply.text) as { error_codes: number[] }).error_codes[0] ?? -1;
  }

  /** A certificate assertion signed with jit-cert's key, as MSAL builds it, with overrides. */
  async function certAssertion(claims: Record<string, unknown> = {}): Promise<string> {
    const cert = principal('jit-cert');
    const pem = cert.certificatePem ?? '';
    const der = new X509Certificate(pem).raw;
    const key = createPrivateKey(pem.slice(pem.indexOf('-----BEGIN PRIVATE KEY-----')));
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      aud: `${s.authorityHost}/${TENANT}/oauth2/v2.0/token`,
      iss: cert.clientId,
      sub: cert.clientId,
      jti: randomUUID(),
      nbf: now,
      exp: now + 600,
      ...claims,
    })
      .setProtectedHeader({
        alg: 'PS256',
        typ: 'JWT',
        'x5t#S256': createHash('sha256').update(der).digest('base64url'),
      })
      .sign(key);
  }

  it('accepts a well-formed certificate assertion and rejects wrong aud, sub and lifetime with their codes', async () => {
    const certId = principal('jit-cert').clientId;
    expect(await assertionResult(certId, await certAssertion())).toBe(0);
    expect(
      await assertionResult(certId, await certAssertion({ aud: 'https://elsewhere.example/token' })),
    ).toBe(700023);
    expect(await assertionResult(certId, await certAssertion({ sub: 'someone-else' }))).toBe(700021);
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect(await assertionResult(certId, await certAssertion({ nbf: past - 600, exp: past }))).toBe(700024);
  });

  it('rejects a GitHub-looking token not signed by the emulator with AADSTS700027', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:contoso/webapp:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
      jti: randomUUID(),
      nbf: now,
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .sign(privateKey);
    expect(await assertionResult(principal('jit-deployer').clientId, forged)).toBe(700027);
    expect(await assertionResult(principal('jit-deployer').clientId, 'not.a.jwt')).toBe(50027);
  });
});

describe('GitHub Actions OIDC', () => {
  it('answers getIDToken like GitHub: { value } with iss, sub and the requested aud', async () => {
    const reply = await githubToken('api://AzureADTokenExchange');
    expect(reply.status).toBe(200);
    const { value } = JSON.parse(reply.text) as { value: string };
    expect(decodeJwt(value)).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:contoso/webapp:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
      repository: 'contoso/webapp',
      ref: 'refs/heads/main',
    });
  });

  it('refuses a wrong request token', async () => {
    const reply = await githubToken('api://AzureADTokenExchange', 'wrong');
    expect(reply.status).toBe(401);
  });

  it('feeds ClientAssertionCredential, and the exchanged token authenticates as the federated principal', async () => {
    const deployer = principal('jit-deployer');
    let calls = 0;
    const cred = new ClientAssertionCredential(
      TENANT,
      deployer.clientId,
      async () => {
        calls += 1;
        return (JSON.parse((await githubToken()).text) as { value: string }).value;
      },
      credentialOptions(),
    );
    const token = await cred.getToken(armScope());
    expect(calls).toBeGreaterThan(0);
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-deployer' },
    });
  });

  it('rejects a token whose audience no federated credential accepts with AADSTS70021', async () => {
    const deployer = principal('jit-deployer');
    const cred = new ClientAssertionCredential(
      TENANT,
      deployer.clientId,
      async () =>
        (JSON.parse((await githubToken('https://github.com/contoso')).text) as { value: string }).value,
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(
      /AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/token\.actions\.githubusercontent\.com'\. Assertion Subject: 'repo:contoso\/webapp:ref:refs\/heads\/main'\. Assertion Audience: 'https:\/\/github\.com\/contoso'/,
    );
  });

  it('rejects the same token for a principal without that federated credential (AADSTS70021)', async () => {
    const reader = principal('jit-readonly');
    const cred = new ClientAssertionCredential(
      TENANT,
      reader.clientId,
      async () => (JSON.parse((await githubToken()).text) as { value: string }).value,
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(/AADSTS70021/);
  });
});

describe('Azure DevOps OIDC (AzurePipelinesCredential)', () => {
  const saved = process.env.SYSTEM_OIDCREQUESTURI;
  beforeEach(() => {
    // AzurePipelinesCredential reads SYSTEM_OIDCREQUESTURI in its constructor.
    process.env.SYSTEM_OIDCREQUESTURI = s.identity.ado.oidcRequestUri;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
    else process.env.SYSTEM_OIDCREQUESTURI = saved;
  });

  it('exchanges the service connection token for an ARM token of the federated principal', async () => {
    const deployer = principal('jit-deployer');
    const { serviceConnectionId, accessToken } = s.identity.ado;
    expect(serviceConnectionId).toBe(scenario.oidc.adoServiceConnections[0]?.id);
    const cred = new AzurePipelinesCredential(
      TENANT,
      deployer.clientId,
      serviceConnectionId,
      accessToken,
      credentialOptions(),
    );
    const token = await cred.getToken(armScope());
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-deployer' },
    });
  });

  it('issues tokens with the ADO issuer and the service connection subject', async () => {
    const { oidcRequestUri, accessToken, serviceConnectionId } = s.identity.ado;
    const reply = await send(
      `${oidcRequestUri}?api-version=7.1&serviceConnectionId=${serviceConnectionId}`,
      s.caPem,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      },
    );
    expect(reply.status).toBe(200);
    const { oidcToken } = JSON.parse(reply.text) as { oidcToken: string };
    expect(decodeJwt(oidcToken)).toMatchObject({
      iss: `https://vstoken.dev.azure.com/${scenario.oidc.adoOrganizationId}`,
      sub: 'sc://contoso/webapp/jit-connection',
      aud: 'api://AzureADTokenExchange',
    });
  });

  it('rejects a service connection whose subject no federated credential names with AADSTS70021', async () => {
    const deployer = principal('jit-deployer');
    const cred = new AzurePipelinesCredential(
      TENANT,
      deployer.clientId,
      OTHER_CONNECTION.id,
      s.identity.ado.accessToken,
      credentialOptions(),
    );
    await expect(cred.getToken(armScope())).rejects.toThrow(
      /AADSTS70021: .*Assertion Subject: 'sc:\/\/contoso\/webapp\/other-connection'/,
    );
  });

  it('refuses a wrong System.AccessToken with a 401 and an unknown connection with a 404', async () => {
    const { oidcRequestUri, accessToken, serviceConnectionId } = s.identity.ado;
    const wrongToken = await send(
      `${oidcRequestUri}?api-version=7.1&serviceConnectionId=${serviceConnectionId}`,
      s.caPem,
      {
        method: 'POST',
        headers: { Authorization: 'Bearer nope' },
      },
    );
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.text).toContain('TF400813');
    const unknown = await send(
      `${oidcRequestUri}?api-version=7.1&serviceConnectionId=00000000-0000-0000-0000-000000000000`,
      s.caPem,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${accessToken}` },
      },
    );
    expect(unknown.status).toBe(404);
  });
});

describe('managed identity (App Service protocol, child process)', () => {
  function runChild(script: string, env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', script],
        {
          env: childEnvironment(env),
          cwd: join(__dirname, '..', '..', '..'),
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${error.message}\n${stderr}`));
          else resolve(stdout.trim());
        },
      );
    });
  }

  it('ManagedIdentityCredential gets an ARM token for the managed identity through the emulator env', async () => {
    const mi = principal('jit-agent-mi');
    const script = `
      const { ManagedIdentityCredential } = require('@azure/identity');
      new ManagedIdentityCredential({ clientId: process.env.MI_CLIENT_ID })
        .getToken(process.env.SCOPE)
        .then((t) => console.log(t.token), (e) => { console.error(e.message); process.exit(1); });`;
    const token = await runChild(script, {
      ...s.identity.managedIdentity.env,
      NODE_EXTRA_CA_CERTS: s.caPath,
      MI_CLIENT_ID: mi.clientId,
      SCOPE: armScope(),
    });
    expect(s.identity.authenticate(`Bearer ${token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-agent-mi', objectId: mi.objectId },
    });
  });

  it('answers the system-assigned identity without a client id, and refuses a request without the header', async () => {
    const { IDENTITY_ENDPOINT, IDENTITY_HEADER } = s.identity.managedIdentity.env;
    const url = `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(s.armUrl)}`;
    const ok = await send(url, s.caPem, { headers: { 'X-IDENTITY-HEADER': IDENTITY_HEADER ?? '' } });
    expect(ok.status).toBe(200);
    const body = JSON.parse(ok.text) as {
      access_token: string;
      expires_on: string;
      client_id: string;
      token_type: string;
    };
    expect(body.client_id).toBe(principal('jit-agent-mi').clientId);
    expect(body.expires_on).toMatch(/^\d+$/);
    expect(s.identity.authenticate(`Bearer ${body.access_token}`)).toMatchObject({ ok: true });
    const denied = await send(url, s.caPem);
    expect(denied.status).toBe(401);
  });
});

describe('GitHub protocol through @actions/core (child process)', () => {
  it('getIDToken reaches the emulator with ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN and NODE_EXTRA_CA_CERTS', async () => {
    const script = `
      const core = require('@actions/core');
      core.getIDToken('api://AzureADTokenExchange').then((t) => process.stdout.write('TOKEN=' + t + '\\n'), (e) => { console.error(e.message); process.exit(1); });`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', script],
        {
          env: childEnvironment({
            ACTIONS_ID_TOKEN_REQUEST_URL: s.identity.github.requestUrl,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: s.identity.github.requestToken,
            NODE_EXTRA_CA_CERTS: s.caPath,
          }),
          cwd: join(__dirname, '..', '..', '..'),
          timeout: 30_000,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const token = /^TOKEN=(.+)$/m.exec(out)?.[1] ?? '';
    expect(decodeJwt(token)).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'api://AzureADTokenExchange',
    });
  });
});

describe('discovery and metadata', () => {
  it('serves OpenID discovery with a jwks_uri whose keys verify issued tokens', async () => {
    const config = JSON.parse(
      (await send(`${s.authorityHost}/${TENANT}/v2.0/.well-known/openid-configuration`, s.caPem)).text,
    ) as Record<string, string>;
    expect(config.token_endpoint).toBe(`${s.authorityHost}/${TENANT}/oauth2/v2.0/token`);
    const keys = JSON.parse((await send(config.jwks_uri ?? '', s.caPem)).text) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const token = await s.identity.issueAccessToken('jit-deployer');
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys), {
      issuer: `https://sts.windows.net/${TENANT}/`,
      audience: `${s.armUrl}/`,
    });
    expect(payload.tid).toBe(TENANT);
  });

  it('answers the v1 token endpoint with resource= and string-typed numbers', async () => {
    const reader = principal('jit-readonly');
    const reply = await send(`${s.authorityHost}/${TENANT}/oauth2/token`, s.caPem, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: reader.clientId,
        client_secret: reader.secret ?? '',
        resource: 'https://management.core.windows.net/',
      }).toString(),
    });
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.text) as Record<string, string>;
    expect(body).toMatchObject({ token_type: 'Bearer', resource: 'https://management.core.windows.net/' });
    expect(body.expires_on).toMatch(/^\d+$/);
    expect(s.identity.authenticate(`Bearer ${body.access_token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-readonly' },
    });
  });

  it('serves the AD FS dialect the Azure CLI uses for custom clouds', async () => {
    const config = JSON.parse(
      (await send(`${s.authorityHost}/adfs/.well-known/openid-configuration`, s.caPem)).text,
    ) as Record<string, string>;
    const reader = principal('jit-readonly');
    const reply = await send(config.token_endpoint ?? '', s.caPem, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: reader.clientId,
        client_secret: reader.secret ?? '',
        scope: `${s.armUrl}//.default`,
      }).toString(),
    });
    expect(reply.status).toBe(200);
    const { access_token } = JSON.parse(reply.text) as { access_token: string };
    expect(s.identity.authenticate(`Bearer ${access_token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-readonly' },
    });
  });

  it('lets @azure/identity use the AD FS authority the cloud metadata advertises (tenant "adfs")', async () => {
    const reader = principal('jit-readonly');
    const cred = new ClientSecretCredential('adfs', reader.clientId, reader.secret ?? '', {
      ...credentialOptions(),
      authorityHost: `${s.authorityHost}/adfs`,
    });
    const token = await cred.getToken(armScope());
    expect(decodeJwt(token.token).iss).toBe(`${s.authorityHost}/adfs/services/trust`);
    expect(s.identity.authenticate(`Bearer ${token.token}`)).toMatchObject({
      ok: true,
      principal: { name: 'jit-readonly' },
    });
  });

  it('describes the cloud at /metadata/endpoints in both the Azure Stack and the current shape', async () => {
    const stack = JSON.parse(
      (await send(`${s.armUrl}/metadata/endpoints?api-version=2015-01-01`, s.caPem)).text,
    ) as {
      authentication: { loginEndpoint: string; audiences: string[] };
    };
    expect(stack.authentication.loginEndpoint).toBe(`${s.authorityHost}/adfs`);
    expect(stack.authentication.audiences).toContain(`${s.armUrl}/`);
    const clouds = JSON.parse(
      (await send(`${s.armUrl}/metadata/endpoints?api-version=2022-09-01`, s.caPem)).text,
    ) as { resourceManager: string }[];
    expect(clouds[0]?.resourceManager).toBe(`${s.armUrl}/`);
    expect((await send(`${s.armUrl}/metadata/endpoints`, s.caPem)).status).toBe(400);
  });
});

describe('authenticate (what ARM sees)', () => {
  it('rejects an expired token with ExpiredAuthenticationToken', async () => {
    const token = await s.identity.issueAccessToken('jit-deployer', {
      issuedAt: new Date(Date.now() - 2 * 3600_000),
      lifetimeSeconds: 3599,
    });
    const result = s.identity.authenticate(`Bearer ${token}`);
    expect(result).toMatchObject({ ok: false, status: 401, code: 'ExpiredAuthenticationToken' });
    expect(result.ok ? '' : result.message).toMatch(
      /^The access token expiry UTC time '.+' is earlier than current UTC time '.+'\.$/,
    );
  });

  it('accepts the ARM audience with and without a trailing slash, and rejects another audience', async () => {
    for (const audience of [
      s.armUrl,
      `${s.armUrl}/`,
      'https://management.azure.com/',
      'https://management.core.windows.net',
    ]) {
      const token = await s.identity.issueAccessToken('jit-deployer', { audience });
      expect(s.identity.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true });
    }
    const graph = await s.identity.issueAccessToken('jit-deployer', {
      audience: 'https://graph.microsoft.com',
    });
    expect(s.identity.authenticate(`Bearer ${graph}`)).toMatchObject({
      ok: false,
      code: 'InvalidAuthenticationTokenAudience',
    });
  });

  it('answers missing, malformed and tampered tokens with ARM codes', async () => {
    expect(s.identity.authenticate(undefined)).toMatchObject({
      ok: false,
      code: 'AuthenticationFailed',
      message: "Authentication failed. The 'Authorization' header is missing.",
    });
    expect(s.identity.authenticate('Basic abc')).toMatchObject({ ok: false, code: 'AuthenticationFailed' });
    expect(s.identity.authenticate('Bearer not-a-jwt')).toMatchObject({
      ok: false,
      code: 'InvalidAuthenticationToken',
    });
    const token = await s.identity.issueAccessToken('jit-readonly');
    const [h, p] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodeJwt(token), oid: principal('jit-deployer').objectId }),
    ).toString('base64url');
    expect(s.identity.authenticate(`Bearer ${h}.${forgedPayload}.${token.split('.')[2]}`)).toMatchObject({
      ok: false,
      code: 'InvalidAuthenticationToken',
    });
    expect(p).toBeDefined();
  });

  it('does not accept tokens issued by another emulator instance', async () => {
    const other = await createIdentityService({
      principals: scenario.principals,
      tenantId: TENANT,
      authorityHost: s.authorityHost,
      armUrl: s.armUrl,
      oidc: scenario.oidc,
    });
    const foreign = await other.issueAccessToken('jit-deployer');
    expect(other.authenticate(`Bearer ${foreign}`)).toMatchObject({ ok: true });
    expect(s.identity.authenticate(`Bearer ${foreign}`)).toMatchObject({
      ok: false,
      code: 'InvalidAuthenticationToken',
    });
  });
});
