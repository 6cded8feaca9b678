/**
 * Bad-input matrix over both front-ends, through the committed bundles: each
 * case must exit 1 with an error naming the input (and the bad value where it
 * has one), and make ZERO ARM writes (PUT/POST/PATCH/DELETE on ARM paths) in
 * the emulator's request log. Cases run on four lanes, each with its own
 * emulator, so every case's request log is its own; parsing failures need no
 * state reset between cases.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { MatrixReport } from '../../helpers/reliabilityReport';
import {
  EGRESS_IP,
  PROD_SUB,
  adoConnection,
  adoErrors,
  adoStep,
  armWrites,
  ghErrors,
  ghMain,
  normalizeMessage,
} from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';

jest.setTimeout(240_000);

/**
 * Lanes in flight at once, each on its own emulator. A case is one bundle process (start-up,
 * sign-in, a few reads): with two lanes a core sat idle while each case waited on the
 * emulator; four keep both cores of the CI machine busy.
 */
const LANES = 4;

/** An input's name as either front-end may print it: `wait-timeout` or `waitTimeout`. */
function named(input: string): RegExp {
  const parts = input.split('-');
  const camel = parts.map((p, i) => (i === 0 ? p : `${p[0]?.toUpperCase() ?? ''}${p.slice(1)}`)).join('');
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escape(input)}|${escape(camel)}`, 'i');
}

interface BadCase {
  readonly name: string;
  readonly frontEnd: 'github' | 'ado';
  /** Inputs to override (GitHub: action.yml names; ADO: task.json names). */
  readonly inputs?: (emu: Emulator) => Record<string, string>;
  /** ADO only: replace the service connection / environment. */
  readonly ado?: (emu: Emulator) => {
    endpoints?: ReturnType<typeof adoConnection>[];
    env?: Record<string, string>;
  };
  /** The error must match all of these (the input's name, the bad value). */
  readonly expect: readonly RegExp[];
}

const WEB_01_ID = `/subscriptions/${PROD_SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
const gh = (name: string, inputs: Record<string, string>, ...expect: RegExp[]): BadCase => ({
  name: `GitHub: ${name}`,
  frontEnd: 'github',
  inputs: () => inputs,
  expect,
});
const ghE = (
  name: string,
  inputs: (emu: Emulator) => Record<string, string>,
  ...expect: RegExp[]
): BadCase => ({
  name: `GitHub: ${name}`,
  frontEnd: 'github',
  inputs,
  expect,
});
const ado = (name: string, inputs: Record<string, string>, ...expect: RegExp[]): BadCase => ({
  name: `ADO: ${name}`,
  frontEnd: 'ado',
  inputs: () => inputs,
  expect,
});
const adoConn = (
  name: string,
  conn: (emu: Emulator) => { endpoints?: ReturnType<typeof adoConnection>[]; env?: Record<string, string> },
  ...expect: RegExp[]
): BadCase => ({ name: `ADO: ${name}`, frontEnd: 'ado', ado: conn, expect });

const CASES: readonly BadCase[] = [
  // --- GitHub: empty / malformed / out of range
  gh('vms empty', { vms: '' }, named('vms')),
  gh('ports empty', { ports: '' }, named('ports')),
  gh('ports not a number', { ports: '22,abc' }, named('ports'), /abc/),
  gh('port 0', { ports: '0' }, named('ports')),
  gh('port 65536', { ports: '65536' }, named('ports'), /65536/),
  gh('port range', { ports: '22-25' }, named('ports'), /22-25/),
  gh('duration 0', { duration: '0' }, named('duration')),
  gh('duration text', { duration: 'soon' }, named('duration'), /soon/),
  gh('duration negative', { duration: '-5' }, named('duration')),
  gh('duration over the 24 h JIT maximum', { duration: 'PT48H' }, named('duration'), /PT48H/),
  gh('duration over the policy maximum (PT3H)', { duration: '240' }, named('duration'), /PT3H|3 ?h|180/i),
  gh('source * without allow-any-source', { source: '*' }, named('source'), /allow-any-source/),
  gh('source CIDR /33', { source: '10.0.0.0/33' }, named('source'), /10\.0\.0\.0\/33/),
  gh('source octet 300', { source: '300.1.1.1' }, named('source'), /300\.1\.1\.1/),
  gh('source not an address', { source: 'my-laptop' }, named('source'), /my-laptop/),
  gh(
    'source outside the policy prefixes (api-01)',
    { vms: 'api-01', 'resource-group': 'rg-api', source: '192.0.2.1' },
    /192\.0\.2\.1/,
    named('source'),
  ),
  gh('allow-any-source not a boolean', { 'allow-any-source': 'maybe' }, named('allow-any-source'), /maybe/),
  gh('wait-timeout 0', { 'wait-timeout': '0' }, named('wait-timeout')),
  gh('wait-timeout over 1 h', { 'wait-timeout': '99999' }, named('wait-timeout'), /99999/),
  gh('poll-interval 0', { 'poll-interval': '0' }, named('poll-interval')),
  gh('poll-interval 120', { 'poll-interval': '120' }, named('poll-interval')),
  gh(
    'poll-interval longer than wait-timeout',
    { 'poll-interval': '30', 'wait-timeout': '10' },
    named('poll-interval'),
    /wait-timeout/,
  ),
  gh('close-on-post unknown', { 'close-on-post': 'sometimes' }, named('close-on-post'), /sometimes/),
  gh('probe not auto, true or false', { probe: 'perhaps' }, named('probe'), /perhaps/),
  gh('dry-run not a boolean', { 'dry-run': 'yes please' }, named('dry-run')),
  gh('justification too long', { justification: 'x'.repeat(2000) }, named('justification')),
  gh(
    'ip-providers over plain http',
    { source: 'auto', 'ip-providers': 'http://ip.example.com' },
    named('ip-providers'),
    /http:\/\/ip\.example\.com/,
  ),
  gh('ip-providers not a URL', { source: 'auto', 'ip-providers': 'whats my ip' }, named('ip-providers')),
  gh('cloud unknown', { cloud: 'AzureMoon' }, named('cloud'), /AzureMoon/),
  gh('cloud Custom without arm-endpoint', { 'arm-endpoint': '' }, named('arm-endpoint')),
  gh(
    'arm-endpoint over http',
    { 'arm-endpoint': 'http://127.0.0.1:1' },
    named('arm-endpoint'),
    /http:\/\/127\.0\.0\.1:1/,
  ),
  gh(
    'resource ID malformed',
    { vms: '/subscriptions/xyz/resourceGroups' },
    named('vms'),
    /\/subscriptions\/xyz/,
  ),
  gh(
    'resource ID of an NSG, not a VM',
    {
      vms: `/subscriptions/${PROD_SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`,
    },
    named('vms'),
    /networkSecurityGroups/,
  ),
  gh('VM name without resource-group', { 'resource-group': '' }, named('resource-group')),
  gh('resource-group with a slash', { 'resource-group': 'rg/web' }, named('resource-group'), /rg\/web/),
  gh(
    'subscription-id not a GUID',
    { vms: 'web-01', 'subscription-id': 'contoso-prod' },
    named('subscription-id'),
    /contoso-prod/,
  ),
  gh(
    'creds not JSON',
    { creds: '{clientId: oops', 'client-id': '', 'client-secret': '', 'tenant-id': '' },
    named('creds'),
  ),
  gh('client-secret without client-id', { 'client-id': '' }, named('client-id')),
  // --- GitHub: valid syntax, refused against Azure's data (reads only)
  gh('unknown VM', { vms: 'ghost-01' }, /ghost-01/, named('vms')),
  gh('unknown VM next to a good one', { vms: `ghost-02\n${WEB_01_ID}` }, /ghost-02/),
  gh('port outside the policy', { ports: '3389' }, /3389/, named('ports')),
  gh('one of two ports outside the policy', { ports: '22,8080' }, /8080/),
  gh('VM without a JIT policy', { vms: 'legacy-01' }, /legacy-01/, /JIT policy|no policy/i),
  ghE(
    'duplicate VM by name and ID, port outside policy',
    () => ({ vms: `web-01\n${WEB_01_ID}`, ports: '23' }),
    /23/,
  ),

  // --- Azure DevOps: inputs
  ado('vms empty', { vms: '' }, named('vms')),
  ado('ports not a number', { ports: 'ssh' }, named('ports'), /ssh/),
  ado('duration 0', { duration: '0' }, named('duration')),
  ado('source * without allowAnySource', { source: '*' }, named('source'), /allowAnySource: true/),
  ado('source CIDR /40', { source: '203.0.113.0/40' }, named('source'), /\/40/),
  ado('waitTimeout text', { waitTimeout: 'long' }, /input 'waitTimeout'/, /long/),
  ado('closeOnPost unknown', { closeOnPost: 'later' }, /input 'closeOnPost'/, /later/),
  // No cloud inputs in Azure DevOps: the service connection's environment decides the cloud.
  ado('resource ID malformed', { vms: '/subscriptions//resourceGroups/x' }, named('vms')),
  ado('unknown VM', { vms: 'ghost-03' }, /ghost-03/),
  ado('port outside the policy', { ports: '5986' }, /5986/),
  // --- Azure DevOps: service connections
  ado('no service connection', { azureSubscription: '' }, named('azureSubscription')),
  adoConn(
    'connection with an unknown scheme',
    (emu) => ({ endpoints: [adoConnection(emu, { scheme: 'UsernamePassword' })] }),
    /UsernamePassword/,
    /scheme/i,
  ),
  adoConn(
    'connection without its client secret',
    (emu) => ({
      endpoints: [
        adoConnection(emu, {
          parameters: { ...adoConnection(emu).parameters, serviceprincipalkey: '' },
        }),
      ],
    }),
    /serviceprincipalkey/i,
  ),
  adoConn(
    'connection with an unknown authenticationType',
    (emu) => ({
      endpoints: [
        adoConnection(emu, {
          parameters: { ...adoConnection(emu).parameters, authenticationType: 'spnMagic' },
        }),
      ],
    }),
    /spnMagic/,
  ),
  adoConn(
    'connection to an unknown environment without URLs',
    (emu) => ({
      endpoints: [
        {
          ...adoConnection(emu),
          url: '',
          data: { environment: 'AzureMoon', subscriptionid: PROD_SUB },
        },
      ],
    }),
    /AzureMoon/,
  ),
  adoConn(
    'workload identity federation without System.AccessToken',
    (emu) => ({
      endpoints: [
        adoConnection(emu, {
          scheme: 'WorkloadIdentityFederation',
          parameters: { tenantid: '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b', serviceprincipalid: 'x' },
        }),
      ],
      env: { SYSTEM_OIDCREQUESTURI: emu.ado.oidcRequestUri },
    }),
    /System\.AccessToken/,
  ),
  adoConn(
    'AD FS connection',
    (emu) => ({
      endpoints: [
        adoConnection(emu, { data: { ...adoConnection(emu).data, EnableAdfsAuthentication: 'true' } }),
      ],
    }),
    /AD FS/,
  ),
];

interface CaseResult {
  readonly violations: string[];
  readonly message: string;
}

const report = new MatrixReport('bad input');
const scanner = new SecretScanner();
const results = new Map<string, CaseResult>();

async function runCase(emu: Emulator, c: BadCase): Promise<CaseResult> {
  emu.control.clearRequests();
  const violations: string[] = [];
  let exitCode: number | null;
  let errors: string[];
  if (c.frontEnd === 'github') {
    const step = await ghMain(emu, { inputs: { source: EGRESS_IP, ...c.inputs?.(emu) } });
    exitCode = step.exitCode;
    errors = ghErrors(step);
    for (const l of scanner.scanGitHub(c.name, step)) violations.push(`leak in ${l.where}: ${l.what}`);
    if (step.stateFile !== '') violations.push('main saved state although it opened nothing');
  } else {
    const conn = c.ado?.(emu) ?? {};
    const step = await adoStep(emu, 'main', {
      inputs: { source: EGRESS_IP, ...c.inputs?.(emu) },
      ...(conn.endpoints ? { endpoints: conn.endpoints } : {}),
      ...(conn.env ? { env: conn.env } : {}),
    });
    exitCode = step.exitCode;
    errors = adoErrors(step);
    for (const l of scanner.scanAdo(c.name, step)) violations.push(`leak in ${l.where}: ${l.what}`);
  }
  if (exitCode !== 1) violations.push(`exit code ${exitCode}, expected 1`);
  const text = errors.join('\n');
  for (const re of c.expect)
    if (!re.test(text))
      violations.push(`error does not match ${String(re)}: ${text.slice(0, 300) || '(none)'}`);
  const writes = armWrites(emu);
  if (writes.length > 0)
    violations.push(
      `${writes.length} ARM write(s): ${writes.map((w) => `${w.method} ${w.path}`).join(', ')}`,
    );
  return { violations, message: normalizeMessage(errors[0] ?? '(no error)') };
}

beforeAll(async () => {
  // LANES lanes, each with its own emulator: bounded concurrency, per-case request logs.
  const lanes = Array.from({ length: LANES }, (_, lane) => CASES.filter((_, i) => i % LANES === lane));
  await Promise.all(
    lanes.map(async (lane) => {
      const emu = await startEmulator({ ruleDelayMs: 0 });
      scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''), emu.ado.accessToken);
      try {
        for (const c of lane) results.set(c.name, await runCase(emu, c));
      } finally {
        await emu.stop();
      }
    }),
  );
});

afterAll(() => {
  report.note(
    `${CASES.filter((c) => c.frontEnd === 'github').length} GitHub + ${CASES.filter((c) => c.frontEnd === 'ado').length} ADO`,
  );
  report.note(scanner.summary());
  report.flush();
});

it('has at least 40 cases over both front-ends', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(40);
  expect(CASES.some((c) => c.frontEnd === 'ado')).toBe(true);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
});

it.each(CASES.map((c) => [c.name]))('%s → exit 1, error names the input, zero ARM writes', (name) => {
  const r = results.get(name);
  expect(r).toBeDefined();
  expect(report.record(name, r?.violations ?? ['did not run'])).toEqual([]);
});

it('shows each bad-input message once', () => {
  expect(
    CASES.map((c) => `${c.name}\n  ${results.get(c.name)?.message ?? '?'}`).join('\n'),
  ).toMatchSnapshot();
});
