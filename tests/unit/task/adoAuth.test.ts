/**
 * Service connection -> credential mapping, with a fake agent context. The real
 * sign-in against the emulator is covered by tests/e2e/task (bundled task).
 */
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { AuthError, describeError, InputError } from '../../../shared/errors';
import type { TokenCredential } from '@azure/core-auth';
import { signIn } from '../../../shared/azure/signIn';
import type { AzureSession, CloudEndpoints } from '../../../shared/session';
import { createAdoConnect, type AdoAuthContext, type ServiceConnection } from '../../../task/adoAuth';
import { englishMessages } from '../../../task/messages';

const PUBLIC: CloudEndpoints = {
  name: 'AzureCloud',
  resourceManager: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
  scope: 'https://management.azure.com/.default',
};
const ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'very-secret-key';
const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIEkey1\nkey2==\n-----END PRIVATE KEY-----\n';

function fakeConnection(
  scheme: string,
  params: Record<string, string>,
  data: Record<string, string> = {},
  url = 'https://management.azure.com/',
): ServiceConnection {
  const get = (r: Record<string, string>) => (key: string) =>
    Object.entries(r).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] ?? '';
  return {
    id: ID,
    scheme,
    url,
    param: get(params),
    data: get({ subscriptionid: 'sub-1', environment: 'AzureCloud', ...data }),
  };
}

function context(conn: ServiceConnection | undefined, over: Partial<AdoAuthContext> = {}) {
  const log = { secrets: [] as string[], info: [] as string[] };
  const ctx: AdoAuthContext = {
    connectionId: () => ID,
    connection: (id) => (id === ID ? conn : undefined),
    systemAccessToken: () => 'system-access-token',
    oidcRequestUri: () =>
      'https://dev.azure.com/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken',
    setSecret: (v) => log.secrets.push(v),
    info: (m) => log.info.push(m),
    loc: englishMessages,
    ...over,
  };
  return { ctx, log };
}

/** The @azure/identity credential the session hands the core. */
function inner(session: AzureSession): TokenCredential {
  return session.credential;
}

/**
 * The core's sign-in with the connection's session, its credential swapped for one that fails as
 * given: the error is the one a user would read.
 */
async function signInFailure(session: AzureSession, failure: Error): Promise<unknown> {
  const failing: TokenCredential = { getToken: () => Promise.reject(failure) };
  return signIn(() => Promise.resolve({ ...session, credential: failing }), PUBLIC).catch((e: unknown) => e);
}

const spn = { tenantid: 'tenant-1', serviceprincipalid: 'client-1' };

describe('createAdoConnect', () => {
  it('ServicePrincipal + spnKey: client secret, masked, subscription and cloud from the connection', async () => {
    const { ctx, log } = context(
      fakeConnection('ServicePrincipal', {
        ...spn,
        authenticationType: 'spnKey',
        serviceprincipalkey: SECRET,
      }),
    );
    const session = await createAdoConnect(ctx)(PUBLIC);
    expect(inner(session)).toBeInstanceOf(ClientSecretCredential);
    expect(session.subscriptionId).toBe('sub-1');
    expect(session.cloud).toEqual(PUBLIC);
    expect(session.method).toContain('client secret');
    expect(log.secrets).toEqual([SECRET]);
    expect(log.info.join('\n')).not.toContain(SECRET);
  });

  it('ServicePrincipal without authenticationType defaults to a secret (older connections)', async () => {
    const { ctx } = context(fakeConnection('serviceprincipal', { ...spn, serviceprincipalkey: SECRET }));
    expect(inner(await createAdoConnect(ctx)(PUBLIC))).toBeInstanceOf(ClientSecretCredential);
  });

  it('ServicePrincipal + spnCertificate: the PEM is masked and used', async () => {
    const { ctx, log } = context(
      fakeConnection('ServicePrincipal', {
        ...spn,
        authenticationType: 'spnCertificate',
        servicePrincipalCertificate: PEM,
      }),
    );
    const session = await createAdoConnect(ctx)(PUBLIC);
    expect(inner(session)).toBeInstanceOf(ClientCertificateCredential);
    expect(log.secrets).toEqual([PEM]);
    expect(session.method).toContain('certificate');
  });

  it('WorkloadIdentityFederation: AzurePipelinesCredential, System.AccessToken masked', async () => {
    const before = process.env.SYSTEM_OIDCREQUESTURI;
    process.env.SYSTEM_OIDCREQUESTURI = 'https://dev.azure.com/org/oidc';
    try {
      const { ctx, log } = context(fakeConnection('WorkloadIdentityFederation', spn));
      const session = await createAdoConnect(ctx)(PUBLIC);
      expect(inner(session)).toBeInstanceOf(AzurePipelinesCredential);
      expect(log.secrets).toEqual(['system-access-token']);
      expect(session.method).toContain('workload identity federation');
    } finally {
      if (before === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = before;
    }
  });

  it('WorkloadIdentityFederation without System.AccessToken or OIDC URL: a clear AuthError', async () => {
    const noToken = context(fakeConnection('WorkloadIdentityFederation', spn), {
      systemAccessToken: () => '',
    });
    await expect(createAdoConnect(noToken.ctx)(PUBLIC)).rejects.toThrow(/System\.AccessToken/);
    const noUri = context(fakeConnection('WorkloadIdentityFederation', spn), { oidcRequestUri: () => '' });
    await expect(createAdoConnect(noUri.ctx)(PUBLIC)).rejects.toThrow(/SYSTEM_OIDCREQUESTURI/);
  });

  it('ManagedServiceIdentity: managed identity, with the connection client id when set', async () => {
    const { ctx } = context(
      fakeConnection('ManagedServiceIdentity', { tenantid: 't' }, { msiclientId: 'mi-client' }),
    );
    const session = await createAdoConnect(ctx)(PUBLIC);
    expect(inner(session)).toBeInstanceOf(ManagedIdentityCredential);
    expect(session.method).toContain('mi-client');
  });

  it('an unsupported scheme names the scheme and the supported ones', async () => {
    const { ctx } = context(fakeConnection('PublishProfile', { publishProfile: '<xml/>' }));
    const error = await createAdoConnect(ctx)(PUBLIC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain("'PublishProfile'");
    expect((error as AuthError).message).toMatch(
      /ServicePrincipal.*WorkloadIdentityFederation.*ManagedServiceIdentity/,
    );
    expect((error as AuthError).hint).toMatch(/service connection/);
  });

  it('an unknown authenticationType is an AuthError naming it', async () => {
    const { ctx } = context(fakeConnection('ServicePrincipal', { ...spn, authenticationType: 'spnMagic' }));
    await expect(createAdoConnect(ctx)(PUBLIC)).rejects.toThrow(/spnMagic/);
  });

  it('missing values are named, and nothing is masked that was not read', async () => {
    const { ctx, log } = context(
      fakeConnection('ServicePrincipal', { tenantid: 't', authenticationType: 'spnKey' }),
    );
    await expect(createAdoConnect(ctx)(PUBLIC)).rejects.toThrow(/'serviceprincipalid'/);
    expect(log.secrets).toEqual([]);
    const noKey = context(fakeConnection('ServicePrincipal', { ...spn, authenticationType: 'spnKey' }));
    await expect(createAdoConnect(noKey.ctx)(PUBLIC)).rejects.toThrow(/'serviceprincipalkey'/);
  });

  it('an empty or unknown connection is a clear error', async () => {
    await expect(
      createAdoConnect(context(undefined, { connectionId: () => ' ' }).ctx)(PUBLIC),
    ).rejects.toThrow(/azureSubscription/);
    await expect(createAdoConnect(context(undefined).ctx)(PUBLIC)).rejects.toThrow(
      /the service connection selected in input 'azureSubscription'.*authorized/,
    );
  });

  it("the connection's environment decides the cloud, and the log names the connection by its subscription, not its ID", async () => {
    const conn = fakeConnection(
      'ServicePrincipal',
      { ...spn, serviceprincipalkey: SECRET },
      {
        environment: 'AzureStack',
        activeDirectoryAuthority: 'https://localhost:8443/',
        subscriptionname: 'Contoso Production',
      },
      'https://127.0.0.1:8443/',
    );
    const { ctx, log } = context(conn);
    const session = await createAdoConnect(ctx)(PUBLIC);
    expect(session.cloud).toEqual({
      name: 'AzureStack',
      resourceManager: 'https://127.0.0.1:8443',
      authorityHost: 'https://localhost:8443',
      scope: 'https://127.0.0.1:8443/.default',
    });
    expect(log.info.join('\n')).toContain(
      "The service connection for subscription 'Contoso Production': environment AzureStack",
    );
    expect(log.info.join('\n')).not.toContain(ID);
    expect(session.method).toContain("(the service connection for subscription 'Contoso Production')");
  });

  it('says nothing about the cloud input when it matches the connection', async () => {
    const { ctx, log } = context(fakeConnection('ServicePrincipal', { ...spn, serviceprincipalkey: SECRET }));
    await createAdoConnect(ctx)(PUBLIC);
    expect(log.info.join('\n')).not.toMatch(/ignored/);
  });

  it('a custom environment without metadata and AD FS connections are refused clearly', async () => {
    const stack = context(
      fakeConnection(
        'ServicePrincipal',
        { ...spn, serviceprincipalkey: SECRET },
        { environment: 'AzureStack' },
        '',
      ),
    );
    await expect(createAdoConnect(stack.ctx)(PUBLIC)).rejects.toThrow(/AzureStack/);
    const adfs = context(
      fakeConnection(
        'ServicePrincipal',
        { ...spn, serviceprincipalkey: SECRET },
        { EnableAdfsAuthentication: 'true' },
      ),
    );
    await expect(createAdoConnect(adfs.ctx)(PUBLIC)).rejects.toThrow(/AD FS/);
  });

  it('a management-group connection has no subscription, and says what to do', async () => {
    const { ctx, log } = context(
      fakeConnection(
        'ServicePrincipal',
        { ...spn, serviceprincipalkey: SECRET },
        { subscriptionid: '', scopeLevel: 'ManagementGroup' },
      ),
    );
    const session = await createAdoConnect(ctx)(PUBLIC);
    expect(session.subscriptionId).toBeUndefined();
    expect(log.info.join('\n')).toMatch(/ManagementGroup.*full resource ID/);
  });

  it('a failed sign-in is an AuthError naming the connection and the method, with the scheme hint', async () => {
    const { ctx } = context(fakeConnection('ServicePrincipal', { ...spn, serviceprincipalkey: SECRET }));
    const session = await createAdoConnect(ctx)(PUBLIC);
    const cause = new Error('AADSTS7000215: Invalid client secret');
    const error = await signInFailure(session, cause);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe(
      `Sign-in with ${session.method} failed: AADSTS7000215: Invalid client secret`,
    );
    expect((error as AuthError).hint).toMatch(/client secret/);
    expect((error as AuthError).cause).toBe(cause);
  });

  it('a huge identity error is shortened in the sign-in failure', async () => {
    const { ctx } = context(fakeConnection('ServicePrincipal', { ...spn, serviceprincipalkey: SECRET }));
    const session = await createAdoConnect(ctx)(PUBLIC);
    const error = (await signInFailure(
      session,
      new Error(`AADSTS700213: No matching federated identity record found ${'x'.repeat(2000)}`),
    )) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message.startsWith(`Sign-in with ${session.method} failed: AADSTS700213`)).toBe(true);
    expect(error.message.length).toBeLessThan(800);
    expect(error.message.endsWith('…')).toBe(true);
  });

  // The credential's own calls through the proxy are proven by tests/e2e/task/proxy.test.ts.
  it('hands the agent proxy to the session, for the clients and IP lookups', async () => {
    const { ctx } = context(fakeConnection('ServicePrincipal', { ...spn, serviceprincipalkey: SECRET }));
    const proxy = { settings: { host: 'http://proxy', port: 8080 }, noProxy: ['.corp'] };
    expect((await createAdoConnect(ctx, proxy)(PUBLIC)).proxy).toBe(proxy);
    expect((await createAdoConnect(ctx)(PUBLIC)).proxy).toBeUndefined();
  });

  it('a malformed tenant ID is an input error naming azureSubscription and the value, not a bug', async () => {
    const { ctx } = context(
      fakeConnection('ServicePrincipal', { ...spn, tenantid: 'not a tenant!', serviceprincipalkey: SECRET }),
    );
    const error = await createAdoConnect(ctx)(PUBLIC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`input 'azureSubscription' = "not a tenant!"`);
    expect((error as InputError).message).toContain('is the tenant ID of the service connection, and');
    expect((error as InputError).message).not.toContain(ID);
    expect(describeError(error)).not.toMatch(/bug/);
  });

  it("an unknown tenant (AADSTS90002) is an input error about the connection's tenant, not its secret", async () => {
    const { ctx } = context(fakeConnection('ServicePrincipal', { ...spn, serviceprincipalkey: SECRET }));
    const session = await createAdoConnect(ctx)(PUBLIC);
    const error = await signInFailure(session, new Error("AADSTS90002: Tenant 'tenant-1' not found."));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`input 'azureSubscription' = "tenant-1"`);
    expect((error as InputError).message).toContain('AADSTS90002');
    expect(describeError(error)).toMatch(/Directory \(tenant\) ID/);
  });

  it("cloudFor names the connection's cloud without signing in", () => {
    const { ctx } = context(
      fakeConnection(
        'ServicePrincipal',
        spn,
        { environment: 'AzureUSGovernment' },
        'https://management.usgovcloudapi.net/',
      ),
    );
    expect(createAdoConnect(ctx).cloudFor?.(PUBLIC)).toMatchObject({
      name: 'AzureUSGovernment',
      resourceManager: 'https://management.usgovcloudapi.net',
    });
  });
});
