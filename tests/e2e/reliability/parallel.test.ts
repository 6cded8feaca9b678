/**
 * Parallel jobs: ten concurrent runs open SSH on the SAME VM and port from ten
 * different source IPs (explicit sources); the emulator implements JIT's
 * supersession (a newer request replaces the older one's allow rule, and rule
 * names are the same for every source). Promises checked for every run:
 * - it reports ready only while its own rule is really live (checked against
 *   the emulator at the moment it sets its outputs), or it fails saying it was
 *   superseded;
 * - its post never deletes a rule it did not open (the rule's source at the
 *   time of the DELETE is the run's own);
 * - after every post, no allow rule is left.
 * 40 seeded interleavings (start delays, rule delay, post order) run
 * in-process; one round runs ten real GitHub bundle processes.
 */
import { readFileSync } from 'node:fs';
import { startEmulator, type Emulator } from '../../../emulator';
import { emulatorConnect } from '../../helpers/emulatorSession';
import { runStep, type StepResult } from '../../helpers/githubRunner';
import { mainInProcess, postInProcess, type InProcessRun } from '../../helpers/reliabilityInProcess';
import { MatrixReport, mapLimit, seededRandom, shuffle } from '../../helpers/reliabilityReport';
import { NODE, allowRules, ghErrors, ghInputs, ghEnv } from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';

jest.setTimeout(300_000);

const RUNS = 10;
/**
 * Every interleaving runs the same code paths (ready, superseded, an observation race, a post
 * that deletes or leaves a rule); 40 seeds reach each of them many times over (a run prints
 * the tally), at 40% of the cost of the 100 run before. RELIABILITY_INTERLEAVINGS sets another
 * number for a local run (e.g. 1000 for a deep sweep, 5 to debug) and skips the bundle round.
 */
const INTERLEAVINGS = Number(process.env.RELIABILITY_INTERLEAVINGS ?? 40);
/**
 * How long before a check a newer request's rule may have replaced ours and still count as
 * a race of the observation: the run read its rule live, then JIT replaced it before the
 * test looked (the emulator applies due changes when the test reads it, timers run late
 * on a loaded machine). Sources are unique per run, so a live rule with ours can only be ours.
 */
const RACE_WINDOW_MS = 1000;
/** Interleavings in flight at once, each on its own emulator. */
const CONCURRENT_INTERLEAVINGS = 10;
const NSG = 'web-01-nsg';
const SUPERSEDED = /superseded/i;

const sourceOf = (i: number): string => `198.51.100.${i + 1}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Tally {
  ready: number;
  superseded: number;
  deletes: number;
  races: number;
  mainMs: number;
  postMs: number;
}

const report = new MatrixReport('parallel jobs');
const scanner = new SecretScanner();
const tally: Tally = { ready: 0, superseded: 0, deletes: 0, races: 0, mainMs: 0, postMs: 0 };

/** The DELETEs a post made, checked against who owned each rule right before it ran. */
function checkDeletes(
  emu: Emulator,
  from: number,
  owners: ReadonlyMap<string, string>,
  source: string,
  label: string,
  violations: string[],
): void {
  for (const d of emu.control.requests().slice(from)) {
    if (d.method !== 'DELETE') continue;
    tally.deletes += 1;
    const name = decodeURIComponent(d.path.split('/').pop() ?? '');
    const owner = owners.get(name.toLowerCase());
    if (owner !== source)
      violations.push(`${label} deleted ${name}, which allowed ${owner ?? 'nobody known'}, not ${source}`);
  }
}

/** Whether a request for another source had its rule written in the last RACE_WINDOW_MS (replacing ours). */
function replacedJustNow(emu: Emulator, source: string, ruleDelayMs: number): boolean {
  const at = emu.control.clock.now().getTime();
  return emu.control.jitRequests().some((r) =>
    r.request.virtualMachines.some((v) =>
      v.ports.some((p) => {
        if (p.allowedSourceAddressPrefix === source) return false;
        const written = Date.parse(r.request.startTimeUtc) + ruleDelayMs;
        return written <= at && at - written < RACE_WINDOW_MS;
      }),
    ),
  );
}

/**
 * Whether JIT ever wrote our rule: our request's rule comes `ruleDelayMs` after it started,
 * unless a newer request (revoking ours) started before that. Excuses a missing rule as a
 * race only if there was a rule of ours to see.
 */
function ourRuleWasWritten(emu: Emulator, source: string, ruleDelayMs: number): boolean {
  const starts = emu.control.jitRequests().flatMap((r) =>
    r.request.virtualMachines.flatMap((v) =>
      v.ports.map((p) => ({
        source: p.allowedSourceAddressPrefix,
        start: Date.parse(r.request.startTimeUtc),
      })),
    ),
  );
  const ours = starts.find((x) => x.source === source);
  if (!ours) return false;
  const newer = starts.filter((x) => x.source !== source && x.start > ours.start).map((x) => x.start);
  return newer.length === 0 || ours.start + ruleDelayMs <= Math.min(...newer);
}

function ruleOwners(emu: Emulator): Map<string, string> {
  return new Map(
    allowRules(emu, NSG).map((r) => [r.name.toLowerCase(), r.properties.sourceAddressPrefix ?? '']),
  );
}

async function interleaving(seed: number): Promise<string[]> {
  const random = seededRandom(seed);
  const ruleDelay = Math.floor(random() * 600);
  const startDelays = Array.from({ length: RUNS }, () => Math.floor(random() * 500));
  const postOrder = shuffle(
    Array.from({ length: RUNS }, (_, i) => i),
    random,
  );
  const emu = await startEmulator({ ruleDelayMs: ruleDelay });
  emu.control.setSecurityReadBudget(1_000_000);
  scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''));
  const connect = emulatorConnect(emu);
  const violations: string[] = [];
  const label = (i: number): string =>
    `seed ${seed} run ${i} (${sourceOf(i)}, start +${startDelays[i] ?? 0} ms)`;
  try {
    const t0 = Date.now();
    const runs: InProcessRun[] = await Promise.all(
      startDelays.map(async (delay, i) => {
        await sleep(delay);
        return mainInProcess(emu, {
          inputs: { source: sourceOf(i), 'wait-timeout': '20' },
          connect,
          onOutput: (name) => {
            // The moment the run reports ready: its rule must be live in the NSG now.
            if (name !== 'targets') return;
            const live = allowRules(emu, NSG, sourceOf(i)).filter((r) => r.provisioningState === 'Succeeded');
            if (live.length > 0) return;
            if (
              replacedJustNow(emu, sourceOf(i), ruleDelay) &&
              ourRuleWasWritten(emu, sourceOf(i), ruleDelay)
            )
              tally.races += 1;
            else violations.push(`${label(i)} reported ready while its rule was not live`);
          },
        });
      }),
    );
    tally.mainMs += Date.now() - t0;
    let ready = 0;
    for (const [i, run] of runs.entries()) {
      if (run.ok) {
        ready += 1;
        if (!run.platform.outputs.has('targets')) violations.push(`${label(i)} succeeded without outputs`);
      } else if (run.platform.failures.some((f) => SUPERSEDED.test(f))) tally.superseded += 1;
      else
        violations.push(
          `${label(i)} failed without saying it was superseded: ${run.platform.failures[0]?.split('\n')[0] ?? ''}`,
        );
    }
    tally.ready += ready;
    if (ready === 0) violations.push(`seed ${seed}: no run got access`);

    const t1 = Date.now();
    const posts: InProcessRun[] = [];
    for (const i of postOrder) {
      const owners = ruleOwners(emu);
      const from = emu.control.requests().length;
      const post = await postInProcess(emu, runs[i], { connect });
      posts.push(post);
      if (!post.ok) violations.push(`${label(i)} post failed: ${post.platform.failures[0] ?? ''}`);
      checkDeletes(emu, from, owners, sourceOf(i), `${label(i)} post`, violations);
    }
    tally.postMs += Date.now() - t1;
    const left = allowRules(emu, NSG);
    if (left.length > 0)
      violations.push(
        `seed ${seed}: ${left.length} allow rule(s) left after every post (${left.map((r) => r.properties.sourceAddressPrefix).join(', ')})`,
      );
    for (const [i, r] of [...runs, ...posts].entries())
      for (const l of scanner.scanFake(`seed ${seed} #${i}`, r.platform))
        violations.push(`leak in ${l.where}: ${l.what}`);
    return violations;
  } finally {
    await emu.stop();
  }
}

const seeds = Array.from({ length: INTERLEAVINGS }, (_, i) => 1000 + i);
const results = new Map<number, string[]>();

afterAll(() => {
  report.note(
    `${tally.ready} ready, ${tally.superseded} superseded, ${tally.deletes} deletes checked, ${tally.races} observation races; ` +
      `mean per interleaving: mains ${Math.round(tally.mainMs / INTERLEAVINGS)} ms, posts ${Math.round(tally.postMs / INTERLEAVINGS)} ms`,
  );
  report.note(scanner.summary());
  report.flush();
});

it('the ownership check flags a post that deletes a rule another run opened (control)', async () => {
  const emu = await startEmulator({ ruleDelayMs: 0 });
  try {
    const connect = emulatorConnect(emu);
    const a = await mainInProcess(emu, { inputs: { source: sourceOf(0) }, connect });
    expect(a.ok).toBe(true);
    const owners = ruleOwners(emu);
    const from = emu.control.requests().length;
    await postInProcess(emu, a, { connect });
    // Attributed to run 1: the delete removed run 0's rule, which the check must call out.
    const caught: string[] = [];
    checkDeletes(emu, from, owners, sourceOf(1), 'control post', caught);
    expect(caught).toHaveLength(1);
    expect(caught[0]).toContain(sourceOf(0));
  } finally {
    await emu.stop();
  }
});

describe(`${INTERLEAVINGS} seeded interleavings of 10 concurrent runs on web-01:22 (in-process)`, () => {
  beforeAll(async () => {
    await mapLimit(seeds, CONCURRENT_INTERLEAVINGS, async (seed) => {
      results.set(seed, await interleaving(seed));
    });
  });

  it('every run was ready with its rule live or said it was superseded; no post removed a rule it did not open', () => {
    const all: string[] = [];
    for (const seed of seeds)
      all.push(...report.record(`seed ${seed}`, results.get(seed) ?? ['did not run']));
    expect(all).toEqual([]);
    expect(tally.ready).toBeGreaterThanOrEqual(INTERLEAVINGS);
    expect(tally.superseded).toBeGreaterThan(0);
  });
});

(process.env.RELIABILITY_INTERLEAVINGS ? describe.skip : describe)(
  'one round of 10 real GitHub bundle processes',
  () => {
    let emu: Emulator;
    const RULE_DELAY_MS = 300;

    beforeAll(async () => {
      emu = await startEmulator({ ruleDelayMs: RULE_DELAY_MS });
      emu.control.setSecurityReadBudget(1_000_000);
      scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''));
    });
    afterAll(async () => {
      await emu.stop();
    });

    it('ready runs had their rule live when they reported; the others were superseded; posts deleted only their own', async () => {
      const random = seededRandom(7);
      const violations: string[] = [];
      let raced = 0;
      const delays = Array.from({ length: RUNS }, () => Math.floor(random() * 1500));
      const mains: StepResult[] = await Promise.all(
        delays.map(async (delay, i) => {
          await sleep(delay);
          const source = sourceOf(i);
          return runStep({
            node: NODE,
            entry: 'main',
            inputs: ghInputs(emu, { source, 'wait-timeout': '30' }),
            env: ghEnv(emu),
            timeoutMs: 120_000,
            onStart: (child, files) => {
              // Watch the outputs file: the moment `targets` is written, our rule must be live.
              const poll = setInterval(() => {
                if (!readFileSync(files.output, 'utf8').includes('targets')) return;
                clearInterval(poll);
                if (allowRules(emu, NSG, source).length > 0) return;
                if (
                  replacedJustNow(emu, source, RULE_DELAY_MS) &&
                  ourRuleWasWritten(emu, source, RULE_DELAY_MS)
                )
                  raced += 1;
                else
                  violations.push(`bundle run ${i} (${source}) reported ready while its rule was not live`);
              }, 5);
              child.on('exit', () => clearInterval(poll));
            },
          });
        }),
      );
      let ready = 0;
      for (const [i, m] of mains.entries()) {
        if (m.exitCode === 0) ready += 1;
        else if (!ghErrors(m).some((e) => SUPERSEDED.test(e)))
          violations.push(
            `bundle run ${i} failed without saying it was superseded: ${ghErrors(m)[0] ?? m.stderr.slice(-200)}`,
          );
      }
      if (ready === 0) violations.push('no bundle run got access');
      for (const i of shuffle(
        mains.map((_, i) => i),
        random,
      )) {
        const owners = ruleOwners(emu);
        const from = emu.control.requests().length;
        const post = await runStep({
          node: NODE,
          entry: 'post',
          inputs: ghInputs(emu, { source: sourceOf(i) }),
          env: ghEnv(emu),
          state: mains[i]?.state ?? {},
          timeoutMs: 120_000,
        });
        if (post.exitCode !== 0) violations.push(`bundle post ${i} exited ${post.exitCode}`);
        checkDeletes(emu, from, owners, sourceOf(i), `bundle post ${i}`, violations);
        for (const l of scanner.scanGitHub(`bundle post ${i}`, post))
          violations.push(`leak in ${l.where}: ${l.what}`);
      }
      for (const [i, m] of mains.entries())
        for (const l of scanner.scanGitHub(`bundle main ${i}`, m))
          violations.push(`leak in ${l.where}: ${l.what}`);
      const left = allowRules(emu, NSG);
      if (left.length > 0) violations.push(`${left.length} allow rule(s) left after every post`);
      report.note(`bundle round: ${ready} ready, ${raced} observation races`);
      expect(report.record('bundle round', violations)).toEqual([]);
    });
  },
);
