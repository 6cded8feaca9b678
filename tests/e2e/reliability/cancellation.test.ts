/**
 * Cancellation matrix, through the bundles: the runner cancels main during the
 * wait (SIGINT first, as GitHub and the ADO agent do; SIGTERM; SIGINT then
 * SIGTERM), main fails after initiate, main is cancelled before anything was
 * requested, post receives corrupt state. Each: post closes what main opened
 * (the allow rule is gone from the emulator), or there was nothing to close and
 * nothing was written; corrupt state warns and exits 0; no secret leaks.
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { startEmulator, type Emulator } from '../../../emulator';
import type { AdoStepResult } from '../../helpers/adoAgent';
import { NO_SIGNALS } from '../../helpers/childProcess';
import type { StepFiles, StepResult } from '../../helpers/githubRunner';
import { MatrixReport, mapLimit } from '../../helpers/reliabilityReport';
import {
  EGRESS_IP,
  adoStep,
  adoWarnings,
  allowRules,
  armWrites,
  ghErrors,
  ghMain,
  ghPost,
  ghWarnings,
  normalizeMessage,
} from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';

jest.setTimeout(240_000);

/** JIT writes the rule this long after initiate: main is cancelled while waiting for it. */
const RULE_DELAY_MS = 4000;
const NSG = 'web-01-nsg';

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGINT+SIGTERM';

function signalWhenStateSaved(signal: Signal) {
  return (child: ChildProcess, files: StepFiles): void => {
    const poll = setInterval(() => {
      if (!readFileSync(files.state, 'utf8').includes('jit-state')) return;
      clearInterval(poll);
      if (signal === 'SIGINT+SIGTERM') {
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGTERM'), 200);
      } else child.kill(signal);
    }, 20);
    child.on('exit', () => clearInterval(poll));
  };
}

interface CaseResult {
  readonly violations: string[];
  readonly shown: string;
}

interface CancelCase {
  readonly name: string;
  /** Waits for a late rule (RULE_DELAY_MS, then post's polling): started first. */
  readonly slow?: boolean;
  /** Signals the step: not run where there are none to send (NO_SIGNALS). */
  readonly signals?: boolean;
  readonly run: (emu: Emulator) => Promise<CaseResult>;
}

/**
 * Cases in flight at once, each on its own emulator. They are idle-bound (a late rule, a
 * slowed read; about 6 s of CPU in all), so eight at a time, slow ones first: the quick ones run
 * alongside the slow ones' waits instead of after them.
 */
const CONCURRENT_CASES = 8;

const scanner = new SecretScanner();
const report = new MatrixReport('cancellation');

function scan(label: string, steps: readonly StepResult[], violations: string[]): void {
  for (const s of steps)
    for (const l of scanner.scanGitHub(label, s)) violations.push(`leak in ${l.where}: ${l.what}`);
}
function scanAdo(label: string, steps: readonly AdoStepResult[], violations: string[]): void {
  for (const s of steps)
    for (const l of scanner.scanAdo(label, s)) violations.push(`leak in ${l.where}: ${l.what}`);
}

/** After post: exit 0 and our rule gone (the rule was written late, after main was cancelled). */
function closed(emu: Emulator, postExit: number | null, violations: string[]): void {
  if (postExit !== 0) violations.push(`post exited ${postExit}`);
  const left = allowRules(emu, NSG, EGRESS_IP);
  if (left.length > 0)
    violations.push(`${left.length} rule(s) still open after post: ${left.map((r) => r.name).join(', ')}`);
  const deletes = emu.control.requests().filter((r) => r.method === 'DELETE');
  if (deletes.length === 0) violations.push('post deleted nothing');
}

const cancelDuringWait = (signal: Signal): CancelCase => ({
  name: `GitHub: ${signal} during the wait → post closes the rule`,
  slow: true,
  signals: true,
  run: async (emu) => {
    emu.control.setRuleDelay(RULE_DELAY_MS);
    const violations: string[] = [];
    const main = await ghMain(emu, {
      inputs: { source: EGRESS_IP, 'wait-timeout': '120' },
      extra: { onStart: signalWhenStateSaved(signal) },
    });
    if (main.exitCode === 0) violations.push('main exited 0 although cancelled');
    if (!main.state['jit-state']?.includes('web-01')) violations.push('main saved no state naming web-01');
    if (!ghWarnings(main).some((w) => /SIGINT|SIGTERM|cancel/i.test(w)))
      violations.push('main did not say it was cancelled');
    emu.control.clearRequests();
    const post = await ghPost(emu, main, { inputs: { source: EGRESS_IP } });
    closed(emu, post.exitCode, violations);
    scan(signal, [main, post], violations);
    // Two signals: whether the second lands before the first's error is written depends on the
    // machine's speed (the second means "exit now"), so what users read first is the warning.
    const first =
      signal === 'SIGINT+SIGTERM' ? ghWarnings(main)[0] : (ghErrors(main)[0] ?? ghWarnings(main)[0]);
    return { violations, shown: (first ?? `exit ${main.exitCode}`).split('\n')[0] ?? '' };
  },
});

const ALL_CASES: readonly CancelCase[] = [
  cancelDuringWait('SIGINT'),
  cancelDuringWait('SIGTERM'),
  cancelDuringWait('SIGINT+SIGTERM'),
  {
    name: 'GitHub: main fails after initiate (wait-timeout) → post closes the late rule',
    slow: true,
    run: async (emu) => {
      emu.control.setRuleDelay(RULE_DELAY_MS);
      const violations: string[] = [];
      const main = await ghMain(emu, { inputs: { source: EGRESS_IP, 'wait-timeout': '2' } });
      if (main.exitCode !== 1) violations.push(`main exited ${main.exitCode}, expected 1`);
      emu.control.clearRequests();
      const post = await ghPost(emu, main, { inputs: { source: EGRESS_IP } });
      closed(emu, post.exitCode, violations);
      scan('failed main', [main, post], violations);
      return { violations, shown: ghErrors(main)[0]?.split('\n')[0] ?? '' };
    },
  },
  {
    name: 'GitHub: SIGINT before anything was requested → post has nothing to close, writes nothing',
    signals: true,
    run: async (emu) => {
      const violations: string[] = [];
      // Slow the policy list so the signal lands before initiate.
      emu.control.faults.add({
        method: 'GET',
        path: /Microsoft\.Security\/jitNetworkAccessPolicies\?/,
        latencyMs: 3000,
      });
      const main = await ghMain(emu, {
        inputs: { source: EGRESS_IP },
        extra: {
          onStart: (child) => {
            const poll = setInterval(() => {
              if (!emu.control.requests().some((r) => r.provider === 'compute')) return;
              clearInterval(poll);
              child.kill('SIGINT');
            }, 20);
            child.on('exit', () => clearInterval(poll));
          },
        },
      });
      if (main.exitCode === 0) violations.push('main exited 0 although cancelled');
      if (main.state['jit-state']) violations.push('main saved state although it requested nothing');
      const post = await ghPost(emu, main, { inputs: { source: EGRESS_IP } });
      if (post.exitCode !== 0) violations.push(`post exited ${post.exitCode}`);
      const writes = armWrites(emu);
      if (writes.length > 0) violations.push(`${writes.length} ARM write(s)`);
      scan('early SIGINT', [main, post], violations);
      return { violations, shown: (ghErrors(main)[0] ?? ghWarnings(main)[0] ?? '').split('\n')[0] ?? '' };
    },
  },
  ...(['garbage{not json', '{"version":99,"requests":"soon"}', '{"version":1}'] as const).map(
    (state): CancelCase => ({
      name: `GitHub: post with corrupt state ${JSON.stringify(state)} → warns, exits 0, writes nothing`,
      run: async (emu) => {
        const violations: string[] = [];
        const post = await ghPost(emu, undefined, {
          inputs: { source: EGRESS_IP },
          extra: { state: { 'jit-state': state } },
        });
        if (post.exitCode !== 0)
          violations.push(`post exited ${post.exitCode}: ${ghErrors(post).join(' | ')}`);
        const warning = ghWarnings(post).find((w) => /state/i.test(w));
        if (!warning)
          violations.push(`no warning about the state: ${ghWarnings(post).join(' | ') || '(none)'}`);
        if (armWrites(emu).length > 0) violations.push('ARM writes with corrupt state');
        scan('corrupt state', [post], violations);
        return { violations, shown: warning ?? '' };
      },
    }),
  ),
  {
    name: 'ADO: SIGINT during the wait → post-job closes the rule',
    slow: true,
    signals: true,
    run: async (emu) => {
      emu.control.setRuleDelay(RULE_DELAY_MS);
      const violations: string[] = [];
      let sent = false;
      const main = await adoStep(emu, 'main', {
        inputs: { source: EGRESS_IP, waitTimeout: '120' },
        extra: {
          onLine: (line, child) => {
            // The state is a task variable, set right after initiate.
            if (!sent && line.includes('task.settaskvariable')) {
              sent = true;
              child.kill('SIGINT');
            }
          },
        },
      });
      if (main.exitCode === 0) violations.push('main exited 0 although cancelled');
      if (!main.taskVariables.jitState?.includes('web-01'))
        violations.push('main saved no state naming web-01');
      emu.control.clearRequests();
      const post = await adoStep(emu, 'post', {
        inputs: { source: EGRESS_IP },
        taskVariables: { ...main.taskVariables },
      });
      closed(emu, post.exitCode, violations);
      scanAdo('ADO SIGINT', [main, post], violations);
      return { violations, shown: adoWarnings(main).find((w) => /SIGINT/.test(w)) ?? '' };
    },
  },
  {
    name: 'ADO: post-job with corrupt state → warns, exits 0, writes nothing',
    run: async (emu) => {
      const violations: string[] = [];
      // The task keeps the state in the task variable `jitState` (task/adoPlatform.ts STATE_VARIABLES).
      const post = await adoStep(emu, 'post', {
        inputs: { source: EGRESS_IP },
        taskVariables: { jitState: '{{{' },
      });
      if (post.exitCode !== 0) violations.push(`post exited ${post.exitCode}`);
      const warning = adoWarnings(post).find((w) => /state/i.test(w));
      if (!warning)
        violations.push(`no warning about the state: ${adoWarnings(post).join(' | ') || '(none)'}`);
      if (armWrites(emu).length > 0) violations.push('ARM writes with corrupt state');
      scanAdo('ADO corrupt state', [post], violations);
      return { violations, shown: warning ?? '' };
    },
  },
];

const CASES = ALL_CASES.filter((c) => NO_SIGNALS === undefined || c.signals !== true);
const results = new Map<string, CaseResult>();

beforeAll(async () => {
  const ordered = [...CASES.filter((c) => c.slow), ...CASES.filter((c) => !c.slow)];
  await mapLimit(ordered, CONCURRENT_CASES, async (c) => {
    const emu = await startEmulator({ ruleDelayMs: 0 });
    scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''), emu.ado.accessToken);
    try {
      results.set(c.name, await c.run(emu));
    } finally {
      await emu.stop();
    }
  });
});

afterAll(() => {
  report.note(scanner.summary());
  report.flush();
});

// Listed as skipped where they cannot run (NO_SIGNALS), so the run's count shows them.
const notRun = ALL_CASES.filter((c) => !CASES.includes(c)).map((c) => [c.name]);
if (notRun.length > 0) it.skip.each(notRun)('%s', () => undefined);

it.each(CASES.map((c) => [c.name]))('%s', (name) => {
  const r = results.get(name);
  expect(r).toBeDefined();
  expect(report.record(name, r?.violations ?? ['did not run'])).toEqual([]);
});

// The snapshot holds every case: where the signal cases cannot run, it is not compared.
(NO_SIGNALS ? it.skip : it)('shows what users read for each cancellation case, once', () => {
  expect(
    CASES.map((c) => `${c.name}\n  ${normalizeMessage(results.get(c.name)?.shown ?? '?')}`).join('\n'),
  ).toMatchSnapshot();
});
