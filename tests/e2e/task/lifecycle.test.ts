/**
 * The committed task bundles, run as the Azure Pipelines agent runs them
 * (tests/helpers/adoAgent.ts), against the emulator over HTTPS, under Node 20 and
 * Node 24: main opens and sets output variables, post closes from the task
 * variables main left, and post without state does nothing.
 */
import type { Emulator } from '../../../emulator';
import { describeStep, runAdoStep, type AdoStepResult } from '../../helpers/adoAgent';
import { signalCases } from '../../helpers/childProcess';
import { withEmulator } from '../../helpers/ownEmulator';
import { NODE_BINARIES } from '../../helpers/nodes';
import {
  EGRESS_IP,
  WEB_01_ID,
  agentEnv,
  connection,
  connectionSecrets,
  leakedSecrets,
  targetInputs,
} from './fixture';

jest.setTimeout(120_000);

interface Rule {
  name: string;
  properties: { access?: string; sourceAddressPrefix?: string; destinationPortRange?: string };
}

function allowRules(emu: Emulator, nsg: string): Rule[] {
  return (emu.control.rules(nsg) as Rule[]).filter(
    (r) => r.properties.access === 'Allow' && r.properties.sourceAddressPrefix === EGRESS_IP,
  );
}

/**
 * Every test owns an emulator (rule delay 0 to start with), so the tests of both Node versions
 * run concurrently: most of each is waiting on the task's child processes.
 */
const test = (name: string, fn: (emu: Emulator) => Promise<void>): void =>
  it.concurrent(name, () => withEmulator({ ruleDelayMs: 0 }, fn));

describe.each(NODE_BINARIES.map((n) => [n.name, n.path] as const))('task bundles on %s', (_name, node) => {
  const step = (
    emu: Emulator,
    entry: 'main' | 'post',
    inputs: Record<string, string> = {},
    taskVariables?: Record<string, string>,
  ) =>
    runAdoStep({
      node,
      entry,
      inputs: targetInputs(emu, inputs),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: agentEnv(emu, 'secret'),
      ...(taskVariables ? { taskVariables } : {}),
    });

  test('main opens web-01 and sets output variables; post closes exactly that', async (emu) => {
    const opened: AdoStepResult = await step(emu, 'main');

    expect({ result: opened.result?.result, exit: opened.exitCode }).toEqual({
      result: 'Succeeded',
      exit: 0,
    });
    // No errors, and no warnings either (a missing loc string or a proxy problem would be one).
    expect(opened.issues).toEqual([]);
    // Output variables (isOutput=true), under task.json's names.
    expect(opened.outputs.ip).toBe(EGRESS_IP);
    expect(opened.outputs.port).toBe('22');
    const targets = JSON.parse(opened.outputs.targets ?? '') as {
      vm: string;
      id: string;
      host: string;
      ruleNames: string[];
    }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]?.vm).toBe('web-01');
    expect(targets[0]?.id.toLowerCase()).toBe(WEB_01_ID.toLowerCase());
    expect(opened.outputs.host).toBe(targets[0]?.host);
    expect(Date.parse(opened.outputs.expiresAt ?? '')).toBeGreaterThan(emu.control.clock.now().getTime());
    // The emulator: the allow rule named in the outputs is live in web-01's NSG.
    const live = allowRules(emu, 'web-01-nsg');
    expect(live.length).toBeGreaterThan(0);
    expect(live.map((r) => r.name).sort()).toEqual([...(targets[0]?.ruleNames ?? [])].sort());
    // State for post went through a task variable.
    expect(Object.keys(opened.taskVariables)).toEqual(['jitState']);
    expect(opened.taskVariables.jitState).toContain('web-01');
    // The summary tab: an uploaded Markdown file naming the VM and the source.
    expect(opened.summaries.length).toBeGreaterThan(0);
    expect(opened.summaries.map((s) => s.content).join('\n')).toContain('web-01');
    expect(opened.summaries.map((s) => s.content).join('\n')).toContain(EGRESS_IP);
    // The connection decided the cloud, and the log says so.
    expect(opened.stdout).toContain(`Resource Manager ${emu.armUrl}`);
    // The client secret was masked, and no secret or token is anywhere else.
    expect(opened.secrets).toContain(connectionSecrets(emu, 'secret')[0]);
    // ... and so was the ARM access token, the moment the token response arrived.
    expect(opened.secrets.some((s) => s.startsWith('eyJ'))).toBe(true);
    expect(leakedSecrets(opened, [...connectionSecrets(emu, 'secret'), emu.ado.accessToken])).toEqual([]);

    const closed = await step(emu, 'post', {}, opened.taskVariables);

    expect(closed.result?.result).toBe('Succeeded');
    expect(closed.exitCode).toBe(0);
    expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    const deletes = emu.control.requests().filter((r) => r.method === 'DELETE');
    expect(deletes.length).toBe(live.length);
    expect(leakedSecrets(closed, connectionSecrets(emu, 'secret'))).toEqual([]);
  });

  for (const signal of signalCases('a main cancelled with a signal during the wait', ['SIGINT', 'SIGTERM']))
    test(`a main cancelled with ${signal} during the wait keeps its state, and post closes the access`, async (emu) => {
      emu.control.setRuleDelay(600_000);
      let sent = false;
      const cancelled = await runAdoStep({
        node,
        entry: 'main',
        inputs: targetInputs(emu, { waitTimeout: '300' }),
        endpoints: [connection(emu, 'secret')],
        env: agentEnv(emu, 'secret'),
        // The agent signals the task when the run is cancelled; do it once main saved its state.
        onLine: (line, child) => {
          if (!sent && line.startsWith('##vso[task.settaskvariable variable=jitState')) {
            sent = true;
            child.kill(signal);
          }
        },
      });

      expect(sent).toBe(true);
      expect(cancelled.result?.result).not.toBe('Succeeded');
      expect(cancelled.exitCode === 0).toBe(false);
      expect(cancelled.taskVariables.jitState).toContain('web-01');
      // Azure finishes the NSG update later, before the job's post-job step runs.
      emu.control.clock.advance(600_000);
      emu.control.setRuleDelay(0);
      expect(allowRules(emu, 'web-01-nsg').length).toBeGreaterThan(0);

      const closed = await step(emu, 'post', {}, cancelled.taskVariables);

      expect(closed.result?.result).toBe('Succeeded');
      expect(allowRules(emu, 'web-01-nsg')).toEqual([]);
    });

  test('post without state (main failed or was skipped) succeeds and writes nothing', async (emu) => {
    const idle = await step(emu, 'post');

    expect(idle.result?.result).toBe('Succeeded');
    expect(idle.exitCode).toBe(0);
    expect(idle.issues.filter((i) => i.type === 'error')).toEqual([]);
    expect(emu.control.requests().filter((r) => r.write)).toEqual([]);
  });

  test('bad inputs fail main before any Azure write, naming the input', async (emu) => {
    const bad = await step(emu, 'main', { ports: '22,abc' });

    expect(bad.result?.result).toBe('Failed');
    expect(bad.exitCode).toBe(1);
    expect(bad.issues.find((i) => i.type === 'error')?.message).toContain("'ports'");
    expect(emu.control.requests().filter((r) => r.write)).toEqual([]);
    expect(bad.taskVariables).toEqual({});
    expect(describeStep(bad)).toContain('Failed');
  });
});
