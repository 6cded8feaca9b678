/**
 * The core's Platform on the Azure Pipelines agent, through azure-pipelines-task-lib:
 * inputs by their task.json (camelCase) names, `##vso` logging commands for
 * secrets, output variables (isOutput=true, so later jobs can read them), task
 * variables for the main -> post hand-off, and `task.uploadsummary` for the
 * summary tab. It also reads the service connection for `adoAuth.ts`.
 */
import * as tl from 'azure-pipelines-task-lib/task';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  AuthError,
  ADO,
  INPUTS,
  OUTPUTS,
  neutralizeCommands,
  summaryMarkdown,
  type InputName,
  type OutputName,
  type Platform,
  type RunMetadata,
  type StateKey,
  type Summary,
} from '../shared';
import { CONNECTION_INPUT, type AdoAuthContext, type ServiceConnection } from './adoAuth';
import { englishMessages, type Localize, type MessageKey } from './messages';

/**
 * The core's one neutraliser (`##vso[` anywhere in a plain log line would be executed). Issues and
 * debug lines carry their text as escaped command data, which the agent does not parse again.
 */
export { neutralizeCommands };

/** Task variable (VSTS_TASKVARIABLE_*) per state key: task-lib keys must not contain '-'. */
export const STATE_VARIABLES: Readonly<Record<StateKey, string>> = { 'jit-state': 'jitState' };

/** Title of the summary section (the agent shows the file name). */
const SUMMARY_TITLE = 'Just-In-Time VM access';

/** PEM armour lines are public and identical everywhere; masking them would blank unrelated log lines. */
const PEM_ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/** The pieces of a value the agent can mask: it refuses multi-line secrets, so mask each line. */
export function maskableParts(value: string): string[] {
  if (!/[\r\n]/.test(value)) return value ? [value] : [];
  return value
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !PEM_ARMOUR.test(line));
}

/** Loads task.json's messages for tl.loc when the file is there (it is, next to the bundle). */
export function createLocalize(taskJsonPath: string | undefined): Localize {
  if (!taskJsonPath || !existsSync(taskJsonPath)) return englishMessages;
  tl.setResourcePath(taskJsonPath, true);
  return (key: MessageKey, ...args) => tl.loc(key, ...args);
}

const discard = new Writable({
  write(_chunk, _encoding, done) {
    done();
  },
});

/**
 * Runs a task-lib read with its output discarded. task-lib debug-logs every value
 * it reads (`Agent.ProxyPassword=<password>`, `<id> auth param serviceprincipalkey
 * = <key>`) before the caller could mask it; the agent masks its own secrets in
 * the log it keeps, but the raw stdout would still carry them. Read secrets this
 * way, then mask them, then log.
 */
export function quietly<T>(read: () => T): T {
  tl.setStdStream(discard);
  try {
    return read();
  } finally {
    tl.setStdStream(process.stdout);
  }
}

/** The agent's proxy settings (null without a proxy), read without logging the password. */
export function agentProxyConfiguration(): tl.ProxyConfiguration | null {
  return quietly(() => tl.getHttpProxyConfiguration());
}

const caseInsensitive = (record: Readonly<Record<string, string>>, key: string): string => {
  const wanted = key.toLowerCase();
  const found = Object.keys(record).find((k) => k.toLowerCase() === wanted);
  return found === undefined ? '' : (record[found] ?? '');
};

/**
 * The connection's authorization as one JSON document (ENDPOINT_AUTH_<id>): task-lib
 * logs only whether it exists, while its per-parameter getters debug-log each
 * value (secrets included) before we could mask them.
 */
function readAuthorization(id: string): tl.EndpointAuthorization | undefined {
  try {
    return tl.getEndpointAuthorization(id, true);
  } catch {
    // task-lib's parse error quotes the raw JSON, secrets and all: never surface it.
    throw new AuthError(`The agent passed an unreadable authorization for service connection '${id}'.`);
  }
}

export function readServiceConnection(id: string): ServiceConnection | undefined {
  const auth = readAuthorization(id);
  const scheme = auth?.scheme ?? tl.getEndpointAuthorizationScheme(id, true) ?? '';
  const url = tl.getEndpointUrl(id, true) ?? '';
  if (!auth && !scheme && !url) return undefined;
  return {
    id,
    scheme,
    url,
    // Agents without ENDPOINT_AUTH_<id>: per-parameter variables, read quietly (they may be secrets).
    param: (key) =>
      auth
        ? caseInsensitive(auth.parameters ?? {}, key)
        : quietly(() => tl.getEndpointAuthorizationParameter(id, key, true) ?? ''),
    data: (key) => tl.getEndpointDataParameter(id, key, true) ?? '',
  };
}

export class AdoPlatform implements Platform {
  /** Set when the core (or the entry) failed the step, so the entry does not report success. */
  failed = false;
  readonly frontEnd = ADO;
  private summaryCount = 0;
  private summaryDir: string | undefined;

  constructor(readonly loc: Localize = englishMessages) {}

  getInput(name: InputName): string {
    // The service connection decides the cloud: task.json has no cloud inputs, the core gets defaults.
    if (!this.frontEnd.uses(name)) return '';
    return tl.getInput(INPUTS[name].ado) ?? '';
  }

  debug(message: string): void {
    tl.debug(neutralizeCommands(message));
  }

  info(message: string): void {
    process.stdout.write(neutralizeCommands(message) + EOL);
  }

  /** Azure Pipelines has no "notice" level; a plain line keeps it out of the warnings count. */
  notice(message: string): void {
    this.info(message);
  }

  warning(message: string): void {
    tl.warning(neutralizeCommands(message));
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    process.stdout.write(`##[group]${neutralizeCommands(title)}${EOL}`);
    try {
      return await fn();
    } finally {
      process.stdout.write(`##[endgroup]${EOL}`);
    }
  }

  setSecret(value: string): void {
    for (const part of maskableParts(value)) tl.setSecret(part);
  }

  setOutput(name: OutputName, value: string): void {
    tl.setVariable(OUTPUTS[name].ado, value, false, true);
  }

  saveState(key: StateKey, value: string): void {
    tl.setTaskVariable(STATE_VARIABLES[key], value, false);
  }

  getState(key: StateKey): string {
    return tl.getTaskVariable(STATE_VARIABLES[key]) ?? '';
  }

  /** Each call becomes its own summary file: the agent uploads the file when it processes the command. */
  appendSummary(summary: Summary): Promise<void> {
    try {
      this.summaryDir ??= join(
        tl.getVariable('Agent.TempDirectory') || tmpdir(),
        `azure-jit-access-${randomUUID()}`,
      );
      mkdirSync(this.summaryDir, { recursive: true });
      this.summaryCount += 1;
      const suffix = this.summaryCount === 1 ? '' : ` (${this.summaryCount})`;
      const file = join(this.summaryDir, `${SUMMARY_TITLE}${suffix}.md`);
      writeFileSync(file, summaryMarkdown(summary), 'utf8');
      tl.uploadSummary(file);
    } catch (e) {
      this.warning(this.loc('SummaryUploadFailed', e instanceof Error ? e.message : String(e)));
    }
    return Promise.resolve();
  }

  setFailed(message: string): void {
    this.failed = true;
    tl.setResult(tl.TaskResult.Failed, neutralizeCommands(message));
  }

  succeed(message: string): void {
    tl.setResult(tl.TaskResult.Succeeded, message);
  }

  runMetadata(): RunMetadata {
    const v = (name: string): string | undefined => tl.getVariable(name)?.trim() || undefined;
    const collection = v('System.CollectionUri');
    const project = v('System.TeamProject');
    const buildId = v('Build.BuildId');
    const buildUrl =
      collection && project && buildId
        ? `${collection.replace(/\/?$/, '/')}${encodeURIComponent(project)}/_build/results?buildId=${buildId}`
        : undefined;
    const fields: Record<keyof Omit<RunMetadata, 'system'>, string | undefined> = {
      runUrl: v('Release.ReleaseWebUrl') ?? buildUrl,
      repository: v('Build.Repository.Name'),
      commit: v('Build.SourceVersion'),
      actor: v('Release.RequestedFor') ?? v('Build.RequestedFor'),
      workflow: v('Release.DefinitionName') ?? v('Build.DefinitionName'),
    };
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    return { system: 'Azure Pipelines', ...defined };
  }

  /** The agent side of service-connection sign-in. */
  authContext(): AdoAuthContext {
    return {
      connectionId: () => tl.getInput(CONNECTION_INPUT) ?? '',
      connection: readServiceConnection,
      systemAccessToken: () => {
        const auth = readAuthorization('SystemVssConnection');
        return auth ? caseInsensitive(auth.parameters ?? {}, 'AccessToken') : '';
      },
      oidcRequestUri: () => tl.getVariable('System.OidcRequestUri') ?? '',
      setSecret: (value) => this.setSecret(value),
      info: (message) => this.info(message),
      loc: this.loc,
    };
  }
}
