/**
 * What the reliability matrices share on top of the runner harnesses
 * (githubRunner.ts, adoAgent.ts), without changing them: the inputs and
 * environment of a step against the emulator, the emulator-side checks every
 * case makes (ARM writes, live allow rules, stored requests), and the
 * normalisation that makes failure messages stable enough for a snapshot.
 */
import type { Emulator, RequestLogEntry, RuleView } from '../../emulator';
import { runAdoStep, type AdoStepOptions, type AdoStepResult, type ServiceEndpoint } from './adoAgent';
import { runStep, type StepOptions, type StepResult } from './githubRunner';
import { NODE_BINARIES } from './nodes';

export const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';
export const PROD_SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const EGRESS_IP = '203.0.113.10';
/** The Node the bundles run under in these suites (the runner's own; lifecycle suites cover Node 24). */
export const NODE = NODE_BINARIES[0]?.path ?? process.execPath;

export function principalOf(emu: Emulator, name = 'jit-deployer'): { clientId: string; secret: string } {
  const p = emu.principals[name];
  if (!p?.secret) throw new Error(`emulator principal '${name}' has no secret`);
  return { clientId: p.clientId, secret: p.secret };
}

export type SignIn = 'secret' | 'oidc';

/** `with:` of a step opening SSH on web-01 in the emulator, signed in with a client secret or OIDC. */
export function ghInputs(
  emu: Emulator,
  overrides: Record<string, string> = {},
  signIn: SignIn = 'secret',
): Record<string, string> {
  const p = principalOf(emu);
  return {
    'client-id': p.clientId,
    'tenant-id': TENANT,
    ...(signIn === 'secret' ? { 'client-secret': p.secret } : {}),
    'subscription-id': PROD_SUB,
    vms: 'web-01',
    'resource-group': 'rg-web',
    ports: '22',
    duration: '15',
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    // Only with source auto: with any other source the core warns that ip-providers is ignored.
    ...((overrides.source ?? 'auto') === 'auto' ? { 'ip-providers': emu.ipEchoUrls.join('\n') } : {}),
    'wait-timeout': '30',
    ...overrides,
  };
}

export function ghEnv(emu: Emulator, signIn: SignIn = 'secret'): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: emu.caPath,
    ...(signIn === 'oidc'
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: emu.github.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.github.requestToken,
        }
      : {}),
  };
}

export interface GhStepArgs {
  readonly inputs?: Record<string, string>;
  readonly signIn?: SignIn;
  readonly env?: Record<string, string>;
  readonly extra?: Partial<StepOptions>;
}

export function ghMain(emu: Emulator, args: GhStepArgs = {}): Promise<StepResult> {
  const signIn = args.signIn ?? 'secret';
  return runStep({
    node: NODE,
    entry: 'main',
    inputs: ghInputs(emu, args.inputs, signIn),
    env: { ...ghEnv(emu, signIn), ...args.env },
    timeoutMs: 90_000,
    ...args.extra,
  });
}

export function ghPost(
  emu: Emulator,
  main: StepResult | undefined,
  args: GhStepArgs = {},
): Promise<StepResult> {
  const signIn = args.signIn ?? 'secret';
  return runStep({
    node: NODE,
    entry: 'post',
    inputs: ghInputs(emu, args.inputs, signIn),
    env: { ...ghEnv(emu, signIn), ...args.env },
    state: main?.state ?? {},
    timeoutMs: 90_000,
    ...args.extra,
  });
}

/** The ARM service connection (client secret) pointing at the emulator, as an AzureStack-style environment. */
export function adoConnection(emu: Emulator, overrides: Partial<ServiceEndpoint> = {}): ServiceEndpoint {
  const p = principalOf(emu);
  return {
    id: emu.ado.serviceConnectionId,
    url: `${emu.armUrl}/`,
    scheme: 'ServicePrincipal',
    parameters: {
      authenticationType: 'spnKey',
      tenantid: TENANT,
      serviceprincipalid: p.clientId,
      serviceprincipalkey: p.secret,
    },
    data: {
      environment: 'AzureStack',
      subscriptionid: PROD_SUB,
      subscriptionname: 'Contoso Production',
      scopeLevel: 'Subscription',
      activeDirectoryAuthority: `${emu.authorityHost}/`,
    },
    ...overrides,
  };
}

export function adoInputs(emu: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    azureSubscription: emu.ado.serviceConnectionId,
    vms: 'web-01',
    resourceGroup: 'rg-web',
    ports: '22',
    duration: '15',
    ...((overrides.source ?? 'auto') === 'auto' ? { ipProviders: emu.ipEchoUrls.join('\n') } : {}),
    waitTimeout: '30',
    ...overrides,
  };
}

export interface AdoStepArgs {
  readonly inputs?: Record<string, string>;
  readonly endpoints?: readonly ServiceEndpoint[];
  readonly env?: Record<string, string>;
  readonly taskVariables?: Record<string, string>;
  readonly extra?: Partial<AdoStepOptions>;
}

export function adoStep(
  emu: Emulator,
  entry: 'main' | 'post',
  args: AdoStepArgs = {},
): Promise<AdoStepResult> {
  return runAdoStep({
    node: NODE,
    entry,
    inputs: adoInputs(emu, args.inputs),
    endpoints: args.endpoints ?? [adoConnection(emu)],
    env: { NODE_EXTRA_CA_CERTS: emu.caPath, ...args.env },
    ...(args.taskVariables ? { taskVariables: args.taskVariables } : {}),
    timeoutMs: 90_000,
    ...args.extra,
  });
}

// ---------------------------------------------------------------------------
// emulator-side checks

const ARM_PROVIDERS = new Set(['security', 'network', 'compute', 'resources']);
const WRITE_METHODS = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

export function isArm(r: RequestLogEntry): boolean {
  return ARM_PROVIDERS.has(r.provider);
}

/** ARM writes in the request log: PUT/POST/PATCH/DELETE on ARM paths (token POSTs are not ARM). */
export function armWrites(emu: Emulator): RequestLogEntry[] {
  return emu.control.requests().filter((r) => isArm(r) && WRITE_METHODS.has(r.method.toUpperCase()));
}

/** JIT allow rules in one NSG (optionally for one source), as the emulator holds them now. */
export function allowRules(emu: Emulator, nsg: string, source?: string): RuleView[] {
  return emu.control
    .rules(nsg)
    .filter(
      (r) =>
        r.jit === 'allow' &&
        r.properties.access === 'Allow' &&
        (source === undefined || r.properties.sourceAddressPrefix === source),
    );
}

/** Every JIT allow rule in the emulator, all NSGs. */
export function allAllowRules(emu: Emulator): RuleView[] {
  return emu.control.rules().filter((r) => r.jit === 'allow');
}

/** The end times (ms) of the requests stored under `policy` that are still Initiated. */
export function storedEndTimes(emu: Emulator, policy?: string): number[] {
  return emu.control
    .jitRequests(policy)
    .flatMap((r) => r.request.virtualMachines.flatMap((v) => v.ports.map((p) => Date.parse(p.endTimeUtc))));
}

// ---------------------------------------------------------------------------
// what the user sees

export function ghErrors(step: StepResult): string[] {
  return step.annotations.filter((a) => a.level === 'error').map((a) => a.message);
}
export function ghWarnings(step: StepResult): string[] {
  return step.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
}
export function adoErrors(step: AdoStepResult): string[] {
  return [
    ...step.issues.filter((i) => i.type === 'error').map((i) => i.message),
    ...(step.result && step.result.result !== 'Succeeded' ? [step.result.message] : []),
  ];
}
export function adoWarnings(step: AdoStepResult): string[] {
  return step.issues.filter((i) => i.type === 'warning').map((i) => i.message);
}

/**
 * Makes a message stable across runs for a snapshot: the emulator's port,
 * timestamps, durations measured in ms and request/correlation IDs vary; the
 * words users read do not.
 */
export function normalizeMessage(text: string): string {
  return text
    .replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<time>')
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT/g, '<http-date>')
    .replace(/\b\d+(\.\d+)? ?ms\b/g, '<n> ms')
    .replace(/(correlation|request|tracking)[ -]?(id|ID)[:= ]+[0-9a-f-]{8,}/gi, '$1 id <id>')
    .replace(/SecurityCenter-JITRule-[-0-9A-Za-z]+/g, 'SecurityCenter-JITRule-<n>')
    .replace(/\/operations\/[0-9a-f-]+/g, '/operations/<id>')
    .replace(/\b(Trace|Correlation) ID: [0-9a-f-]+/gi, '$1 ID: <id>')
    .replace(/\bTimestamp: [^\s]+( [^\s]+)?/g, 'Timestamp: <time>')
    .replace(/\bAADSTS\d+/g, (m) => m);
}
