/**
 * Shared set-up of the task's end-to-end tests: the service connections an Azure
 * DevOps project would have for the emulator (an AzureStack-style environment:
 * the connection carries the emulator's Resource Manager URL and authority), the
 * pipeline's inputs and variables, and the secret scan every step goes through.
 */
import type { Emulator } from '../../../emulator';
import type { AdoStepResult, ServiceEndpoint } from '../../helpers/adoAgent';

export const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';
export const PROD_SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const EGRESS_IP = '203.0.113.10';
export const WEB_01_ID = `/subscriptions/${PROD_SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;

export interface Principal {
  readonly clientId: string;
  readonly secret?: string;
  readonly certificatePem?: string;
}

export function principal(emu: Emulator, name: string): Principal {
  const p = (emu.principals as Record<string, Principal | undefined>)[name];
  if (!p) throw new Error(`the emulator has no principal '${name}'`);
  return p;
}

/** Endpoint data and URL of an ARM connection pointing at the emulator. */
function emulatorEnvironment(emu: Emulator): Pick<ServiceEndpoint, 'data' | 'url'> {
  return {
    url: `${emu.armUrl}/`,
    data: {
      environment: 'AzureStack',
      subscriptionid: PROD_SUB,
      subscriptionname: 'Contoso Production',
      scopeLevel: 'Subscription',
      activeDirectoryAuthority: `${emu.authorityHost}/`,
    },
  };
}

export type Scheme = 'secret' | 'certificate' | 'wif' | 'managedIdentity';

/** The ARM service connection for each scheme; its id is the emulator's ADO service connection. */
export function connection(emu: Emulator, scheme: Scheme, who = 'jit-deployer'): ServiceEndpoint {
  const id = emu.ado.serviceConnectionId;
  const base = { id, ...emulatorEnvironment(emu) };
  switch (scheme) {
    case 'secret':
      return {
        ...base,
        scheme: 'ServicePrincipal',
        parameters: {
          authenticationType: 'spnKey',
          tenantid: TENANT,
          serviceprincipalid: principal(emu, who).clientId,
          serviceprincipalkey: principal(emu, who).secret ?? '',
        },
      };
    case 'certificate':
      return {
        ...base,
        scheme: 'ServicePrincipal',
        parameters: {
          authenticationType: 'spnCertificate',
          tenantid: TENANT,
          serviceprincipalid: principal(emu, 'jit-cert').clientId,
          servicePrincipalCertificate: principal(emu, 'jit-cert').certificatePem ?? '',
        },
      };
    case 'wif':
      return {
        ...base,
        scheme: 'WorkloadIdentityFederation',
        parameters: { tenantid: TENANT, serviceprincipalid: principal(emu, who).clientId },
      };
    case 'managedIdentity':
      return {
        ...base,
        scheme: 'ManagedServiceIdentity',
        parameters: { tenantid: TENANT },
        data: { ...base.data, msiclientId: principal(emu, 'jit-agent-mi').clientId },
      };
  }
}

/** Inputs of a step that opens SSH on web-01 (task.json names). */
export function targetInputs(emu: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    azureSubscription: emu.ado.serviceConnectionId,
    vms: 'web-01',
    resourceGroup: 'rg-web',
    ports: '22',
    duration: '15',
    ipProviders: emu.ipEchoUrls.join('\n'),
    waitTimeout: '60',
    ...overrides,
  };
}

/** Variables of the job: trust the emulator's CA; the agent's OIDC endpoint is the emulator's. */
export function agentEnv(emu: Emulator, scheme: Scheme): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: emu.caPath,
    SYSTEM_OIDCREQUESTURI: emu.ado.oidcRequestUri,
    ...(scheme === 'managedIdentity' ? emu.managedIdentity.env : {}),
  };
}

/** The secrets a connection of this scheme hands the task (the PEM as the lines the agent can mask). */
export function connectionSecrets(emu: Emulator, scheme: Scheme): string[] {
  switch (scheme) {
    case 'secret':
      return [principal(emu, 'jit-deployer').secret ?? ''];
    case 'certificate':
      return privateKeyLines(principal(emu, 'jit-cert').certificatePem ?? '');
    case 'wif':
      return [emu.ado.accessToken];
    case 'managedIdentity':
      return [];
  }
}

/** The base64 lines of the PEM's private key block: what must never reach the log. */
export function privateKeyLines(pem: string): string[] {
  const block =
    /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----/.exec(pem)?.[1] ?? '';
  return block
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** A JWT anywhere in a text: header and payload are base64url JSON, so they start with `eyJ`. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Everything a step leaves where people or later steps can read it: the log (stdout
 * without the setsecret commands the agent consumes), stderr, task and output
 * variables and the summary files. None of it may contain a secret or a token.
 */
export function leakedSecrets(step: AdoStepResult, secrets: readonly string[]): string[] {
  const exposed = [
    step.stdoutWithoutSecretCommands,
    step.stderr,
    ...Object.values(step.taskVariables),
    ...Object.values(step.outputs),
    ...step.summaries.map((s) => s.content),
  ].join('\n');
  const found = secrets.filter((s) => s.length >= 8 && exposed.includes(s)).map((s) => `${s.slice(0, 4)}…`);
  const jwts = [...exposed.matchAll(JWT)].map((m) => `JWT ${m[0].slice(0, 12)}…`);
  return [...found, ...jwts];
}

/**
 * Lines of stdout that show `secret` before the task registered it with setsecret
 * (all of them when it never did): the agent masks a value only from then on.
 */
export function linesBeforeMasking(step: AdoStepResult, secret: string): string[] {
  const lines = step.stdout.split(/\r?\n/);
  const masked = lines.findIndex((l) => l === `##vso[task.setsecret]${secret}`);
  const before = masked < 0 ? lines : lines.slice(0, masked);
  return before.filter((l) => l.includes(secret));
}
