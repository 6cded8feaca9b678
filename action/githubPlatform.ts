/**
 * `Platform` over @actions/core 2.0.3 (the last CommonJS line; 3.x is ESM-only). Inputs come from
 * the runner's INPUT_<NAME> variables under their kebab-case names, as action.yml declares them;
 * state and outputs go to the GITHUB_STATE / GITHUB_OUTPUT files; the summary to
 * GITHUB_STEP_SUMMARY; errors and warnings become annotations.
 */
import * as core from '@actions/core';
import {
  GITHUB,
  readWithAliases,
  neutralizeCommands,
  summaryMarkdown,
  type InputName,
  type OutputName,
  type Platform,
  type RunMetadata,
  type StateKey,
} from '../shared';

/** The core's one neutraliser; exported here too for the adapter's tests. */
export { neutralizeCommands };

type Env = Readonly<Record<string, string | undefined>>;

export function createGitHubPlatform(env: Env = process.env): Platform {
  return {
    frontEnd: GITHUB,
    getInput: (name: InputName) => readWithAliases(name, (n) => core.getInput(n)),
    // core.info writes raw text; annotations, debug lines and group titles are escaped command
    // data, neutralised all the same: every log path goes through the one function.
    debug: (message) => core.debug(neutralizeCommands(message)),
    info: (message) => core.info(neutralizeCommands(message)),
    notice: (message) => core.notice(neutralizeCommands(message)),
    warning: (message) => core.warning(neutralizeCommands(message)),
    group: <T>(title: string, fn: () => Promise<T>) => core.group(neutralizeCommands(title), fn),
    setSecret: (value) => core.setSecret(value),
    setOutput: (name: OutputName, value) => core.setOutput(name, value),
    saveState: (key: StateKey, value) => core.saveState(key, value),
    getState: (key: StateKey) => core.getState(key),
    appendSummary: async (summary) => {
      // Old GHES runners and local runs have no summary file; the log already has the same facts.
      if (!env.GITHUB_STEP_SUMMARY) {
        core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written.');
        return;
      }
      await core.summary.addRaw(summaryMarkdown(summary), true).write();
    },
    setFailed: (message) => core.setFailed(neutralizeCommands(message)),
    runMetadata: () => githubRunMetadata(env),
  };
}

export function githubRunMetadata(env: Env): RunMetadata {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID || undefined;
  return {
    system: 'GitHub Actions',
    ...(repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
    ...(repository ? { repository } : {}),
    ...(env.GITHUB_SHA ? { commit: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
  };
}
