/**
 * Fault matrix: every case runs main then post through the committed GitHub
 * Action bundle (a sample also through the Azure DevOps task bundle), each
 * against its own emulator with the fault armed. For every case:
 * - success, or a failure whose message names the cause;
 * - retries bounded (attempts on the faulted path) and Retry-After honoured
 *   (the retry did not come before the server allowed it);
 * - no access longer than asked: every stored request ends at most the
 *   requested duration after it started;
 * - after post, our rules are gone or a warning says what remains and until when;
 * - no secret or token in anything the steps left behind.
 * The cases run six at a time (each waits mostly on the emulator, not CPU), longest first.
 */
import { startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import type { AdoStepResult } from '../../helpers/adoAgent';
import type { StepResult } from '../../helpers/githubRunner';
import { MatrixReport, mapLimit } from '../../helpers/reliabilityReport';
import {
  EGRESS_IP,
  adoErrors,
  adoStep,
  adoWarnings,
  allowRules,
  ghErrors,
  ghMain,
  ghPost,
  ghWarnings,
  isArm,
  normalizeMessage,
} from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';
import { DATE_AHEAD_MS, faultCases, type FaultCase } from './faultCases';

jest.setTimeout(300_000);

const DURATION_MIN = 15;
/** The server-clock estimate may be up to the Date header's 1 s resolution early; JIT stores ms. */
const END_TOLERANCE_MS = 2000;

interface Outcome {
  readonly case: FaultCase;
  readonly violations: string[];
  readonly mainMessage: string;
  readonly postMessage: string;
}

const MAX_STEP_REQUESTS = 60;
/**
 * Cases in flight at once, each on its own emulator. Most of a case is idle (Retry-After,
 * back-off, wait-timeouts): measured alone, the matrix used half of one core with six in flight.
 */
const CONCURRENT_CASES = 8;
/**
 * Post's late-rule grace, shortened from the core's 60 s (shared/jit/close.ts): the case that
 * waits it out proves the wait and the warning, not the length. Still far longer than the
 * longest rule delay a case sets (6 s, counted from initiate, before main even fails; post
 * starts about 3 s later, so the late rule comes ~3 s into its grace).
 */
const LATE_RULE_GRACE_ENV = { AZURE_JIT_ACCESS_LATE_RULE_GRACE_MS: '10000' };
let maxStepRequests = 0;

const report = new MatrixReport('faults');
const scanner = new SecretScanner();
const outcomes = new Map<string, Outcome>();

/** Watches the emulator every 10 ms while `step` runs. */
async function watching<T>(emu: Emulator, fn: FaultCase['during'], step: Promise<T>): Promise<T> {
  if (!fn) return step;
  const memo = new Set<string>();
  const timer = setInterval(() => fn(emu, memo), 10);
  try {
    return await step;
  } finally {
    clearInterval(timer);
  }
}

/** Checks every fault case shares, on the emulator's side. */
function emulatorChecks(
  emu: Emulator,
  c: FaultCase,
  stepLog: readonly RequestLogEntry[],
  armedAtMs: number,
  violations: string[],
): void {
  // Whatever the fault, a step stays far from a storm: a normal main makes ~16 requests
  // (sign-in, IP, 8 ARM reads/writes, polls); 60 leaves room for every call's bounded retries.
  maxStepRequests = Math.max(maxStepRequests, stepLog.length);
  if (stepLog.length > MAX_STEP_REQUESTS)
    violations.push(`${stepLog.length} requests in one step (max ${MAX_STEP_REQUESTS}): retry storm`);
  if (c.faultedPath) {
    const method = c.faults?.[0]?.method ?? c.faultedMethod;
    const attempts = stepLog.filter(
      (r) => isArm(r) && c.faultedPath?.test(pathOf(r)) && (method === undefined || r.method === method),
    );
    const max = c.maxAttempts ?? 5;
    // Per distinct resource: a DELETE of two rules is two calls.
    const perPath = new Map<string, RequestLogEntry[]>();
    for (const a of attempts)
      perPath.set(`${a.method} ${a.path}`, [...(perPath.get(`${a.method} ${a.path}`) ?? []), a]);
    for (const [path, list] of perPath) {
      const faulted = list.filter((r) => r.status === 429 || r.status >= 500 || r.status === 0).length;
      if (faulted > max) violations.push(`${faulted} faulted attempts on ${path} (max ${max})`);
      if (c.retryAfter !== undefined) {
        const i = list.findIndex((r) => r.status === 429);
        const retry = list[i + 1];
        const first = list[i];
        if (!first) violations.push(`the 429 on ${path} was never served`);
        else if (!retry) violations.push(`${path} was not retried after its 429`);
        else if (c.retryAfter === 'date') {
          // Not before the date the header named (it has 1 s resolution: allow that much early).
          const allowedAt = armedAtMs + DATE_AHEAD_MS - 1000;
          if (retry.time.getTime() < allowedAt)
            violations.push(
              `retried ${path} ${allowedAt - retry.time.getTime()} ms before the Retry-After date`,
            );
        } else {
          const gap = retry.time.getTime() - first.time.getTime();
          if (gap < c.retryAfter * 1000 - 50)
            violations.push(`retried ${path} after ${gap} ms, Retry-After was ${c.retryAfter} s`);
        }
      }
    }
  }
  // No access longer than asked, for every request stored during the case.
  for (const r of emu.control.jitRequests()) {
    const start = Date.parse(r.request.startTimeUtc);
    for (const vm of r.request.virtualMachines)
      for (const p of vm.ports) {
        const asked = DURATION_MIN * 60_000 + END_TOLERANCE_MS;
        if (Date.parse(p.endTimeUtc) - start > asked)
          violations.push(
            `request ends ${Date.parse(p.endTimeUtc) - start} ms after its start (asked ${DURATION_MIN} min)`,
          );
      }
  }
}

function pathOf(r: RequestLogEntry): string {
  return `${r.path}?api-version=${r.apiVersion ?? ''}`;
}

function ourRules(emu: Emulator, c: FaultCase): { nsg: string; name: string }[] {
  return (c.nsgs ?? ['web-01-nsg']).flatMap((nsg) =>
    allowRules(emu, nsg, EGRESS_IP).map((r) => ({ nsg, name: r.name })),
  );
}

async function runGitHubCase(c: FaultCase): Promise<Outcome> {
  const emu = await startEmulator({ ruleDelayMs: 0 });
  scanner.add(...secretsOf(emu));
  const violations: string[] = [];
  try {
    const inputs = { source: EGRESS_IP, ...c.inputs };
    const signIn = c.signIn ?? 'secret';
    c.arrange?.(emu);
    let armedAtMs = 0;
    const arm = (): void => {
      armedAtMs = emu.control.clock.now().getTime();
      for (const f of faultCasesFresh(c)) emu.control.faults.add(f);
    };
    if ((c.phase ?? 'main') === 'main') arm();
    const main = await watching(emu, c.during, ghMain(emu, { inputs, signIn }));
    const mainLog = emu.control.requests();
    const mainErrors = ghErrors(main);
    if (c.cause === undefined) {
      if (main.exitCode !== 0)
        violations.push(`main failed: ${mainErrors.join(' | ') || main.stderr.slice(-300)}`);
      else if (ourRules(emu, c).length === 0)
        violations.push('main reported ready but no allow rule is live');
    } else {
      if (main.exitCode !== 1) violations.push(`main exited ${main.exitCode}, expected 1`);
      if (!mainErrors.some((e) => c.cause?.test(e)))
        violations.push(`no error names the cause ${String(c.cause)}: ${mainErrors.join(' | ') || '(none)'}`);
    }
    if (c.phase === 'main' || c.phase === undefined) emulatorChecks(emu, c, mainLog, armedAtMs, violations);

    emu.control.faults.clear();
    c.betweenSteps?.(emu);
    emu.control.clearRequests();
    if (c.phase === 'post') arm();
    const post = await ghPost(emu, main, { inputs, signIn, env: LATE_RULE_GRACE_ENV });
    emu.control.faults.clear();
    if (c.phase === 'post') emulatorChecks(emu, c, emu.control.requests(), armedAtMs, violations);
    const warnings = ghWarnings(post);
    checkAfterPost(emu, c, post.exitCode, warnings, ghErrors(post), violations);

    for (const [label, step] of [
      ['main', main],
      ['post', post],
    ] as const)
      for (const l of scanner.scanGitHub(`${c.name} ${label}`, step))
        violations.push(`leak in ${l.where}: ${l.what}`);

    return {
      case: c,
      violations,
      mainMessage: firstLine(mainErrors[0] ?? (main.exitCode === 0 ? 'ok' : `exit ${main.exitCode}`)),
      postMessage: firstLine(
        warnings.find((w) => /stays open|closes by itself/.test(w)) ?? postSummary(post),
      ),
    };
  } finally {
    await emu.stop();
  }
}

/** Faults with a Retry-After date are rebuilt when armed, so the date is relative to that moment. */
function faultCasesFresh(c: FaultCase): NonNullable<FaultCase['faults']> {
  if (c.retryAfter !== 'date') return c.faults ?? [];
  return (c.faults ?? []).map((f) => ({
    ...f,
    retryAfter: new Date(Date.now() + DATE_AHEAD_MS).toUTCString(),
  }));
}

function checkAfterPost(
  emu: Emulator,
  c: FaultCase,
  exitCode: number | null,
  warnings: readonly string[],
  errors: readonly string[],
  violations: string[],
): void {
  if (exitCode !== 0) violations.push(`post exited ${exitCode}: ${errors.join(' | ')}`);
  const remaining = ourRules(emu, c);
  for (const r of remaining) {
    const stated = warnings.some((w) => w.includes(r.name) && /closes by itself at \d{4}-\d\d-\d\dT/.test(w));
    if (!stated) violations.push(`rule ${r.name} in ${r.nsg} remains and no warning says so and until when`);
  }
  if (c.postClosed) {
    if (remaining.length > 0) violations.push(`post left ${remaining.map((r) => r.name).join(', ')} open`);
    const cautious = warnings.filter((w) => /stays open/.test(w));
    if (cautious.length > 0)
      violations.push(`post warned although the rule is gone: ${cautious.join(' | ')}`);
  }
  if (c.postWarning && !warnings.some((w) => c.postWarning?.test(w)))
    violations.push(
      `post gave no warning matching ${String(c.postWarning)}: ${warnings.join(' | ') || '(none)'}`,
    );
}

function postSummary(post: StepResult): string {
  return post.exitCode === 0 ? 'ok' : `exit ${post.exitCode}`;
}

function firstLine(text: string): string {
  return normalizeMessage(text.split('\n')[0] ?? '');
}

function secretsOf(emu: Emulator): string[] {
  return Object.values(emu.principals)
    .flatMap((p) => [p.secret ?? ''])
    .concat(emu.github.requestToken, emu.ado.accessToken);
}

// ---------------------------------------------------------------------------
// The Azure DevOps sample: a few faults through the task bundle.

interface AdoCase {
  readonly name: string;
  readonly faults?: FaultCase['faults'];
  readonly arrange?: (emu: Emulator) => void;
  readonly inputs?: Record<string, string>;
  readonly cause?: RegExp;
}

const ADO_CASES: readonly AdoCase[] = [
  {
    name: 'ADO: 429 Retry-After 1 s on initiate POST',
    faults: [{ method: 'POST', path: /\/initiate/, status: 429, retryAfter: 1, times: 1 }],
  },
  {
    name: 'ADO: 500 once on VM GET',
    faults: [{ method: 'GET', path: /virtualMachines\/web-01\?/, status: 500, times: 1 }],
  },
  {
    name: 'ADO: token endpoint fails',
    faults: [{ method: 'POST', path: /oauth2\/v2\.0\/token/, status: 500, times: Infinity }],
    cause: /sign|token|authenticat|credential/i,
  },
  {
    name: 'ADO: rule appears after waitTimeout',
    arrange: (emu) => emu.control.setRuleDelay(6000),
    inputs: { waitTimeout: '3' },
    cause: /not all live after 3 s/,
  },
];

async function runAdoCase(c: AdoCase): Promise<{ violations: string[]; mainMessage: string }> {
  const emu = await startEmulator({ ruleDelayMs: 0 });
  scanner.add(...secretsOf(emu));
  const violations: string[] = [];
  try {
    c.arrange?.(emu);
    for (const f of c.faults ?? []) emu.control.faults.add(f);
    const inputs = { source: EGRESS_IP, ...c.inputs };
    const main = await adoStep(emu, 'main', { inputs });
    emu.control.faults.clear();
    const errors = adoErrors(main);
    if (c.cause === undefined && main.exitCode !== 0) violations.push(`main failed: ${errors.join(' | ')}`);
    if (c.cause !== undefined && (main.exitCode !== 1 || !errors.some((e) => c.cause?.test(e))))
      violations.push(
        `main exit ${main.exitCode}, errors ${errors.join(' | ') || '(none)'}; want ${String(c.cause)}`,
      );
    const post = await adoStep(emu, 'post', {
      inputs,
      taskVariables: { ...main.taskVariables },
      env: LATE_RULE_GRACE_ENV,
    });
    if (post.exitCode !== 0) violations.push(`post exited ${post.exitCode}: ${adoErrors(post).join(' | ')}`);
    const remaining = allowRules(emu, 'web-01-nsg', EGRESS_IP);
    for (const r of remaining)
      if (!adoWarnings(post).some((w) => w.includes(r.name)))
        violations.push(`rule ${r.name} remains and post does not say so`);
    for (const [label, step] of [
      ['main', main],
      ['post', post],
    ] as [string, AdoStepResult][])
      for (const l of scanner.scanAdo(`${c.name} ${label}`, step))
        violations.push(`leak in ${l.where}: ${l.what}`);
    return {
      violations,
      mainMessage: firstLine(errors[0] ?? (main.exitCode === 0 ? 'ok' : `exit ${main.exitCode}`)),
    };
  } finally {
    await emu.stop();
  }
}

const GITHUB_CASES = faultCases();
const durations: [string, number][] = [];
const adoOutcomes = new Map<string, { violations: string[]; mainMessage: string }>();

beforeAll(async () => {
  // GitHub cases and the ADO sample share one bounded pool (CONCURRENT_CASES in flight, each
  // mostly waiting on Retry-After, a timeout or post's late-rule grace, not on CPU). The longest
  // case (post waits out the late-rule grace) starts first and the other slow ones next, so the rest of
  // the matrix runs alongside them instead of after them.
  const rank = (c: FaultCase): number => (c.longest ? 0 : c.slow ? 1 : 2);
  const ordered = [...GITHUB_CASES].sort((a, b) => rank(a) - rank(b));
  const jobs: (() => Promise<void>)[] = [
    ...ordered.map((c) => async () => {
      const t = Date.now();
      outcomes.set(c.name, await runGitHubCase(c));
      durations.push([c.name, Date.now() - t]);
    }),
    ...ADO_CASES.map((c) => async () => {
      adoOutcomes.set(c.name, await runAdoCase(c));
    }),
  ];
  await mapLimit(jobs, CONCURRENT_CASES, (job) => job());
});

afterAll(() => {
  report.note(`most requests in one step: ${maxStepRequests} (bound ${MAX_STEP_REQUESTS})`);
  if (process.env.RELIABILITY_TIMINGS)
    process.stdout.write(
      `${durations
        .sort((a, b) => b[1] - a[1])
        .map(([n, ms]) => `${ms} ${n}`)
        .join('\n')}\n`,
    );
  report.note(scanner.summary());
  report.flush();
});

describe('fault matrix through the GitHub Action bundle (main then post)', () => {
  it.each(GITHUB_CASES.map((c) => [c.name]))('%s', (name) => {
    const o = outcomes.get(name);
    expect(o).toBeDefined();
    expect(report.record(name, o?.violations ?? ['did not run'])).toEqual([]);
  });
});

/**
 * Product defects this matrix found, reported to the owners, not fixed yet. A listed case must
 * still show its violation: once fixed, its test fails, to take it off this list.
 */
const KNOWN_DEFECTS: Readonly<Record<string, string>> = {
  // Empty: 'ADO: token endpoint fails' was listed (the task blamed the network) until task/ fixed it.
};

describe('fault sample through the Azure DevOps task bundle (main then post)', () => {
  it.each(ADO_CASES.map((c) => [c.name]))('%s', (name) => {
    const o = adoOutcomes.get(name);
    expect(o).toBeDefined();
    const known = KNOWN_DEFECTS[name];
    if (known === undefined) {
      expect(report.record(name, o?.violations ?? ['did not run'])).toEqual([]);
    } else {
      report.recordKnown(name, known, o?.violations ?? []);
      expect(o?.violations.length).toBeGreaterThan(0);
    }
  });
});

it('shows what users read for each fault (main error / post warning), once', () => {
  const table = [
    ...GITHUB_CASES.map((c) => {
      const o = outcomes.get(c.name);
      return `${c.name}\n  main: ${o?.mainMessage ?? '?'}\n  post: ${o?.postMessage ?? '?'}`;
    }),
    ...ADO_CASES.map((c) => `${c.name}\n  main: ${adoOutcomes.get(c.name)?.mainMessage ?? '?'}`),
  ].join('\n');
  expect(table).toMatchSnapshot();
});
