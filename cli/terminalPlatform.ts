/**
 * The core's Platform for a terminal: inputs come from the parsed flags,
 * logs are human-readable lines (with a heartbeat while the core waits),
 * state goes to a JSON state file, outputs and the summary are collected
 * and printed by the command once the core is done (or as one JSON document).
 */
import { userInfo } from 'node:os';
import {
  CLI,
  type InputName,
  type OutputName,
  type Platform,
  type RunMetadata,
  type StateKey,
  type Summary,
} from '../shared';
import { flagText, type FlagValues } from './args';
import { CLOUD_ENV, cloudInputs } from './cloudEnv';
import type { StateFile } from './stateFile';
import type { Terminal } from './terminal';

export interface TerminalPlatformOptions {
  readonly terminal: Terminal;
  readonly flags: FlagValues;
  /** Inputs the command fixes whatever the flags say (e.g. `validate` sets dry-run). */
  readonly fixedInputs?: Partial<Record<InputName, string>>;
  /** Absent for commands that keep no state (validate, status). */
  readonly stateFile?: StateFile;
  readonly env?: NodeJS.ProcessEnv;
}

export class TerminalPlatform implements Platform {
  readonly outputs = new Map<OutputName, string>();
  readonly frontEnd = CLI;
  /** The core's summaries, as data: printed as text, or put in the --json document as they are. */
  readonly summaries: Summary[] = [];
  readonly failures: string[] = [];
  readonly warnings: string[] = [];
  private readonly env: NodeJS.ProcessEnv;

  readonly status?: (text: string) => void;

  constructor(private readonly options: TerminalPlatformOptions) {
    this.env = options.env ?? process.env;
    // A terminal shows progress on its one updating line; a log gets the core's progress lines.
    if (options.terminal.interactive) this.status = (text) => options.terminal.setStatus(text);
  }

  getInput(name: InputName): string {
    const fixed = this.options.fixedInputs?.[name];
    if (fixed !== undefined) return fixed;
    // A shell has no post step: `close` (or the end time) closes access, so the core records rules to delete.
    if (name === 'close-on-post') return 'delete-rule';
    if (name in CLOUD_ENV) return cloudInputs(this.options.flags, this.env)[name as keyof typeof CLOUD_ENV];
    return flagText(this.options.flags, name);
  }

  debug(message: string): void {
    this.options.terminal.log('debug', message);
  }

  info(message: string): void {
    this.options.terminal.log('info', message);
  }

  notice(message: string): void {
    this.options.terminal.log('notice', message);
  }

  warning(message: string): void {
    this.warnings.push(this.options.terminal.mask(message));
    this.options.terminal.log('warning', message);
  }

  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return this.options.terminal.group(title, fn);
  }

  setSecret(value: string): void {
    this.options.terminal.addSecret(value);
  }

  setOutput(name: OutputName, value: string): void {
    this.outputs.set(name, this.options.terminal.mask(value));
  }

  saveState(key: StateKey, value: string): void {
    if (!this.options.stateFile) return;
    this.options.stateFile.write(key, value);
    this.options.terminal.log('debug', `Saved state to ${this.options.stateFile.path}`);
  }

  getState(key: StateKey): string {
    return this.options.stateFile?.read(key) ?? '';
  }

  appendSummary(summary: Summary): Promise<void> {
    // Secrets never reach a summary, but the terminal masks everything it shows: so does this.
    this.summaries.push(JSON.parse(this.options.terminal.mask(JSON.stringify(summary))) as Summary);
    return Promise.resolve();
  }

  setFailed(message: string): void {
    this.failures.push(this.options.terminal.mask(message));
  }

  runMetadata(): RunMetadata {
    return ciMetadata(this.env);
  }
}

/**
 * The CLI also runs inside other CI systems (GitLab, Jenkins, ...): use what
 * they tell us for the default justification, else the local user.
 */
export function ciMetadata(env: NodeJS.ProcessEnv): RunMetadata {
  const user = (): string | undefined => {
    try {
      return env.USER || env.USERNAME || userInfo().username;
    } catch {
      return undefined;
    }
  };
  const compact = (m: { readonly [K in keyof RunMetadata]: RunMetadata[K] | undefined }): RunMetadata =>
    Object.fromEntries(
      Object.entries(m).filter(([, v]) => v !== undefined && v !== ''),
    ) as unknown as RunMetadata;
  if (env.GITLAB_CI) {
    return compact({
      system: 'CLI (GitLab CI)',
      runUrl: env.CI_JOB_URL,
      repository: env.CI_PROJECT_PATH,
      commit: env.CI_COMMIT_SHA,
      actor: env.GITLAB_USER_LOGIN,
      workflow: env.CI_PIPELINE_ID ? `pipeline ${env.CI_PIPELINE_ID}` : undefined,
    });
  }
  if (env.JENKINS_URL) {
    return compact({
      system: 'CLI (Jenkins)',
      runUrl: env.BUILD_URL,
      repository: env.GIT_URL,
      commit: env.GIT_COMMIT,
      actor: env.BUILD_USER_ID ?? user(),
      workflow: env.JOB_NAME,
    });
  }
  if (env.CIRCLECI) {
    return compact({
      system: 'CLI (CircleCI)',
      runUrl: env.CIRCLE_BUILD_URL,
      repository: env.CIRCLE_PROJECT_REPONAME,
      commit: env.CIRCLE_SHA1,
      actor: env.CIRCLE_USERNAME,
    });
  }
  return compact({ system: 'CLI', actor: user() });
}
