/**
 * What both entry files share: the agent's proxy (for the credential and every
 * client, as options), the task-lib platform, sign-in from the service connection,
 * cancellation on the agent's signals, and the mapping of the core's verdict
 * to `task.complete` and the exit code.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { join } from 'node:path';
import {
  describeError,
  ADO,
  neutralizeCommands,
  abortSignalFromProcess,
  exitWhenFlushed,
  type ProcessCancellation,
  type RunOptions,
} from '../shared';
import { createAdoConnect } from './adoAuth';
import { AdoPlatform, agentProxyConfiguration, createLocalize } from './adoPlatform';
import { agentProxy } from './adoProxy';

/**
 * task.json sits two levels above the bundle (dist/task/*.js) both in the repo and
 * in the packaged task folder; tl.loc reads its `messages` from there.
 */
const TASK_JSON = join(__dirname, '..', '..', 'task.json');

export interface TaskRun {
  readonly platform: AdoPlatform;
  readonly options: RunOptions;
  readonly cancellation: ProcessCancellation;
}

export function adoRunOptions(): TaskRun {
  const platform = new AdoPlatform(createLocalize(TASK_JSON));
  const proxy = agentProxy({
    config: agentProxyConfiguration(),
    env: process.env,
    setSecret: (value) => platform.setSecret(value),
    info: (message) => platform.info(message),
    warning: (message) => platform.warning(message),
    loc: platform.loc,
  });
  const connect = createAdoConnect(platform.authContext(), proxy);
  // The agent cancels with SIGINT, then SIGTERM, then kills. Main saves its state right after
  // `initiate`, so stopping early is safe: the post-job step runs even for cancelled jobs.
  const cancellation = abortSignalFromProcess(process, (name) =>
    platform.warning(`Received ${name}: stopping. The post-job step closes any access already requested.`),
  );
  return { platform, cancellation, options: { platform, connect, signal: cancellation.signal } };
}

/** task.complete + exit code from the core's verdict; a bug that throws still fails the step. */
export function finish(platform: AdoPlatform, run: Promise<{ readonly ok: boolean }>): Promise<void> {
  return run.then(
    ({ ok }) => {
      if (ok) platform.succeed('');
      else if (!platform.failed) platform.setFailed('The step did not complete; see the log above.');
      process.exitCode = ok ? 0 : 1;
    },
    (e: unknown) => {
      platform.setFailed(describeError(e, ADO));
      process.exitCode = 1;
    },
  );
}

/** Runs one step; anything thrown while setting up (bad connection data) fails the step cleanly. */
export function runStep(step: (options: RunOptions) => Promise<{ readonly ok: boolean }>): void {
  let task: TaskRun;
  try {
    task = adoRunOptions();
  } catch (e) {
    tl.setResult(tl.TaskResult.Failed, neutralizeCommands(describeError(e, ADO)));
    process.exitCode = 1;
    return;
  }
  void finish(task.platform, step(task.options)).finally(() => {
    task.cancellation.dispose();
    exitWhenFlushed();
  });
}
