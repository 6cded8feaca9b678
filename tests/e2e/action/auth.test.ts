/**
 * Sign-in paths of the committed bundle, against the emulator's Entra ID and GitHub token service:
 * OIDC, a client secret, a `creds` JSON, and nothing usable. Every run is scanned for secrets.
 */
import { startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import { removeStepFiles, runStep, type StepResult } from '../../helpers/githubRunner';
import { fakeAz } from './fakeAz';
import {
  actionNodes,
  EGRESS_IP,
  PROD_SUB,
  TENANT,
  baseEnv,
  leakedSecrets,
  oidcEnv,
  oidcInputs,
  principal,
  targetInputs,
} from './fixture';

jest.setTimeout(120_000);

describe.each(actionNodes().map((n) => [n.name, n.path] as const))('Action sign-in on %s', (_name, node) => {
  let emu: Emulator;
  let secret: string;

  beforeAll(async () => {
    emu = await startEmulator({ ruleDelayMs: 0 });
    secret = principal(emu, 'jit-deployer').secret ?? '';
    expect(secret.length).toBeGreaterThan(8);
  });
  afterAll(async () => {
    await emu.stop();
    removeStepFiles();
  });
  beforeEach(() => emu.control.clearRequests());

  const secrets = (): string[] => [secret, emu.github.requestToken];
  const requests = (): RequestLogEntry[] => emu.control.requests();
  /** Writes to Azure resources (token requests are POSTs too, but change nothing). */
  const armWrites = (): RequestLogEntry[] =>
    requests().filter((r) => r.write && r.provider !== 'identity' && r.provider !== 'oidc');

  /** main then post with the same sign-in, as one job would run them. */
  async function openAndClose(
    inputs: Record<string, string>,
    env: Record<string, string>,
  ): Promise<[StepResult, StepResult]> {
    const opened = await runStep({ node, entry: 'main', inputs: { ...targetInputs(emu), ...inputs }, env });
    const closed = await runStep({
      node,
      entry: 'post',
      inputs: { ...targetInputs(emu), ...inputs },
      env,
      state: opened.state,
    });
    return [opened, closed];
  }

  function expectOpenedAndClosed([opened, closed]: [StepResult, StepResult], method: RegExp): void {
    expect(opened.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(opened.exitCode).toBe(0);
    expect(opened.outputs.ip).toBe(EGRESS_IP);
    expect(opened.log).toMatch(method);
    expect(closed.exitCode).toBe(0);
    expect(closed.log).toMatch(method);
    for (const step of [opened, closed]) expect(leakedSecrets(step, secrets())).toEqual([]);
  }

  it('OIDC: exchanges the GitHub ID token for an Entra token, and logs the token claims, not the token', async () => {
    const steps = await openAndClose(oidcInputs(emu), { ...baseEnv(emu), ...oidcEnv(emu) });

    expectOpenedAndClosed(steps, /Signed in with OIDC/);
    expect(steps[0].log).toContain("sub 'repo:contoso/webapp:ref:refs/heads/main'");
    // @actions/core masked the ID token the moment it had it.
    expect(steps[0].masks.some((m) => m.startsWith('eyJ'))).toBe(true);
    expect(requests().some((r) => r.provider === 'oidc')).toBe(true);
  });

  it('client secret input: used and masked before anything else', async () => {
    const steps = await openAndClose(
      { 'client-id': principal(emu, 'jit-deployer').clientId, 'tenant-id': TENANT, 'client-secret': secret },
      baseEnv(emu),
    );

    expectOpenedAndClosed(steps, /Signed in with a client secret \(from the client-secret input\)/);
    expect(steps[0].outputs['client-id']).toBe(principal(emu, 'jit-deployer').clientId);
    expect(steps[0].outputs['principal-id']).toBe(principal(emu, 'jit-deployer').objectId);
    // Masked as soon as the Action read it: before the sign-in, let alone any output.
    const masked = steps[0].stdout.indexOf(`::add-mask::${secret}`);
    expect(masked).toBeGreaterThanOrEqual(0);
    expect(masked).toBeLessThan(steps[0].stdout.indexOf('Signed in with'));
  });

  it("auth-type: IDENTITY signs in as the runner's managed identity, and the outputs say who signed in", async () => {
    const mi = principal(emu, 'jit-agent-mi');
    const env = { ...baseEnv(emu), ...emu.managedIdentity.env };
    const system = await openAndClose({ 'auth-type': 'IDENTITY' }, env);
    expectOpenedAndClosed(system, /Signed in with the runner's managed identity \(system-assigned\)/);
    expect(system[0].outputs).toMatchObject({
      'subscription-id': PROD_SUB,
      'client-id': mi.clientId,
      'principal-id': mi.objectId,
    });

    const user = await openAndClose({ 'auth-type': 'identity', 'client-id': mi.clientId }, env);
    expectOpenedAndClosed(user, new RegExp(`managed identity \\(user-assigned, client ${mi.clientId}\\)`));
    expect(user[0].outputs['principal-id']).toBe(mi.objectId);
  });

  it("environment: azure/login's name for cloud is accepted; a different cloud in both is refused", async () => {
    const signIn = {
      'client-id': principal(emu, 'jit-deployer').clientId,
      'tenant-id': TENANT,
      'client-secret': secret,
    };
    const { cloud: _cloud, ...withoutCloud } = targetInputs(emu);
    const opened = await runStep({
      node,
      entry: 'main',
      inputs: { ...withoutCloud, ...signIn, environment: 'Custom', 'dry-run': 'true' },
      env: baseEnv(emu),
    });
    expect(opened.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(opened.exitCode).toBe(0);
    expect(opened.log).toContain('(cloud Custom,');

    const both = await runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), ...signIn, environment: 'AzureUSGovernment' },
      env: baseEnv(emu),
    });
    expect(both.exitCode).toBe(1);
    expect(both.annotations.find((a) => a.level === 'error')?.message).toContain(
      'differs from environment (AzureUSGovernment)',
    );
    expect(armWrites()).toEqual([]);
  });

  it('creds JSON: IDs and secret from one document, like azure/login', async () => {
    const creds = JSON.stringify({
      clientId: principal(emu, 'jit-deployer').clientId,
      clientSecret: secret,
      subscriptionId: PROD_SUB,
      tenantId: TENANT,
    });
    const steps = await openAndClose({ creds, 'subscription-id': '' }, baseEnv(emu));

    expectOpenedAndClosed(steps, /Signed in with a client secret \(from creds\)/);
    expect(steps[0].masks).toEqual(expect.arrayContaining([creds, secret]));
  });

  it('nothing usable: one clear error listing what was tried and what to add, no Azure write', async () => {
    const none = await runStep({ node, entry: 'main', inputs: targetInputs(emu), env: baseEnv(emu) });

    expect(none.exitCode).toBe(1);
    const errors = none.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const message = errors[0]?.message ?? '';
    expect(message).toContain('OIDC: not configured');
    expect(message).toContain('Client secret: not configured');
    expect(message).toContain('Azure CLI');
    expect(message).toContain('id-token: write');
    expect(message).toContain('creds: ${{ secrets.AZURE_CREDENTIALS }}');
    expect(armWrites()).toEqual([]);
    expect(none.stateFile).toBe('');
  });

  it('an Azure CLI session (as azure/login leaves): used when no sign-in input is given', async () => {
    const az = fakeAz({
      authorityHost: emu.authorityHost,
      tenantId: TENANT,
      clientId: principal(emu, 'jit-deployer').clientId,
      secret,
      subscriptionId: PROD_SUB,
    });
    // No subscription-id: it comes from `az account show`, as azure/login selected it.
    const inputs = { ...targetInputs(emu), 'subscription-id': '' };
    const opened = await runStep({ node, entry: 'main', inputs, env: baseEnv(emu), tools: { az } });
    const closed = await runStep({
      node,
      entry: 'post',
      inputs,
      env: baseEnv(emu),
      tools: { az },
      state: opened.state,
    });

    expectOpenedAndClosed([opened, closed], /Signed in with the Azure CLI session/);
  });

  it('client-id and tenant-id without id-token permission: says to grant it', async () => {
    const none = await runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu) },
      env: baseEnv(emu),
    });

    expect(none.exitCode).toBe(1);
    expect(none.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /ACTIONS_ID_TOKEN_REQUEST_URL is not set\): grant `permissions: id-token: write`/,
    );
    expect(armWrites()).toEqual([]);
  });

  it('OIDC when GitHub refuses the ID token request: says so and how to fix it', async () => {
    const failed = await runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu) },
      env: { ...baseEnv(emu), ...oidcEnv(emu), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'expired-request-token' },
    });

    expect(failed.exitCode).toBe(1);
    const message = failed.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toContain(
      "Could not get the GitHub OIDC token for audience 'api://AzureADTokenExchange'",
    );
    expect(message).toContain('id-token: write');
    expect(armWrites()).toEqual([]);
    expect(leakedSecrets(failed, [...secrets(), 'expired-request-token'])).toEqual([]);
  });

  it('OIDC for an app without a matching federated credential: shows the subject to add', async () => {
    const failed = await runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu, 'jit-readonly') },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
    });

    expect(failed.exitCode).toBe(1);
    const message = failed.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toContain('OIDC sign-in for client');
    expect(message).toContain('federated credential');
    expect(failed.log).toContain("sub 'repo:contoso/webapp:ref:refs/heads/main'");
    expect(armWrites()).toEqual([]);
    expect(leakedSecrets(failed, secrets())).toEqual([]);
  });

  it('a wrong client secret: names the client, never the secret', async () => {
    const wrong = `${secret}-rotated`;
    const failed = await runStep({
      node,
      entry: 'main',
      inputs: {
        ...targetInputs(emu),
        'client-id': principal(emu, 'jit-deployer').clientId,
        'tenant-id': TENANT,
        'client-secret': wrong,
      },
      env: baseEnv(emu),
    });

    expect(failed.exitCode).toBe(1);
    expect(failed.annotations.find((a) => a.level === 'error')?.message).toContain(
      `client secret for client ${principal(emu, 'jit-deployer').clientId}`,
    );
    expect(leakedSecrets(failed, [wrong, secret])).toEqual([]);
    expect(armWrites()).toEqual([]);
  });

  it('malformed creds: names the input without echoing it', async () => {
    const creds = `{"clientId": "x", "clientSecret": "${secret}"`;
    const failed = await runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), creds },
      env: baseEnv(emu),
    });

    expect(failed.exitCode).toBe(1);
    expect(failed.annotations.find((a) => a.level === 'error')?.message).toContain("input 'creds'");
    expect(leakedSecrets(failed, [secret, creds])).toEqual([]);
    expect(armWrites()).toEqual([]);
  });
});
