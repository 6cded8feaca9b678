/**
 * The committed Action bundles, run as the GitHub runner runs them (tests/helpers/githubRunner.ts),
 * against the emulator over HTTPS, under Node 20 and Node 24: main opens and outputs, post closes
 * from saved state, and a main that failed or was killed after `initiate` is still cleaned up.
 */
import { readFileSync } from 'node:fs';
import { type Emulator, type RequestLogEntry, type RuleView } from '../../../emulator';
import { signalCases } from '../../helpers/childProcess';
import { removeStepFiles, runStep, type StepResult } from '../../helpers/githubRunner';
import { withEmulator } from '../../helpers/ownEmulator';
import {
  actionNodes,
  EGRESS_IP,
  WEB_01_ID,
  baseEnv,
  leakedSecrets,
  oidcEnv,
  oidcInputs,
  targetInputs,
} from './fixture';

jest.setTimeout(120_000);

/** The JIT allow rules for our runner's IP currently in an NSG of the emulator. */
function allowRules(emu: Emulator, nsg: string): RuleView[] {
  return emu.control
    .rules(nsg)
    .filter((r) => r.properties.access === 'Allow' && r.properties.sourceAddressPrefix === EGRESS_IP);
}

/** Writes to Azure resources (token requests are POSTs too, but change nothing). */
function armWrites(emu: Emulator): RequestLogEntry[] {
  return emu.control.requests().filter((r) => r.write && r.provider !== 'identity' && r.provider !== 'oidc');
}

function secretsOf(emu: Emulator): string[] {
  return [emu.github.requestToken];
}

afterAll(() => removeStepFiles());

/**
 * Every test owns an emulator (rule delay 0 to start with), so the tests of both Node versions
 * run concurrently: most of each is waiting on the bundle's child processes.
 */
const test = (name: string, fn: (emu: Emulator) => Promise<void>): void =>
  it.concurrent(name, () => withEmulator({ ruleDelayMs: 0 }, fn));

describe.each(actionNodes().map((n) => [n.name, n.path] as const))('Action bundles on %s', (_name, node) => {
  const main = (
    emu: Emulator,
    inputs: Record<string, string> = {},
    extra: Partial<Parameters<typeof runStep>[0]> = {},
  ) =>
    runStep({
      node,
      entry: 'main',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu), ...inputs },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
      ...extra,
    });
  const post = (emu: Emulator, after: StepResult, inputs: Record<string, string> = {}) =>
    runStep({
      node,
      entry: 'post',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu), ...inputs },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
      state: after.state,
    });

  test('main opens web-01 and outputs where to connect; post closes exactly that', async (emu) => {
    const opened = await main(emu);

    expect(opened.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(opened.exitCode).toBe(0);
    // Outputs: the runner's IP, the first VM's host and port, and the full targets.
    expect(opened.outputs.ip).toBe(EGRESS_IP);
    expect(opened.outputs.port).toBe('22');
    const targets = JSON.parse(opened.outputs.targets ?? '') as {
      vm: string;
      id: string;
      host: string;
      port: number;
      privateIp: string;
      ruleNames: string[];
    }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ vm: 'web-01', port: 22 });
    expect(targets[0]?.id.toLowerCase()).toBe(WEB_01_ID.toLowerCase());
    expect(opened.outputs.host).toBe(targets[0]?.host);
    expect(opened.outputs.host).not.toBe('');
    // The emulator's state: the allow rule named in the outputs is in web-01's NSG.
    const live = allowRules(emu, 'web-01-nsg');
    expect(live.map((r) => r.name).sort()).toEqual([...(targets[0]?.ruleNames ?? [])].sort());
    expect(live.length).toBeGreaterThan(0);
    // expires-at is the end time the emulator stored for our request.
    const stored = JSON.stringify(emu.control.jitRequests('web-jit'));
    expect(Date.parse(opened.outputs['expires-at'] ?? '')).not.toBeNaN();
    expect(stored).toContain(new Date(opened.outputs['expires-at'] ?? '').toISOString().slice(0, 16));
    // State: one versioned document naming the request, for post.
    const state = JSON.parse(opened.state['jit-state'] ?? '') as { version: number; requests: unknown[] };
    expect(state.version).toBe(1);
    expect(state.requests).toHaveLength(1);
    expect(opened.state['jit-state']).toContain('web-01');
    // Summary: a Markdown table with the VM, port, source and expiry.
    expect(opened.summary).toMatch(/\|.*VM.*\|/);
    expect(opened.summary).toContain('web-01');
    expect(opened.summary).toContain(EGRESS_IP);
    // Sign-in method is stated.
    expect(opened.log).toMatch(/OIDC/);

    const closed = await post(emu, opened);

    expect(closed.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(closed.exitCode).toBe(0);
    expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    // Post appends what it closed to the job summary: each rule, and that it was deleted.
    for (const rule of live) expect(closed.summary).toContain(rule.name);
    expect(closed.summary).toContain('deleted');
    const deletes = emu.control
      .requests()
      .filter((r: { method: string; write: boolean }) => r.method === 'DELETE');
    expect(deletes.length).toBe(live.length);

    for (const step of [opened, closed]) expect(leakedSecrets(step, secretsOf(emu))).toEqual([]);
  });

  test('a main that timed out after initiate leaves its state, and post closes the access', async (emu) => {
    emu.control.setRuleDelay(600_000);
    const failed = await main(emu, { 'wait-timeout': '3' });

    expect(failed.exitCode).toBe(1);
    expect(
      failed.annotations.some((a) => a.level === 'error' && /wait-timeout|timed out/i.test(a.message)),
    ).toBe(true);
    expect(failed.state['jit-state']).toContain('web-01');
    // The NSG update arrives late (as it can in Azure), before the job ends.
    emu.control.clock.advance(600_000);
    expect(allowRules(emu, 'web-01-nsg').length).toBeGreaterThan(0);
    // The emulator's NSG operations take as long as its rule delay; post should not wait 10 minutes.
    emu.control.setRuleDelay(0);

    const closed = await post(emu, failed);

    expect(closed.exitCode).toBe(0);
    expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    for (const step of [failed, closed]) expect(leakedSecrets(step, secretsOf(emu))).toEqual([]);
  });

  for (const signal of signalCases('a main killed with a signal during the wait', ['SIGTERM', 'SIGINT']))
    test(`a main killed with ${signal} during the wait leaves its state, and post closes the access`, async (emu) => {
      emu.control.setRuleDelay(600_000);
      const killed = await main(
        emu,
        { 'wait-timeout': '300' },
        {
          onStart: (child, files) => {
            // Kill once main has saved its state (right after initiate), as a cancelled run would.
            const poll = setInterval(() => {
              if (readFileSync(files.state, 'utf8').includes('jit-state')) {
                clearInterval(poll);
                child.kill(signal);
              }
            }, 50);
            child.on('exit', () => clearInterval(poll));
          },
        },
      );

      expect(killed.exitCode === 0).toBe(false);
      expect(killed.annotations).toContainEqual({
        level: 'warning',
        message: `Received ${signal}: stopping. The post step closes any access already requested.`,
      });
      expect(killed.state['jit-state']).toContain('web-01');
      emu.control.clock.advance(600_000);
      expect(allowRules(emu, 'web-01-nsg').length).toBeGreaterThan(0);
      emu.control.setRuleDelay(0);

      const closed = await post(emu, killed);

      expect(closed.exitCode).toBe(0);
      expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    });

  test('dry-run: validates and reports, writes nothing, leaves post nothing to close', async (emu) => {
    const dry = await main(emu, { 'dry-run': 'true' });

    expect(dry.exitCode).toBe(0);
    expect(dry.summary).toContain('web-01');
    expect(armWrites(emu)).toEqual([]);
    expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    const closed = await post(emu, dry);
    expect(closed.exitCode).toBe(0);
    expect(armWrites(emu)).toEqual([]);
  });

  test('close-on-post: none leaves the rule to expire, and post says until when', async (emu) => {
    const opened = await main(emu, { 'close-on-post': 'none' });
    expect(opened.exitCode).toBe(0);

    const kept = await post(emu, opened, { 'close-on-post': 'none' });

    expect(kept.exitCode).toBe(0);
    expect(allowRules(emu, 'web-01-nsg').length).toBeGreaterThan(0);
    expect(kept.annotations.some((a) => a.level === 'notice' && a.message.includes('web-01'))).toBe(true);
    expect(kept.summary).toContain(new Date(opened.outputs['expires-at'] ?? '').toISOString().slice(0, 10));
    // Leave the emulator clean for the next test: JIT closes it at its end time.
    emu.control.clock.advance(16 * 60_000);
    expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
  });

  test('post without state (main opened nothing) succeeds with a notice and touches nothing', async (emu) => {
    const idle = await runStep({
      node,
      entry: 'post',
      inputs: { ...targetInputs(emu), ...oidcInputs(emu) },
      env: { ...baseEnv(emu), ...oidcEnv(emu) },
    });

    expect(idle.exitCode).toBe(0);
    expect(idle.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(idle.annotations.some((a) => a.level === 'notice')).toBe(true);
    expect(armWrites(emu)).toEqual([]);
  });

  test('bad inputs fail main before any Azure call, naming the input', async (emu) => {
    const bad = await main(emu, { ports: '22,abc' });

    expect(bad.exitCode).toBe(1);
    expect(bad.annotations.find((a) => a.level === 'error')?.message).toContain("'ports'");
    expect(armWrites(emu)).toEqual([]);
    expect(bad.stateFile).toBe('');
  });
});
