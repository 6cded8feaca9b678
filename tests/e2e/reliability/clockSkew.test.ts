/**
 * Clock skew: the agent's clock runs minutes ahead or behind Azure's. The core
 * learns Azure's time from the ARM `Date` header; it must warn about the skew
 * and compute `endTimeUtc` so the requested duration holds on the SERVER's
 * clock, checked in the request the emulator stored (end − start).
 * Bundle runs move the child's clock with a preload (tests/helpers/
 * reliabilityClockSkew.js); in-process runs inject `now`.
 */
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { mainInProcess, postInProcess } from '../../helpers/reliabilityInProcess';
import { MatrixReport, mapLimit } from '../../helpers/reliabilityReport';
import { EGRESS_IP, allowRules, ghErrors, ghMain, ghPost, ghWarnings } from '../../helpers/reliabilityRuns';
import { SecretScanner } from '../../helpers/reliabilitySecrets';

jest.setTimeout(180_000);

const PRELOAD = join(__dirname, '..', '..', 'helpers', 'reliabilityClockSkew.js');
const DURATION_MIN = 15;
/** The Date header has 1 s resolution, and the request takes a moment to travel. */
const TOLERANCE_MS = 2000;
/** Beyond this the core warns (shared/azure/serverClock.ts SKEW_WARN_MS). */
const WARN_BEYOND_MS = 2 * 60_000;

const MIN = 60_000;
const BUNDLE_OFFSETS = [10 * MIN, -10 * MIN, 3 * MIN, -3 * MIN, 90_000];
const IN_PROCESS_OFFSETS = [30 * MIN, -30 * MIN, 10 * MIN, -10 * MIN, 5 * MIN, -5 * MIN];

/**
 * Product defects this matrix found, reported to the owner, not fixed yet. A listed case must
 * still show its violation: once fixed, its test fails, to take it off this list.
 */
const KNOWN_DEFECTS: Readonly<Record<string, string>> = {};

const report = new MatrixReport('clock skew');
const scanner = new SecretScanner();

function describeOffset(ms: number): string {
  return `${ms > 0 ? 'ahead' : 'behind'} ${Math.abs(ms) / 1000} s`;
}

/** The stored request's duration on the server's clock, and what the user was told. */
function checkStored(emu: Emulator, expiresAt: string | undefined, violations: string[]): void {
  const stored = emu.control.jitRequests('web-jit');
  if (stored.length !== 1) {
    violations.push(`${stored.length} stored requests, expected 1`);
    return;
  }
  const r = stored[0]?.request;
  const end = Date.parse(r?.virtualMachines[0]?.ports[0]?.endTimeUtc ?? '');
  const start = Date.parse(r?.startTimeUtc ?? '');
  const held = end - start;
  if (Math.abs(held - DURATION_MIN * MIN) > TOLERANCE_MS)
    violations.push(`request holds ${held} ms on the server's clock, asked ${DURATION_MIN * MIN} ms`);
  if (expiresAt !== undefined && Math.abs(Date.parse(expiresAt) - end) > 1000)
    violations.push(`expires-at ${expiresAt} is not the stored end ${new Date(end).toISOString()}`);
}

function checkWarning(offset: number, warnings: readonly string[], violations: string[]): void {
  const skew = warnings.find((w) => /clock/i.test(w) && /ahead|behind/i.test(w));
  if (Math.abs(offset) > WARN_BEYOND_MS) {
    if (!skew) violations.push(`no clock-skew warning: ${warnings.join(' | ') || '(none)'}`);
    else if (!new RegExp(offset > 0 ? 'ahead' : 'behind').test(skew))
      violations.push(`the warning gets the direction wrong: ${skew}`);
  }
}

/** One bundle case (main then post, clock moved by the preload); returns its violations. */
async function bundleCase(label: string, offset: number): Promise<string[]> {
  const emu = await startEmulator({ ruleDelayMs: 0 });
  scanner.add(...Object.values(emu.principals).map((p) => p.secret ?? ''));
  const violations: string[] = [];
  try {
    const env = { NODE_OPTIONS: `--require ${PRELOAD}`, RELIABILITY_CLOCK_OFFSET_MS: String(offset) };
    const main = await ghMain(emu, { inputs: { source: EGRESS_IP }, env });
    if (main.exitCode !== 0) violations.push(`main failed: ${ghErrors(main).join(' | ')}`);
    checkWarning(offset, ghWarnings(main), violations);
    checkStored(emu, main.outputs['expires-at'], violations);
    const post = await ghPost(emu, main, { inputs: { source: EGRESS_IP }, env });
    if (post.exitCode !== 0) violations.push(`post failed: ${ghErrors(post).join(' | ')}`);
    if (allowRules(emu, 'web-01-nsg', EGRESS_IP).length > 0) violations.push('rule left open after post');
    for (const s of [main, post])
      for (const l of scanner.scanGitHub(label, s)) violations.push(`leak in ${l.where}: ${l.what}`);
  } finally {
    await emu.stop();
  }
  return violations;
}

describe('through the GitHub Action bundle (preloaded clock offset)', () => {
  const outcomes = new Map<string, string[]>();

  // The cases are independent (each on its own emulator) and mostly wait on the bundles'
  // start-up and HTTP round trips: run them three at a time, assert each in its own test.
  beforeAll(async () => {
    await mapLimit(BUNDLE_OFFSETS, 3, async (offset) => {
      const label = describeOffset(offset);
      outcomes.set(label, await bundleCase(label, offset));
    });
  });

  it.each(BUNDLE_OFFSETS.map((o) => [describeOffset(o)]))('agent clock %s', (label) => {
    const violations = outcomes.get(label) ?? ['did not run'];
    const known = KNOWN_DEFECTS[`bundle ${label}`];
    if (known === undefined) expect(report.record(`bundle ${label}`, violations)).toEqual([]);
    else {
      report.recordKnown(`bundle ${label}`, known, violations);
      expect(violations.length).toBeGreaterThan(0);
    }
  });
});

describe('in-process (injected now)', () => {
  it('every offset: warned, and the duration holds on the server clock', async () => {
    const all: string[] = [];
    await mapLimit(IN_PROCESS_OFFSETS, 3, async (offset) => {
      const emu = await startEmulator({ ruleDelayMs: 0 });
      const violations: string[] = [];
      try {
        const now = (): Date => new Date(Date.now() + offset);
        const main = await mainInProcess(emu, { now });
        if (!main.ok) violations.push(`main failed: ${main.platform.failures.join(' | ')}`);
        checkWarning(offset, main.platform.messages('warning'), violations);
        checkStored(emu, main.platform.outputs.get('expires-at'), violations);
        const post = await postInProcess(emu, main, { now });
        if (!post.ok) violations.push(`post failed: ${post.platform.failures.join(' | ')}`);
        if (allowRules(emu, 'web-01-nsg', EGRESS_IP).length > 0) violations.push('rule left open after post');
        for (const r of [main, post])
          for (const l of scanner.scanFake(describeOffset(offset), r.platform))
            violations.push(`leak: ${l.what}`);
      } finally {
        await emu.stop();
      }
      all.push(...report.record(`in-process ${describeOffset(offset)}`, violations));
    });
    expect(all).toEqual([]);
  });
});

afterAll(() => {
  report.note(scanner.summary());
  report.flush();
});
