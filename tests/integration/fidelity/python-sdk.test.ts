/**
 * Fidelity against the REAL azure-sdk-for-python (Debian python3-azure: azure-identity
 * 1.13, azure-mgmt-security 3.0, azure-mgmt-network 23.0b1, azure-mgmt-compute 29,
 * azure-core 1.26 with its ARM polling and retry policies). One Python process runs
 * every call a JIT client makes (python/sdk_probe.py) and reports what the SDK saw;
 * this test judges it and cross-checks the emulator's own state and request log.
 */
import { join } from 'node:path';
import { startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import { scenarioWithAdmin } from '../emulator/clients';
import {
  SYSTEM_PYTHON,
  childEnv,
  githubOidcToken,
  pythonSdkAvailability,
  runClient,
  scratchDir,
  writeCertificate,
} from './harness';

const availability = pythonSdkAvailability();
const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const SOURCE = '203.0.113.10';

interface SdkError {
  type: string;
  message: string;
  status?: number;
  code?: string | null;
  errorMessage?: string | null;
  trace?: string;
}
type Step<T> = T | { error: SdkError };
interface RuleObservation {
  name: string;
  priority: number;
  access: string;
  direction: string;
  protocol: string;
  source: string;
  destination: string;
  port: string;
  provisioningState: string;
}
/** What python/sdk_probe.py prints: one entry per step. */
interface Observations {
  tokenSecret: Step<{ ok: boolean; expiresIn: number }>;
  tokenCertificate: Step<{ ok: boolean; policies: string[] }>;
  tokenEnvironmentAdfs: Step<{ ok: boolean; policies: string[] }>;
  tokenGithubAssertion: Step<{ ok: boolean; policies: string[] }>;
  tokenManagedIdentity: Step<{ ok: boolean; policies: string[] }>;
  tokenBadSecret: Step<{ unexpected: string }>;
  subscriptions: Step<{ subscriptions: [string, string][]; regions: string[] }>;
  providerAndGroups: Step<{
    namespace: string;
    registrationState: string;
    types: Record<string, string[]>;
    groups: string[];
    exists: boolean;
    existsMissing: boolean;
  }>;
  listSubscription: Step<string[]>;
  listRegion: Step<string[]>;
  listResourceGroup: Step<string[]>;
  listResourceGroupRegion: Step<string[]>;
  locations: Step<string[]>;
  getPolicy: Step<{
    name: string;
    kind: string;
    location: string;
    provisioningState: string;
    vms: { id: string; ports: Record<string, unknown>[] }[];
  }>;
  getMissingPolicy: Step<string>;
  getPolicyMissingGroup: Step<string>;
  initiate: Step<{
    startTimeUtc: string | null;
    requestor: string | null;
    justification: string | null;
    ports: { vm: string; number: number; status: string; statusReason: string; endTimeUtc: string | null }[];
  }>;
  initiateNotSubset: Step<unknown>;
  initiateTooLong: Step<unknown>;
  history: Step<
    { startTimeUtc: string | null; ports: { number: number; status: string; statusReason: string }[] }[]
  >;
  initiateForbidden: Step<unknown>;
  putPolicy: Step<{ putState: string; getState: string; vms: string[] }>;
  vmWalk: Step<Record<string, string | null>>;
  getMissingVm: Step<string>;
  nsgAfterInitiate: Step<{ rules: RuleObservation[]; defaultRules: number }>;
  deleteAllowRule: Step<{
    deleted: string | null;
    got: RuleObservation;
    pollerStatus: string;
    done: boolean;
    stillThere: boolean;
  }>;
  getDeletedRule: Step<string>;
  throttledGet: Step<{ name: string; seconds: number }>;
}

/** The step's value, or a test failure that shows what the SDK raised. */
function ok<T>(step: Step<T>, name: string): T {
  if (step !== null && typeof step === 'object' && 'error' in step) {
    throw new Error(`${name}: the Python SDK raised ${JSON.stringify(step.error, null, 2)}`);
  }
  return step;
}

/** The SDK exception a step was expected to raise. */
function failed(step: Step<unknown>, name: string): SdkError {
  if (step !== null && typeof step === 'object' && 'error' in step)
    return (step as { error: SdkError }).error;
  throw new Error(`${name}: expected the Python SDK to raise, it returned ${JSON.stringify(step)}`);
}

if (!availability.available) {
  test.skip(`Python SDK fidelity skipped: ${availability.reason}`, () => undefined);
} else {
  describe('azure-sdk-for-python against the emulator', () => {
    let emu: Emulator;
    let obs: Observations;
    let log: RequestLogEntry[];
    const scratch = scratchDir('python');

    beforeAll(async () => {
      emu = await startEmulator({ scenario: scenarioWithAdmin(), ruleDelayMs: 0, pageSize: 1 });
      // A throttled read the SDK must retry after Retry-After (azure-core's RetryPolicy).
      emu.control.faults.add({
        method: 'GET',
        path: /\/resourceGroups\/rg-api\/providers\/Microsoft\.Security\/locations\/eastus\/jitNetworkAccessPolicies\/default\?/,
        status: 429,
        retryAfter: 1,
        times: 1,
      });
      const principal = (name: string): { clientId: string; secret: string } => {
        const p = emu.principals[name];
        if (!p?.secret) throw new Error(`scenario principal ${name} has no secret`);
        return { clientId: p.clientId, secret: p.secret };
      };
      const config = {
        armUrl: emu.armUrl,
        authorityHost: emu.authorityHost,
        tenantId: emu.tenantId,
        subscriptionId: PROD,
        source: SOURCE,
        deployer: principal('jit-deployer'),
        readonly: principal('jit-readonly'),
        admin: principal('jit-admin'),
        managedIdentityEnv: emu.managedIdentity.env,
        githubToken: await githubOidcToken(emu),
        cert: {
          clientId: emu.principals['jit-cert']?.clientId,
          path: writeCertificate(emu, 'jit-cert', scratch.path),
        },
      };
      const run = await runClient(SYSTEM_PYTHON, [join(__dirname, 'python', 'sdk_probe.py')], {
        env: childEnv({ REQUESTS_CA_BUNDLE: emu.caPath }),
        input: JSON.stringify(config),
        timeoutMs: 90_000,
      });
      if (run.code !== 0) throw new Error(`sdk_probe.py exited ${run.code}\n${run.stderr}\n${run.stdout}`);
      obs = JSON.parse(run.stdout) as Observations;
      log = emu.control.requests();
      if (process.env.FIDELITY_DUMP)
        console.log(
          run.stderr,
          JSON.stringify(obs, null, 1),
          log
            .map((e) => `${e.method} ${e.path} ${e.apiVersion ?? ''} ${e.status} ${e.principal ?? ''}`)
            .join('\n'),
        );
    }, 120_000);

    afterAll(async () => {
      await emu?.stop();
      scratch.remove();
    });

    const calls = (method: string, path: RegExp): RequestLogEntry[] =>
      log.filter((e) => e.method === method && path.test(e.path));

    test('Entra ID: secret, certificate, GitHub OIDC assertion, environment and managed identity tokens; a wrong secret gets AADSTS7000215', () => {
      expect(ok(obs.tokenSecret, 'tokenSecret').ok).toBe(true);
      expect(ok(obs.tokenSecret, 'tokenSecret').expiresIn).toBeGreaterThan(3000);
      expect(ok(obs.tokenCertificate, 'tokenCertificate')).toEqual({
        ok: true,
        policies: ['default', 'hub-jit', 'web-jit'],
      });
      // Environment-only configuration (EnvironmentCredential, tenant "adfs") and the App
      // Service managed identity protocol (IDENTITY_ENDPOINT / IDENTITY_HEADER).
      expect(ok(obs.tokenEnvironmentAdfs, 'tokenEnvironmentAdfs')).toEqual(
        ok(obs.tokenCertificate, 'tokenCertificate'),
      );
      expect(ok(obs.tokenGithubAssertion, 'tokenGithubAssertion')).toEqual(
        ok(obs.tokenCertificate, 'tokenCertificate'),
      );
      expect(ok(obs.tokenManagedIdentity, 'tokenManagedIdentity')).toEqual(
        ok(obs.tokenCertificate, 'tokenCertificate'),
      );
      expect(calls('POST', /^\/adfs\/oauth2\/token\/?$/).map((e) => [e.principal, e.status])).toEqual([
        ['jit-deployer', 200],
      ]);
      expect(calls('GET', /^\/msi\/token$/).map((e) => [e.principal, e.status])).toEqual([
        ['jit-agent-mi', 200],
      ]);
      const bad = failed(obs.tokenBadSecret, 'tokenBadSecret');
      expect(bad.type).toBe('ClientAuthenticationError');
      expect(bad.message).toContain('AADSTS7000215');
      // MSAL Python used the AAD (not AD FS) endpoints of this tenant, without instance discovery.
      expect(
        calls('POST', new RegExp(`^/${emu.tenantId}/oauth2/v2\\.0/token$`)).length,
      ).toBeGreaterThanOrEqual(3);
      expect(
        log.some((e) => e.principal === 'jit-cert' && e.provider === 'identity' && e.status === 200),
      ).toBe(true);
    });

    test('Microsoft.Resources: subscriptions, regions, provider registration, resource groups', () => {
      const subs = ok(obs.subscriptions, 'subscriptions');
      expect(subs.subscriptions).toEqual([
        [PROD, 'Contoso Production'],
        ['b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e', 'Contoso Data'],
      ]);
      expect(subs.regions).toEqual(expect.arrayContaining(['eastus', 'westeurope']));
      const provider = ok(obs.providerAndGroups, 'providerAndGroups');
      expect(provider).toMatchObject({
        namespace: 'Microsoft.Security',
        registrationState: 'Registered',
        groups: ['rg-api', 'rg-hub', 'rg-web'],
        exists: true,
        existsMissing: false,
      });
      expect(provider.types['locations/jitNetworkAccessPolicies']).toEqual([
        '2020-01-01',
        '2015-06-01-preview',
      ]);
    });

    test('JIT policies: every list scope pages through nextLink; get; 404s carry ARM codes', () => {
      expect(ok(obs.listSubscription, 'listSubscription')).toEqual(['default', 'hub-jit', 'web-jit']);
      expect(ok(obs.listRegion, 'listRegion')).toEqual(['default', 'hub-jit', 'web-jit']);
      expect(ok(obs.listResourceGroup, 'listResourceGroup')).toEqual(['web-jit']);
      expect(ok(obs.listResourceGroupRegion, 'listResourceGroupRegion')).toEqual(['default']);
      expect(ok(obs.locations, 'locations')).toContain('eastus');
      // Page size 1: the SDK followed nextLink (3 policies -> 3 pages) rather than stopping at page one.
      expect(
        calls('GET', /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Security\/jitNetworkAccessPolicies$/)
          .length,
      ).toBeGreaterThanOrEqual(3);

      const policy = ok(obs.getPolicy, 'getPolicy');
      expect(policy).toMatchObject({ name: 'web-jit', kind: 'Basic', location: 'eastus' });
      expect(policy.vms.map((v) => v.id.split('/').pop())).toEqual(['web-01', 'web-02', 'win-01']);
      expect(policy.vms[0]?.ports).toEqual([
        { number: 22, protocol: 'TCP', allowedSourceAddressPrefix: '*', maxRequestAccessDuration: 'PT3H' },
      ]);

      expect(failed(obs.getMissingPolicy, 'getMissingPolicy')).toMatchObject({
        type: 'ResourceNotFoundError',
        status: 404,
        code: 'PolicyNotFound',
      });
      expect(failed(obs.getPolicyMissingGroup, 'getPolicyMissingGroup')).toMatchObject({
        type: 'ResourceNotFoundError',
        status: 404,
        code: 'ResourceGroupNotFound',
      });
    });

    test('initiate: 202 deserialises (Initiating/UserRequested), history shows Initiated, errors map to 400/403', () => {
      const started = ok(obs.initiate, 'initiate');
      expect(started.ports).toEqual([
        expect.objectContaining({ number: 22, status: 'Initiating', statusReason: 'UserRequested' }),
      ]);
      expect(started.justification).toBe('fidelity test (python)');
      expect(started.startTimeUtc).toMatch(/^\d{4}-\d\d-\d\dT/); // 7-digit .NET time parsed by the SDK
      expect(calls('POST', /\/jitNetworkAccessPolicies\/web-jit\/initiate$/).map((e) => e.status)).toContain(
        202,
      );

      const history = ok(obs.history, 'history');
      expect(history.flatMap((r) => r.ports)).toContainEqual(
        expect.objectContaining({ number: 22, status: 'Initiated', statusReason: 'UserRequested' }),
      );
      expect(history[0]?.startTimeUtc).toBe(started.startTimeUtc);

      const notSubset = failed(obs.initiateNotSubset, 'initiateNotSubset');
      expect(notSubset).toMatchObject({ type: 'HttpResponseError', status: 400 });
      expect(notSubset.errorMessage).toContain('is not a subset of policy');
      expect(failed(obs.initiateTooLong, 'initiateTooLong')).toMatchObject({ status: 400 });
      const forbidden = failed(obs.initiateForbidden, 'initiateForbidden');
      expect(forbidden).toMatchObject({ status: 403, code: 'AuthorizationFailed' });
      expect(forbidden.errorMessage).toContain(
        'Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action',
      );
    });

    test('policy PUT through the SDK serialiser validates, answers Updating, and DELETE succeeds', () => {
      const put = ok(obs.putPolicy, 'putPolicy');
      expect(put.putState).toBe('Updating');
      expect(put.vms.map((v) => v.split('/').pop())).toEqual(['legacy-01']);
      // Deleted again: nothing of it is left in the emulator.
      expect(emu.control.rules('legacy-01-nsg').filter((r) => r.jit)).toEqual([]);
    });

    test('Compute/Network walk: VM -> NIC -> public IP and subnet', () => {
      expect(ok(obs.vmWalk, 'vmWalk')).toEqual({
        vm: 'web-01',
        location: 'eastus',
        nic: 'web-01-nic',
        nicNsg: `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`,
        privateIp: '10.1.1.4',
        publicIp: '20.121.40.10',
        fqdn: 'web-01.eastus.cloudapp.azure.com',
        subnet: 'snet-web1',
        subnetPrefix: '10.1.1.0/24',
      });
      expect(failed(obs.getMissingVm, 'getMissingVm')).toMatchObject({
        status: 404,
        code: 'ResourceNotFound',
      });
    });

    test('the allow rule is visible to the SDK, and begin_delete(...).result() completes the LRO', () => {
      const nsg = ok(obs.nsgAfterInitiate, 'nsgAfterInitiate');
      expect(nsg.defaultRules).toBe(6);
      const allow = nsg.rules.find((r) => r.name.startsWith('SecurityCenter-JITRule-'));
      expect(allow).toMatchObject({
        priority: 100,
        access: 'Allow',
        direction: 'Inbound',
        source: SOURCE,
        destination: '10.1.1.4',
        port: '22',
      });
      expect(allow?.name).toMatch(/^SecurityCenter-JITRule-\d+-[0-9A-F]{32}$/);

      const deleted = ok(obs.deleteAllowRule, 'deleteAllowRule');
      expect(deleted).toMatchObject({
        deleted: allow?.name,
        pollerStatus: 'Succeeded',
        done: true,
        stillThere: false,
      });
      expect(emu.control.rules('web-01-nsg').map((r) => r.name)).not.toContain(allow?.name);
      // The poller followed the operation the DELETE announced.
      expect(calls('DELETE', /\/securityRules\/SecurityCenter-JITRule-/).map((e) => e.status)).toEqual([202]);
      expect(
        calls('GET', /\/providers\/Microsoft\.Network\/locations\/[^/]+\/operations\//).length,
      ).toBeGreaterThan(0);
      expect(failed(obs.getDeletedRule, 'getDeletedRule')).toMatchObject({
        type: 'ResourceNotFoundError',
        status: 404,
      });
    });

    test('a 429 with Retry-After is retried by azure-core and the call succeeds', () => {
      expect(ok(obs.throttledGet, 'throttledGet').name).toBe('default');
      expect(
        calls(
          'GET',
          /\/resourceGroups\/rg-api\/providers\/Microsoft\.Security\/locations\/eastus\/jitNetworkAccessPolicies\/default$/,
        ).map((e) => e.status),
      ).toEqual([429, 200]);
    });
  });
}
