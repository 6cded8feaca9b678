/**
 * P1 and P6 for the Azure DevOps task bundle too (dist/task/main.js and post.js), run the way the
 * agent runs them (tests/helpers/adoAgent.ts: INPUT_* and ENDPOINT_* variables, `##vso[...]`
 * commands, task variables for post), signing in with a service principal's secret from the ARM
 * service connection, as the CLI rows do.
 */
import { join } from 'node:path';
import type { Emulator } from '../emulator';
import { runAdoStep } from '../tests/helpers/adoAgent';
import { agentEnv, connection, targetInputs } from '../tests/e2e/task/fixture';
import type { StepTiming } from './action';
import type { Runner } from './measure';

/**
 * Main then post, both with `node`, from the bundles in `distDir`, sharing one
 * Agent.TempDirectory as on a real agent (post reuses main's compile cache).
 */
export async function taskMainAndPost(
  emu: Emulator,
  runner: Runner,
  options: { node: string; distDir: string; agentTemp: string },
): Promise<{ main: StepTiming; post: StepTiming }> {
  const step = async (entry: 'main' | 'post', taskVariables?: Readonly<Record<string, string>>) => {
    const rss = runner.rssEnv();
    const t0 = performance.now();
    const result = await runAdoStep({
      node: options.node,
      entry,
      bundle: join(options.distDir, 'task', `${entry}.js`),
      inputs: targetInputs(emu),
      endpoints: [connection(emu, 'secret')],
      systemAccessToken: emu.ado.accessToken,
      env: { ...agentEnv(emu, 'secret'), AGENT_TEMPDIRECTORY: options.agentTemp, ...rss },
      ...(taskVariables ? { taskVariables } : {}),
    });
    const wallMs = performance.now() - t0;
    if (result.exitCode !== 0 || result.result?.result === 'Failed')
      throw new Error(`task ${entry} failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
    const timing = { wallMs, peakRssMb: runner.readRss(rss), cpuMs: runner.readCpu(rss) };
    return { result, timing };
  };
  const main = await step('main');
  const post = await step('post', main.result.taskVariables);
  return { main: main.timing, post: post.timing };
}
