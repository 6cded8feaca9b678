/**
 * What both entry files share: the GitHub platform, the GitHub sign-in, cancellation on the
 * runner's signals, and the mapping of the core's verdict to the exit code.
 */
import * as core from '@actions/core';
import { abortSignalFromProcess, exitWhenFlushed, describeError, GITHUB, type RunOptions } from '../shared';
import { createGitHubConnect } from './githubAuth';
import { createGitHubPlatform } from './githubPlatform';

/**
 * Runs `step` with the GitHub wiring. The runner cancels a step with SIGINT, then SIGTERM, then
 * kills it: the first signal aborts the run (main's state is saved right after `initiate`, so
 * post still closes what was opened), a second one exits at once.
 */
export function runOnGitHub(step: (options: RunOptions) => Promise<{ readonly ok: boolean }>): void {
  const platform = createGitHubPlatform();
  const connect = createGitHubConnect({
    getInput: (name) => core.getInput(name),
    setSecret: (value) => core.setSecret(value),
    getIDToken: (audience) => core.getIDToken(audience),
    info: (message) => platform.info(message),
    warning: (message) => platform.warning(message),
    debug: (message) => platform.debug(message),
    env: process.env,
  });
  const cancellation = abortSignalFromProcess(process, (name) =>
    platform.warning(`Received ${name}: stopping. The post step closes any access already requested.`),
  );
  step({ platform, connect, signal: cancellation.signal })
    .then(
      (outcome) => {
        process.exitCode = outcome.ok ? 0 : 1;
      },
      // The core never rejects by contract; if a bug makes it, the step must still fail visibly.
      (e: unknown) => platform.setFailed(describeError(e, GITHUB)),
    )
    .finally(() => {
      cancellation.dispose();
      exitWhenFlushed();
    });
}
