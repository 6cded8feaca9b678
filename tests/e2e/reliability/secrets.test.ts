/**
 * Secrets: every sign-in path of both bundles (GitHub: OIDC, client secret,
 * `creds` JSON; Azure DevOps: secret, certificate, workload identity
 * federation), main then post, with the runners' DEBUG logging on (where a
 * token is most likely to slip out). Everything the steps leave readable
 * (stdout minus consumed mask commands, stderr, state, outputs, summaries) is
 * scanned for every secret, private key line, OIDC request token, System
 * access token and ANY JWT (ID tokens, assertions, access tokens): zero allowed.
 * The other reliability matrices run the same scanner over their own steps.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadScenario, startEmulator, type Emulator } from '../../../emulator';
import type { AdoStepResult, ServiceEndpoint } from '../../helpers/adoAgent';
import type { StepResult } from '../../helpers/githubRunner';
import { MatrixReport, mapLimit } from '../../helpers/reliabilityReport';
import {
  EGRESS_IP,
  PROD_SUB,
  TENANT,
  adoConnection,
  adoStep,
  allowRules,
  ghMain,
  ghPost,
  principalOf,
} from '../../helpers/reliabilityRuns';
import { SecretScanner, sweepStepFiles } from '../../helpers/reliabilitySecrets';

jest.setTimeout(180_000);

const GITHUB_DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' };
const ADO_DEBUG = { SYSTEM_DEBUG: 'true' };

interface SecretCase {
  readonly name: string;
  readonly run: (emu: Emulator, scanner: SecretScanner) => Promise<string[]>;
}

function certificate(emu: Emulator): string {
  const pem = emu.principals['jit-cert']?.certificatePem;
  if (!pem) throw new Error('the emulator has no jit-cert certificate');
  return pem;
}

async function gitHubCase(
  emu: Emulator,
  scanner: SecretScanner,
  signIn: 'oidc' | 'secret',
  inputs: Record<string, string>,
): Promise<string[]> {
  const violations: string[] = [];
  const args = { inputs: { source: EGRESS_IP, ...inputs }, signIn, env: GITHUB_DEBUG } as const;
  const main = await ghMain(emu, args);
  const post = await ghPost(emu, main, args);
  check(emu, main.exitCode, post.exitCode, violations);
  for (const [label, s] of [
    ['main', main],
    ['post', post],
  ] as [string, StepResult][])
    for (const l of scanner.scanGitHub(label, s)) violations.push(`${l.what} in ${l.where}`);
  if (!main.stdout.includes('::debug::'))
    violations.push('debug logging was not on: the scan would miss debug lines');
  return violations;
}

async function adoCase(
  emu: Emulator,
  scanner: SecretScanner,
  endpoint: ServiceEndpoint,
  extra: { systemAccessToken?: string; env?: Record<string, string> } = {},
): Promise<string[]> {
  const violations: string[] = [];
  const base = {
    inputs: { source: EGRESS_IP },
    endpoints: [endpoint],
    env: { ...ADO_DEBUG, ...extra.env },
    ...(extra.systemAccessToken ? { extra: { systemAccessToken: extra.systemAccessToken } } : {}),
  };
  const main = await adoStep(emu, 'main', base);
  const post = await adoStep(emu, 'post', { ...base, taskVariables: { ...main.taskVariables } });
  check(emu, main.exitCode, post.exitCode, violations);
  for (const [label, s] of [
    ['main', main],
    ['post', post],
  ] as [string, AdoStepResult][])
    for (const l of scanner.scanAdo(label, s)) violations.push(`${l.what} in ${l.where}`);
  if (!main.stdout.includes('##vso[task.debug]')) violations.push('debug logging was not on');
  return violations;
}

/** The runs must really have signed in and opened/closed, or the scan proves nothing. */
function check(emu: Emulator, mainExit: number | null, postExit: number | null, violations: string[]): void {
  if (mainExit !== 0) violations.push(`main exited ${mainExit}: the sign-in path was not exercised`);
  if (postExit !== 0) violations.push(`post exited ${postExit}`);
  if (allowRules(emu, 'web-01-nsg', EGRESS_IP).length > 0) violations.push('rule left open');
}

const CASES: readonly SecretCase[] = [
  { name: 'GitHub OIDC', run: (emu, s) => gitHubCase(emu, s, 'oidc', {}) },
  { name: 'GitHub client secret', run: (emu, s) => gitHubCase(emu, s, 'secret', {}) },
  {
    name: 'GitHub creds JSON',
    run: (emu, s) => {
      const p = principalOf(emu);
      const creds = JSON.stringify({
        clientId: p.clientId,
        clientSecret: p.secret,
        subscriptionId: PROD_SUB,
        tenantId: TENANT,
      });
      s.add(creds);
      return gitHubCase(emu, s, 'oidc', { creds, 'client-id': '', 'tenant-id': '' });
    },
  },
  { name: 'ADO service principal secret', run: (emu, s) => adoCase(emu, s, adoConnection(emu)) },
  {
    name: 'ADO service principal certificate',
    run: (emu, s) =>
      adoCase(
        emu,
        s,
        adoConnection(emu, {
          parameters: {
            authenticationType: 'spnCertificate',
            tenantid: TENANT,
            serviceprincipalid: emu.principals['jit-cert']?.clientId ?? '',
            servicePrincipalCertificate: certificate(emu),
          },
        }),
      ),
  },
  {
    name: 'ADO workload identity federation',
    run: (emu, s) =>
      adoCase(
        emu,
        s,
        adoConnection(emu, {
          scheme: 'WorkloadIdentityFederation',
          parameters: { tenantid: TENANT, serviceprincipalid: principalOf(emu).clientId },
        }),
        { systemAccessToken: emu.ado.accessToken, env: { SYSTEM_OIDCREQUESTURI: emu.ado.oidcRequestUri } },
      ),
  },
];

const report = new MatrixReport('secrets');
const scanner = new SecretScanner();
const results = new Map<string, string[]>();

beforeAll(async () => {
  await mapLimit(CASES, 3, async (c) => {
    const emu = await startEmulator({ ruleDelayMs: 0 });
    const own = new SecretScanner(emu);
    try {
      results.set(c.name, await c.run(emu, own));
    } finally {
      await emu.stop();
    }
    scanner.absorb(own);
  });
});

afterAll(() => {
  report.note(scanner.summary());
  report.flush();
});

it('the scanner itself finds a planted secret, a private key line and a JWT', () => {
  const probe = new SecretScanner({
    principals: { p: { secret: 'planted-secret-value', certificatePem: PLANTED_PEM } },
    github: { requestToken: 'gh-request-token-value' },
    ado: { accessToken: 'ado-access-token-value' },
  });
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  expect(probe.scanText('a', 'log: planted-secret-value').length).toBe(1);
  expect(probe.scanText('b', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC').length).toBe(1);
  expect(probe.scanText('c', `Bearer ${jwt}`).length).toBe(1);
  expect(probe.scanText('d', 'gh-request-token-value ado-access-token-value').length).toBe(2);
  expect(probe.scanText('e', 'nothing to see: *** and ***').length).toBe(0);
});

const PLANTED_PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
  '-----END PRIVATE KEY-----',
].join('\n');

it.each(CASES.map((c) => [c.name]))('%s: no secret, key, token or JWT in anything the steps left', (name) => {
  expect(report.record(name, results.get(name) ?? ['did not run'])).toEqual([]);
});

it('no secret or JWT in the step files ANY suite left (GitHub outputs/state/summaries, ADO summaries)', () => {
  // The default scenario's fixed client secrets, plus any JWT: tokens of every emulator instance.
  const sweep = new SecretScanner();
  sweep.add(...loadScenario(undefined).principals.flatMap((p) => (p.secret ? [p.secret] : [])));
  // Other suites' step files are kept in JIT_TEST_STEP_FILES when their temp folder is removed
  // (tests/jest/environment.js); this suite's own are still in its temp folder.
  const swept = [process.env.JIT_TEST_STEP_FILES, tmpdir()]
    .filter((dir): dir is string => dir !== undefined && existsSync(dir))
    .map((dir) => sweepStepFiles(sweep, dir, 3 * 60 * 60_000));
  const dirs = swept.reduce((n, s) => n + s.dirs, 0);
  const files = swept.reduce((n, s) => n + s.files, 0);
  report.note(
    `sweep of all suites' step files: ${files} files in ${dirs} step folders, ${sweep.leaks.length} leaks`,
  );
  expect(files).toBeGreaterThan(0);
  expect(
    report.record(
      'sweep of all suites',
      sweep.leaks.map((l) => `${l.what} in ${l.where}`),
    ),
  ).toEqual([]);
});
