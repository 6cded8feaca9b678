/**
 * Fidelity against the REAL Azure CLI (Debian azure-cli 2.45 on /usr/bin/python3):
 * the custom-cloud flow a user follows (`az cloud register` reading
 * `<arm>/metadata/endpoints`, AD FS login with a secret and a certificate), then the
 * commands a JIT user runs: `az security jit-policy`, `az vm show`, `az network nsg`,
 * `az rest` for `initiate` (the CLI has no initiate command), and the NSG rule delete LRO.
 *
 * The cloud is registered with the Azure Stack profile `2020-09-01-hybrid`. Why: Debian
 * pairs azure-cli 2.45 with a python3-azure bundle whose azure-mgmt-network (23.0.0b1)
 * ships no per-version operations and whose azure-mgmt-compute lacks 2022-11-01, so under
 * the `latest` profile every `az network ...` command and `az vm show` crash client-side
 * (ImportError/ValueError) before sending anything. The hybrid profile selects API versions
 * the bundle has (compute 2020-06-01, network 2018-11-01 through AAZ), which is also what an
 * Azure Stack Hub user, whose cloud this emulator imitates (AD FS), would run. NIC, public IP
 * and single-rule reads, whose SDK-based commands crash under either profile, go through
 * `az rest` at the API versions the CLI's `latest` profile would send.
 *
 * Commands run one after another in one private AZURE_CONFIG_DIR; each costs ~1-2 s of
 * Python start-up, so the suite batches what it can (two read-only commands at a time).
 */
import { startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import { join } from 'node:path';
import {
  SYSTEM_PYTHON,
  azureCliAvailability,
  childEnv,
  githubOidcToken,
  pythonSdkAvailability,
  runClient,
  scratchDir,
  writeCertificate,
  type Completed,
} from './harness';

const availability = azureCliAvailability();
const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const DATA = 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e';
const CLOUD = 'JitEmulator';
const SOURCE = '203.0.113.10';
const POLICY_PATH = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`;
const VM_ID = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;

interface Subscription {
  id: string;
  name: string;
  tenantId: string;
  cloudName?: string;
  environmentName?: string;
  user: { name: string; type: string };
}
interface Rule {
  name: string;
  priority: number;
  access: string;
  sourceAddressPrefix: string;
  destinationAddressPrefix: string;
  destinationPortRange: string;
  protocol: string;
}

function base64UrlJson(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

if (!availability.available) {
  test.skip(`Azure CLI fidelity skipped: ${availability.reason}`, () => undefined);
} else {
  const python = pythonSdkAvailability();
  describe('Azure CLI against the emulator', () => {
    let emu: Emulator;
    const config = scratchDir('az');
    let certPath = '';

    /** Runs one `az` command in the suite's private config dir. */
    const az = (...args: string[]): Promise<Completed> =>
      runClient('az', args, {
        env: childEnv({ AZURE_CONFIG_DIR: config.path, REQUESTS_CA_BUNDLE: emu.caPath }),
        timeoutMs: 60_000,
      });
    /** Runs `az ... -o json`, failing with the CLI's own stderr when it does not exit 0. */
    const azJson = async <T>(...args: string[]): Promise<T> => {
      const r = await az(...args, '-o', 'json');
      if (r.code !== 0) throw new Error(`az ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    };
    const calls = (method: string, path: RegExp): RequestLogEntry[] =>
      emu.control.requests().filter((e) => e.method === method && path.test(e.path));

    beforeAll(async () => {
      emu = await startEmulator({ ruleDelayMs: 0 });
      certPath = writeCertificate(emu, 'jit-cert', config.path);
    });
    afterAll(async () => {
      await emu?.stop();
      config.remove();
    });

    test('az cloud register reads <arm>/metadata/endpoints (trailing slash) and learns the AD FS authority', async () => {
      // A trailing slash makes the CLI ask for `//metadata/endpoints`, as users type it.
      const reg = await az(
        'cloud',
        'register',
        '-n',
        CLOUD,
        '--endpoint-resource-manager',
        `${emu.armUrl}/`,
        '--profile',
        '2020-09-01-hybrid',
      );
      expect(reg.stderr).toBe('');
      expect(reg.code).toBe(0);
      expect(calls('GET', /^\/metadata\/endpoints$/).map((e) => [e.apiVersion, e.status])).toEqual([
        ['2015-01-01', 200],
      ]);
      const set = await az('cloud', 'set', '-n', CLOUD);
      expect(set.code).toBe(0);
      const cloud = await azJson<{ endpoints: Record<string, string | null>; profile: string }>(
        'cloud',
        'show',
        '-n',
        CLOUD,
      );
      expect(cloud.profile).toBe('2020-09-01-hybrid');
      expect(cloud.endpoints).toMatchObject({
        activeDirectory: `${emu.authorityHost}/adfs`,
        activeDirectoryResourceId: `${emu.armUrl}/`,
        resourceManager: `${emu.armUrl}/`,
      });
    }, 60_000);

    test('az login --service-principal: wrong secret (AADSTS7000215), certificate PEM, GitHub OIDC federated token, then secret', async () => {
      const deployer = emu.principals['jit-deployer'];
      const cert = emu.principals['jit-cert'];
      if (!deployer?.secret || !cert) throw new Error('default scenario principals missing');
      const login = (user: string, password: string): Promise<Completed> =>
        az(
          'login',
          '--service-principal',
          '-u',
          user,
          '-p',
          password,
          '--tenant',
          emu.tenantId,
          '-o',
          'json',
        );

      const bad = await login(deployer.clientId, 'not-the-secret');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('AADSTS7000215: Invalid client secret provided.');

      const viaCert = await login(cert.clientId, certPath);
      expect(viaCert.stderr).toBe('');
      const certSubs = JSON.parse(viaCert.stdout) as Subscription[];
      expect(certSubs.map((s) => s.user)).toEqual([
        { name: cert.clientId, type: 'servicePrincipal' },
        { name: cert.clientId, type: 'servicePrincipal' },
      ]);
      expect(calls('POST', /^\/adfs\/oauth2\/token\/?$/).map((e) => [e.principal, e.status])).toEqual(
        expect.arrayContaining([
          ['jit-deployer', 401],
          ['jit-cert', 200],
        ]),
      );

      // What azure/login does in a GitHub workflow with OIDC: the Actions ID token as client assertion.
      const federated = await az(
        'login',
        '--service-principal',
        '-u',
        deployer.clientId,
        '--tenant',
        emu.tenantId,
        '--federated-token',
        await githubOidcToken(emu),
        '-o',
        'json',
      );
      expect(federated.stderr).toBe('');
      expect((JSON.parse(federated.stdout) as Subscription[]).map((s) => s.user.name)).toEqual([
        deployer.clientId,
        deployer.clientId,
      ]);
      const forged = await az(
        'login',
        '--service-principal',
        '-u',
        deployer.clientId,
        '--tenant',
        emu.tenantId,
        '--federated-token',
        await githubOidcToken(emu, 'api://SomeOtherAudience'),
      );
      expect(forged.code).not.toBe(0);
      expect(forged.stderr).toContain('AADSTS70021');

      const viaSecret = await login(deployer.clientId, deployer.secret);
      expect(viaSecret.code).toBe(0);
      const subs = JSON.parse(viaSecret.stdout) as Subscription[];
      expect(subs.map((s) => [s.id, s.name, s.tenantId, s.cloudName])).toEqual([
        [PROD, 'Contoso Production', emu.tenantId, CLOUD],
        [DATA, 'Contoso Data', emu.tenantId, CLOUD],
      ]);
    }, 60_000);

    test('az account show / get-access-token: the ARM token names the emulator audience and tenant', async () => {
      const [account, token] = await Promise.all([
        azJson<Subscription>('account', 'show'),
        azJson<{ accessToken: string; tenant: string; subscription: string }>('account', 'get-access-token'),
      ]);
      expect(account).toMatchObject({ id: PROD, environmentName: CLOUD, tenantId: emu.tenantId });
      expect(token).toMatchObject({ tenant: emu.tenantId, subscription: PROD });
      const claims = base64UrlJson(token.accessToken.split('.')[1] ?? '');
      expect(claims).toMatchObject({
        aud: `${emu.armUrl}/`,
        tid: emu.tenantId,
        appid: emu.principals['jit-deployer']?.clientId,
      });
    }, 60_000);

    test('az security jit-policy list / show, and a missing policy is PolicyNotFound', async () => {
      const [list, show] = await Promise.all([
        azJson<{ name: string; resourceGroup: string; location: string }[]>('security', 'jit-policy', 'list'),
        azJson<{ id: string; virtualMachines: { id: string; ports: Record<string, unknown>[] }[] }>(
          'security',
          'jit-policy',
          'show',
          '-l',
          'eastus',
          '-g',
          'rg-web',
          '-n',
          'web-jit',
        ),
      ]);
      expect(list.map((p) => [p.name, p.resourceGroup, p.location]).sort()).toEqual([
        ['default', 'rg-api', 'eastus'],
        ['hub-jit', 'rg-hub', 'eastus'],
        ['web-jit', 'rg-web', 'eastus'],
      ]);
      expect(show.id).toBe(POLICY_PATH);
      expect(show.virtualMachines[0]).toMatchObject({
        id: VM_ID,
        ports: [
          { number: 22, protocol: 'TCP', allowedSourceAddressPrefix: '*', maxRequestAccessDuration: 'PT3H' },
        ],
      });
      const missing = await az(
        'security',
        'jit-policy',
        'show',
        '-l',
        'eastus',
        '-g',
        'rg-web',
        '-n',
        'nope',
      );
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('(PolicyNotFound)');
    }, 60_000);

    test('az vm show -d, az network nsg show / rule list, az network vnet subnet show', async () => {
      const [vm, nsg] = await Promise.all([
        azJson<{
          name: string;
          networkProfile: { networkInterfaces: { id: string }[] };
          powerState: string;
          privateIps: string;
          publicIps: string;
          fqdns: string;
        }>('vm', 'show', '-d', '-g', 'rg-web', '-n', 'web-01'),
        azJson<{ name: string; securityRules: Rule[]; defaultSecurityRules: Rule[] }>(
          'network',
          'nsg',
          'show',
          '-g',
          'rg-web',
          '-n',
          'web-01-nsg',
        ),
      ]);
      expect(vm.name).toBe('web-01');
      // `-d` reads the instance view (power state) and walks NIC and public IP.
      expect(vm).toMatchObject({
        powerState: 'VM running',
        privateIps: '10.1.1.4',
        publicIps: '20.121.40.10',
        fqdns: 'web-01.eastus.cloudapp.azure.com',
      });
      expect(vm.networkProfile.networkInterfaces.map((n) => n.id.split('/').pop())).toEqual(['web-01-nic']);
      expect(nsg.securityRules.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'AllowHttpsInbound',
          expect.stringMatching(/^SecurityCenter-JITRule_\d+_[0-9A-F]{32}$/),
        ]),
      );
      expect(nsg.defaultSecurityRules).toHaveLength(6);
      const [rules, subnet] = await Promise.all([
        azJson<Rule[]>('network', 'nsg', 'rule', 'list', '-g', 'rg-web', '--nsg-name', 'web-01-nsg'),
        azJson<{ name: string; addressPrefix: string }>(
          'network',
          'vnet',
          'subnet',
          'show',
          '-g',
          'rg-web',
          '--vnet-name',
          'vnet-web',
          '-n',
          'snet-web1',
        ),
      ]);
      expect(rules.map((r) => r.name).sort()).toEqual(nsg.securityRules.map((r) => r.name).sort());
      expect(subnet).toMatchObject({ name: 'snet-web1', addressPrefix: '10.1.1.0/24' });
      // The CLI sent the hybrid profile's API versions (AAZ commands) and, for `nsg rule
      // list`, the bundled SDK's own default; the emulator accepted every one.
      const sent = emu.control.requests().filter((e) => e.provider === 'compute' || e.provider === 'network');
      expect(sent.map((e) => e.status)).toEqual(sent.map(() => 200));
      expect(new Set(sent.map((e) => `${e.provider} ${e.apiVersion ?? ''}`))).toEqual(
        new Set(['compute 2020-06-01', 'network 2018-11-01', 'network 2022-07-01']),
      );
    }, 60_000);

    test('az rest GET of NIC, public IP and one rule at the latest CLI API versions', async () => {
      const url = (path: string, version: string): string =>
        `${emu.armUrl}/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/${path}?api-version=${version}`;
      const [nic, pip] = await Promise.all([
        azJson<{ properties: { ipConfigurations: { properties: { privateIPAddress: string } }[] } }>(
          'rest',
          '--url',
          url('networkInterfaces/web-01-nic', '2022-01-01'),
        ),
        azJson<{ properties: { ipAddress: string; dnsSettings: { fqdn: string } } }>(
          'rest',
          '--url',
          url('publicIPAddresses/web-01-pip', '2022-01-01'),
        ),
      ]);
      expect(nic.properties.ipConfigurations[0]?.properties.privateIPAddress).toBe('10.1.1.4');
      expect(pip.properties).toMatchObject({
        ipAddress: '20.121.40.10',
        dnsSettings: { fqdn: 'web-01.eastus.cloudapp.azure.com' },
      });
      const rule = await azJson<{ name: string; properties: { priority: number } }>(
        'rest',
        '--url',
        url('networkSecurityGroups/web-01-nsg/securityRules/AllowHttpsInbound', '2022-01-01'),
      );
      expect(rule).toMatchObject({ name: 'AllowHttpsInbound', properties: { priority: 300 } });
    }, 60_000);

    test('generic ARM reads: az account list-locations and az resource show --ids (provider api-version lookup)', async () => {
      const [locations, rule] = await Promise.all([
        azJson<{ name: string; displayName: string; regionalDisplayName: string }[]>(
          'account',
          'list-locations',
        ),
        azJson<{ name: string; type: string; properties: { priority: number } }>(
          'resource',
          'show',
          '--ids',
          `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg/securityRules/AllowHttpsInbound`,
        ),
      ]);
      expect(locations).toContainEqual(
        expect.objectContaining({
          name: 'eastus',
          displayName: 'East US',
          regionalDisplayName: '(US) East US',
        }),
      );
      expect(locations.map((l) => l.name)).toContain('westeurope');
      expect(rule).toMatchObject({ name: 'AllowHttpsInbound', properties: { priority: 300 } });
      // `az resource show` asked the provider registration which api-version to use, then used one it lists.
      const lookup = calls('GET', /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Network$/);
      expect(lookup.map((e) => e.status)).toEqual([200]);
      const ruleRead = calls('GET', /\/securityRules\/AllowHttpsInbound$/).pop();
      expect(ruleRead?.status).toBe(200);
    }, 60_000);

    (python.available ? test : test.skip)(
      `azure-sdk-for-python's AzureCliCredential borrows this az login${python.available ? '' : ` (skipped: ${python.reason})`}`,
      async () => {
        const mark = emu.control.requests().length;
        const run = await runClient(
          SYSTEM_PYTHON,
          [join(__dirname, 'python', 'cli_credential.py'), emu.armUrl, PROD],
          {
            env: childEnv({ AZURE_CONFIG_DIR: config.path, REQUESTS_CA_BUNDLE: emu.caPath }),
            timeoutMs: 60_000,
          },
        );
        expect(run.stderr).toBe('');
        expect(JSON.parse(run.stdout)).toEqual(['default', 'hub-jit', 'web-jit']);
        // `az account get-access-token --resource <arm>` (no trailing slash: the scope minus
        // `/.default`) fetched a new AD FS token for the logged-in principal; ARM accepted it.
        const during = emu.control.requests().slice(mark);
        const seen = (method: string, path: RegExp): (string | number | undefined)[][] =>
          during.filter((e) => e.method === method && path.test(e.path)).map((e) => [e.principal, e.status]);
        expect(seen('POST', /^\/adfs\/oauth2\/token\/?$/)).toEqual([['jit-deployer', 200]]);
        expect(seen('GET', /\/providers\/Microsoft\.Security\/jitNetworkAccessPolicies$/)).toEqual([
          ['jit-deployer', 200],
        ]);
      },
      60_000,
    );

    test('az rest initiate (202), the allow rule appears, and az network nsg rule delete completes the LRO', async () => {
      const end = new Date(emu.control.clock.now().getTime() + 3600_000).toISOString();
      const body = (port: number): string =>
        JSON.stringify({
          virtualMachines: [
            { id: VM_ID, ports: [{ number: port, endTimeUtc: end, allowedSourceAddressPrefix: SOURCE }] },
          ],
          justification: 'fidelity test (az rest)',
        });
      const initiateUrl = `${emu.armUrl}${POLICY_PATH}/initiate?api-version=2020-01-01`;
      const started = await azJson<{
        justification: string;
        virtualMachines: { ports: { status: string; statusReason: string }[] }[];
      }>('rest', '--method', 'post', '--url', initiateUrl, '--body', body(22));
      expect(started.justification).toBe('fidelity test (az rest)');
      expect(started.virtualMachines[0]?.ports[0]).toMatchObject({
        status: 'Initiating',
        statusReason: 'UserRequested',
      });
      expect(calls('POST', /\/web-jit\/initiate$/).map((e) => e.status)).toEqual([202]);

      const [rules, refused] = await Promise.all([
        azJson<Rule[]>('network', 'nsg', 'rule', 'list', '-g', 'rg-web', '--nsg-name', 'web-01-nsg'),
        az('rest', '--method', 'post', '--url', initiateUrl, '--body', body(3389)),
      ]);
      const allow = rules.find((r) => r.name.startsWith('SecurityCenter-JITRule-'));
      expect(allow).toMatchObject({
        priority: 100,
        access: 'Allow',
        sourceAddressPrefix: SOURCE,
        destinationAddressPrefix: '10.1.1.4',
        destinationPortRange: '22',
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('is not a subset of policy');

      const del = await az(
        'network',
        'nsg',
        'rule',
        'delete',
        '-g',
        'rg-web',
        '--nsg-name',
        'web-01-nsg',
        '-n',
        allow?.name ?? '',
      );
      expect(del.stderr).toBe('');
      expect(del.code).toBe(0);
      expect(emu.control.rules('web-01-nsg').map((r) => r.name)).not.toContain(allow?.name);
      expect(calls('DELETE', /\/securityRules\/SecurityCenter-JITRule-/).map((e) => e.status)).toEqual([202]);
      expect(
        calls('GET', /\/providers\/Microsoft\.Network\/locations\/eastus\/operations\//).length,
      ).toBeGreaterThan(0);
    }, 60_000);
  });
}
