/**
 * Load: 50 concurrent runs (in-process runMain, real HTTPS to the emulator)
 * open 50 different VMs of ONE subscription whose Security read budget is
 * nearly spent, so most runs' policy reads get 429 with Retry-After. Promises:
 * - every run finishes within its deadline (wait-timeout plus a margin), with access;
 * - no retry storm: each run makes at most one throttled Security read per
 *   Retry-After window, so Security GETs stay ≤ 2 per run (a read, and its one
 *   retry after the window refilled), and all ARM requests ≤ 20 per run;
 * - post closes every rule.
 */
import { generateScenario, startEmulator, type Emulator } from '../../../emulator';
import { emulatorConnect } from '../../helpers/emulatorSession';
import { mainInProcess, postInProcess, type InProcessRun } from '../../helpers/reliabilityInProcess';
import { MatrixReport, mapLimit } from '../../helpers/reliabilityReport';
import { EGRESS_IP, allAllowRules, isArm } from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';

jest.setTimeout(180_000);

const RUNS = 50;
/** Security reads left before throttling: 30 of the 50 runs' first policy read gets a 429. */
const BUDGET = 20;
const RETRY_AFTER_S = 2;
const WAIT_TIMEOUT_S = 60;
/** Run deadline: the wait bound plus sign-in, reads and one throttling window. */
const DEADLINE_MS = (WAIT_TIMEOUT_S + 30) * 1000;
/**
 * Normal run: VM, NIC, subnet, policy list, NSG snapshot, initiate, 1–3 NSG polls (about 9 per
 * VM; a third of the VMs have a subnet NSG too). 20 leaves room for one throttled retry and a few
 * more polls, not for a storm (5 retries × 50 runs would show at once).
 */
const MAX_ARM_PER_RUN = 20;
const MAX_SECURITY_GETS_PER_RUN = 2;

const report = new MatrixReport('load');
const scanner = new SecretScanner();

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ scenario: generateScenario({ vms: RUNS }), ruleDelayMs: 0 });
  scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''));
});
afterAll(async () => {
  report.flush();
  await emu.stop();
});

const vmName = (i: number): string => `vm-${String(i + 1).padStart(5, '0')}`;

it(`${RUNS} concurrent runs under Security throttling: all finish in time, no retry storm, all closed`, async () => {
  const violations: string[] = [];
  const connect = emulatorConnect(emu);
  emu.control.setSecurityReadBudget(BUDGET, { retryAfterSeconds: RETRY_AFTER_S, refill: true });
  emu.control.clearRequests();

  const mains = await Promise.all(
    Array.from({ length: RUNS }, async (_, i): Promise<InProcessRun | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), DEADLINE_MS);
      });
      const run = mainInProcess(emu, {
        inputs: { vms: vmName(i), 'resource-group': 'rg-bench-001', 'wait-timeout': String(WAIT_TIMEOUT_S) },
        connect,
      });
      const result = await Promise.race([run, deadline]);
      clearTimeout(timer);
      if (result === undefined)
        violations.push(`run ${i} (${vmName(i)}) did not finish within ${DEADLINE_MS / 1000} s`);
      else if (!result.ok)
        violations.push(
          `run ${i} (${vmName(i)}) failed: ${result.platform.failures[0]?.split('\n')[0] ?? ''}`,
        );
      return result;
    }),
  );

  const log = emu.control.requests();
  const arm = log.filter(isArm);
  const securityGets = arm.filter((r) => r.provider === 'security' && r.method === 'GET');
  const throttled = securityGets.filter((r) => r.status === 429);
  if (throttled.length === 0) violations.push('the budget forced no 429: the case tests nothing');
  if (securityGets.length > RUNS * MAX_SECURITY_GETS_PER_RUN)
    violations.push(
      `${securityGets.length} Security GETs for ${RUNS} runs (max ${RUNS * MAX_SECURITY_GETS_PER_RUN}): retry storm`,
    );
  if (arm.length > RUNS * MAX_ARM_PER_RUN)
    violations.push(`${arm.length} ARM requests for ${RUNS} runs (max ${RUNS * MAX_ARM_PER_RUN})`);
  // Retry-After honoured: after the first 429, no Security read succeeds before the window refilled.
  const first429 = throttled[0]?.time.getTime();
  const early = securityGets.filter(
    (r) =>
      first429 !== undefined &&
      r.status === 200 &&
      r.time.getTime() > first429 &&
      r.time.getTime() < first429 + RETRY_AFTER_S * 1000 - 50,
  );
  if (early.length > 0)
    violations.push(`${early.length} Security reads succeeded inside the Retry-After window`);
  report.note(
    `${arm.length} ARM requests (${(arm.length / RUNS).toFixed(1)} per run, bound ${MAX_ARM_PER_RUN}), ` +
      `${securityGets.length} Security GETs (${throttled.length} throttled, bound ${RUNS * MAX_SECURITY_GETS_PER_RUN})`,
  );

  await mapLimit(mains, 10, async (main, i) => {
    if (!main) return;
    const post = await postInProcess(emu, main, {
      inputs: { vms: vmName(i), 'resource-group': 'rg-bench-001' },
      connect,
    });
    if (!post.ok) violations.push(`post ${i} failed: ${post.platform.failures[0] ?? ''}`);
    for (const r of [main, post])
      for (const l of scanner.scanFake(`run ${i}`, r.platform)) violations.push(`leak: ${l.what}`);
  });
  const left = allAllowRules(emu).filter((r) => r.properties.sourceAddressPrefix === EGRESS_IP);
  if (left.length > 0) violations.push(`${left.length} allow rules left after every post`);
  report.note(scanner.summary());

  expect(report.record(`${RUNS} concurrent runs`, violations)).toEqual([]);
});
