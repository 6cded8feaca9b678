/**
 * Sign-in from each kind of Azure Resource Manager service connection, on the
 * bundled task against the emulator, under Node 20 and Node 24: the initiate is
 * made as the connection's principal, its secrets are masked the moment they are
 * read and appear nowhere else, and post (same connection) closes the access.
 * An unsupported scheme fails with one clear error and no Azure call.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { describeStep, runAdoStep } from '../../helpers/adoAgent';
import { NODE_BINARIES } from '../../helpers/nodes';
import {
  EGRESS_IP,
  agentEnv,
  connection,
  connectionSecrets,
  leakedSecrets,
  targetInputs,
  type Scheme,
} from './fixture';

jest.setTimeout(120_000);

const ARM_PROVIDERS: readonly string[] = ['security', 'network', 'compute', 'resources'];

const CASES: readonly (readonly [Scheme, string, RegExp])[] = [
  ['secret', 'jit-deployer', /client secret/],
  ['certificate', 'jit-cert', /certificate/],
  ['wif', 'jit-deployer', /workload identity federation/],
  ['managedIdentity', 'jit-agent-mi', /managed identity/],
];

describe.each(NODE_BINARIES.map((n) => [n.name, n.path] as const))(
  'service connections on %s',
  (_name, node) => {
    let emu: Emulator;

    beforeAll(async () => {
      emu = await startEmulator({ ruleDelayMs: 0 });
    });
    afterAll(async () => {
      await emu.stop();
    });
    beforeEach(() => emu.control.clearRequests());

    const run = (entry: 'main' | 'post', scheme: Scheme, taskVariables?: Record<string, string>) =>
      runAdoStep({
        node,
        entry,
        inputs: targetInputs(emu),
        endpoints: [connection(emu, scheme)],
        systemAccessToken: emu.ado.accessToken,
        env: agentEnv(emu, scheme),
        ...(taskVariables ? { taskVariables } : {}),
      });

    it.each(CASES)('%s: opens as %s, masks its secrets, and post closes', async (scheme, who, method) => {
      const opened = await run('main', scheme);

      expect({ result: opened.result?.result, log: describeStep(opened) }).toMatchObject({
        result: 'Succeeded',
      });
      expect(opened.stdout).toMatch(method);
      // ARM writes only: the OIDC and token POSTs are writes too, made before anyone is signed in.
      const writes = emu.control.requests().filter((r) => r.write && ARM_PROVIDERS.includes(r.provider));
      expect(writes.length).toBeGreaterThan(0);
      expect([...new Set(writes.map((r) => r.principal))]).toEqual([who]);
      // The output variables say who signed in: the connection's identity, from its token.
      const signedIn = emu.principals[who];
      expect(opened.outputs).toMatchObject({
        clientId: signedIn?.clientId,
        principalId: signedIn?.objectId,
      });
      if (scheme === 'wif') {
        // The federated token came from the agent's OIDC endpoint, not from a secret.
        expect(emu.control.requests().some((r) => r.provider === 'oidc')).toBe(true);
      }
      for (const secret of connectionSecrets(emu, scheme)) expect(opened.secrets).toContain(secret);
      const allSecrets = [...connectionSecrets(emu, scheme), emu.ado.accessToken];
      expect(leakedSecrets(opened, allSecrets)).toEqual([]);
      expect(opened.outputs.ip).toBe(EGRESS_IP);

      const closed = await run('post', scheme, opened.taskVariables);

      expect({ result: closed.result?.result, log: describeStep(closed) }).toMatchObject({
        result: 'Succeeded',
      });
      const deletes = emu.control.requests().filter((r) => r.method === 'DELETE');
      expect(deletes.length).toBeGreaterThan(0);
      expect([...new Set(deletes.map((r) => r.principal))]).toEqual([who]);
      expect(
        emu.control.rules('web-01-nsg').filter((r) => r.properties.sourceAddressPrefix === EGRESS_IP),
      ).toEqual([]);
      expect(leakedSecrets(closed, allSecrets)).toEqual([]);
    });

    it('an unsupported scheme fails with one error naming it and the supported ones, before any Azure call', async () => {
      const failed = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu),
        endpoints: [
          {
            id: emu.ado.serviceConnectionId,
            scheme: 'PublishProfile',
            parameters: { publishProfile: '<publishData/>' },
            data: { subscriptionid: 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d' },
            url: `${emu.armUrl}/`,
          },
        ],
        env: agentEnv(emu, 'secret'),
      });

      expect(failed.result?.result).toBe('Failed');
      expect(failed.exitCode).toBe(1);
      const errors = failed.issues.filter((i) => i.type === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain("'PublishProfile'");
      expect(errors[0]?.message).toMatch(
        /ServicePrincipal.*WorkloadIdentityFederation.*ManagedServiceIdentity/,
      );
      expect(emu.control.requests().filter((r) => r.provider !== 'ip')).toEqual([]);
    });

    it('an agent that passes only per-parameter endpoint variables works, and never logs the key', async () => {
      const opened = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu),
        endpoints: [{ ...connection(emu, 'secret'), authJson: false }],
        env: agentEnv(emu, 'secret'),
      });

      expect({ result: opened.result?.result, log: describeStep(opened) }).toMatchObject({
        result: 'Succeeded',
      });
      expect(leakedSecrets(opened, connectionSecrets(emu, 'secret'))).toEqual([]);
      const closed = await run('post', 'secret', opened.taskVariables);
      expect(closed.result?.result).toBe('Succeeded');
    });

    it('a wrong client secret fails as a sign-in error naming the connection, with the key masked', async () => {
      const endpoint = connection(emu, 'secret');
      const wrongKey = 'wrong-secret-value-123';
      const failed = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu),
        endpoints: [{ ...endpoint, parameters: { ...endpoint.parameters, serviceprincipalkey: wrongKey } }],
        env: agentEnv(emu, 'secret'),
      });

      expect(failed.result?.result).toBe('Failed');
      const error = failed.issues.find((i) => i.type === 'error')?.message ?? '';
      // Named by its subscription: the GUID the agent passes means nothing to the reader.
      expect(error).toMatch(
        /^Sign-in with service principal \S+ with a client secret \(the service connection for subscription 'Contoso Production'\) failed/,
      );
      expect(error).not.toContain(endpoint.id);
      expect(error).toMatch(/client secret/);
      expect(failed.secrets).toContain(wrongKey);
      expect(leakedSecrets(failed, [wrongKey])).toEqual([]);
      expect(emu.control.requests().filter((r) => r.write && ARM_PROVIDERS.includes(r.provider))).toEqual([]);
    });

    it('workload identity federation with a connection Entra does not trust names the federated credential to check', async () => {
      const untrusted = '0b0b0b0b-1111-4222-8333-444444444444';
      const failed = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu, { azureSubscription: untrusted }),
        endpoints: [{ ...connection(emu, 'wif'), id: untrusted }],
        systemAccessToken: emu.ado.accessToken,
        env: agentEnv(emu, 'wif'),
      });

      expect(failed.result?.result).toBe('Failed');
      const error = failed.issues.find((i) => i.type === 'error')?.message ?? '';
      expect(error).toContain("(the service connection for subscription 'Contoso Production') failed");
      expect(error).not.toContain(untrusted);
      expect(error).toContain('federated credential');
      expect(leakedSecrets(failed, [emu.ado.accessToken])).toEqual([]);
    });

    it('a read-only principal fails with the permission it lacks, and post has nothing to close', async () => {
      const endpoint = connection(emu, 'secret', 'jit-readonly');
      const failed = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu),
        endpoints: [endpoint],
        env: agentEnv(emu, 'secret'),
      });

      expect(failed.result?.result).toBe('Failed');
      expect(failed.issues.find((i) => i.type === 'error')?.message).toMatch(
        /AuthorizationFailed|permission/i,
      );
      expect(leakedSecrets(failed, [endpoint.parameters.serviceprincipalkey ?? ''])).toEqual([]);

      emu.control.clearRequests();
      const post = await runAdoStep({
        node,
        entry: 'post',
        inputs: targetInputs(emu),
        endpoints: [endpoint],
        env: agentEnv(emu, 'secret'),
        taskVariables: failed.taskVariables,
      });
      expect(post.result?.result).toBe('Succeeded');
      expect(emu.control.requests().filter((r) => r.method === 'DELETE')).toEqual([]);
    });
  },
);
