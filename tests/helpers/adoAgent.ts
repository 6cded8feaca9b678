/**
 * Runs the committed task bundle the way the Azure Pipelines agent's Node handler
 * does, so end-to-end tests exercise the real protocol rather than our idea of it:
 *
 * - every input declared in task.json arrives as INPUT_<NAME> (upper case), with
 *   task.json's defaultValue when the pipeline gives none;
 * - each service connection arrives as ENDPOINT_URL_<id>, ENDPOINT_AUTH_<id> (JSON
 *   `{ parameters, scheme }`), ENDPOINT_AUTH_SCHEME_<id>,
 *   ENDPOINT_AUTH_PARAMETER_<id>_<KEY> and ENDPOINT_DATA_<id>_<KEY>; the job's
 *   System.AccessToken as the SystemVssConnection endpoint;
 * - the SYSTEM_* / BUILD_* / AGENT_* variables a build job has, with a fresh
 *   Agent.TempDirectory per step;
 * - post gets main's task variables back as VSTS_TASKVARIABLE_<NAME>, parsed from
 *   main's `##vso[task.settaskvariable]` commands;
 * - a minimal environment: nothing from the machine running the tests leaks in.
 *
 * stdout is parsed as `##vso[...]` logging commands with task-lib's own parser.
 */
import { commandFromString, type TaskCommand } from 'azure-pipelines-task-lib/taskcommand';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnvironment } from './childProcess';

export const REPO_ROOT = join(__dirname, '..', '..');

export type Entry = 'main' | 'post';

interface TaskJsonInput {
  readonly name: string;
  readonly defaultValue?: string | boolean;
}
interface TaskJson {
  readonly inputs: readonly TaskJsonInput[];
  readonly execution: Record<string, { target: string }>;
  readonly postjobexecution: Record<string, { target: string }>;
}

export const TASK_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'task.json'), 'utf8')) as TaskJson;

/** The bundle the agent runs for `entry` (the Node24 handler; Node20_1 points at the same file). */
export function bundlePath(entry: Entry): string {
  const handlers = entry === 'main' ? TASK_JSON.execution : TASK_JSON.postjobexecution;
  const target = handlers.Node24?.target;
  if (!target) throw new Error(`task.json has no Node24 handler for ${entry}`);
  return join(REPO_ROOT, target);
}

/** A service connection as the agent hands it to a task. */
export interface ServiceEndpoint {
  readonly id: string;
  readonly scheme: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly data?: Readonly<Record<string, string>>;
  readonly url?: string;
  /** false: leave out ENDPOINT_AUTH_<id> (the JSON), as older agents do; only the per-parameter variables remain. */
  readonly authJson?: boolean;
}

/** The agent's variables for one endpoint (Handler.cs AddEndpointsToEnvironment). */
export function endpointEnv(endpoint: ServiceEndpoint): Record<string, string> {
  const id = endpoint.id;
  const env: Record<string, string> = { [`ENDPOINT_AUTH_SCHEME_${id}`]: endpoint.scheme };
  if (endpoint.authJson !== false) {
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters: endpoint.parameters, scheme: endpoint.scheme });
  }
  if (endpoint.url !== undefined) env[`ENDPOINT_URL_${id}`] = endpoint.url;
  for (const [k, v] of Object.entries(endpoint.parameters))
    env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(endpoint.data ?? {})) env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  return env;
}

/** Predefined variables of a build job; tests override what they care about. */
export function buildJobVariables(): Record<string, string> {
  return {
    AGENT_VERSION: '4.266.2',
    // Agent.OS as the agent sets it on this machine's OS.
    AGENT_OS:
      ({ win32: 'Windows_NT', darwin: 'Darwin' } as Record<string, string>)[process.platform] ?? 'Linux',
    AGENT_JOBNAME: 'deploy',
    SYSTEM_HOSTTYPE: 'build',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'webapp',
    SYSTEM_TEAMPROJECTID: '0f6e4c0d-5a4b-4c3d-8e2f-1a0b9c8d7e6f',
    SYSTEM_PLANID: '8b0a6f2e-1c3d-4e5f-a6b7-c8d9e0f1a2b3',
    SYSTEM_JOBID: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9',
    SYSTEM_DEFINITIONID: '7',
    BUILD_BUILDID: '1234',
    BUILD_BUILDNUMBER: '20261122.1',
    BUILD_DEFINITIONNAME: 'webapp-deploy',
    BUILD_REPOSITORY_NAME: 'contoso/webapp',
    BUILD_SOURCEVERSION: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    BUILD_SOURCEBRANCH: 'refs/heads/main',
    BUILD_REQUESTEDFOR: 'Ada Lovelace',
  };
}

export interface AdoStepOptions {
  /** Node binary to run the bundle with (see tests/helpers/nodes.ts). */
  readonly node: string;
  readonly entry: Entry;
  /** Inputs by their task.json names; task.json defaults fill the rest, as the agent does. */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly endpoints?: readonly ServiceEndpoint[];
  /** System.AccessToken, passed as the SystemVssConnection endpoint; omitted when undefined. */
  readonly systemAccessToken?: string;
  /** Extra/overriding variables (SYSTEM_OIDCREQUESTURI, NODE_EXTRA_CA_CERTS, AGENT_PROXYURL, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Task variables for post, usually `mainResult.taskVariables`. */
  readonly taskVariables?: Readonly<Record<string, string>>;
  /** Kill the step if it runs longer than this (a hung step must fail the test, not hang it). */
  readonly timeoutMs?: number;
  /** Called for each stdout line as it arrives; lets a test cancel the step mid-way, as the agent would. */
  readonly onLine?: (line: string, child: ChildProcess) => void;
  /** Another build's bundle for `entry` (the bench's "before"); default: the one task.json names. */
  readonly bundle?: string;
}

export interface AdoStepResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly commands: readonly TaskCommand[];
  /** The last task.complete: result (Succeeded, Failed, ...) and message. */
  readonly result?: { readonly result: string; readonly message: string };
  /** Values registered with task.setsecret, in order. */
  readonly secrets: readonly string[];
  /** setvariable with isOutput=true: what later jobs read as dependencies.<job>.outputs['<step>.<name>']. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly taskVariables: Readonly<Record<string, string>>;
  readonly issues: readonly { readonly type: string; readonly message: string }[];
  /** Files uploaded with task.uploadsummary, read right after the step. */
  readonly summaries: readonly { readonly path: string; readonly content: string }[];
  /** stdout without the setsecret commands: a secret found here would reach the log unmasked. */
  readonly stdoutWithoutSecretCommands: string;
  readonly tempDirectory: string;
}

/** The agent's variable name for a task variable or input: upper case, '.' and ' ' to '_'. */
export const variableKey = (name: string): string => name.replace(/[. ]/g, '_').toUpperCase();

export async function runAdoStep(options: AdoStepOptions): Promise<AdoStepResult> {
  const tempDirectory = mkdtempSync(join(tmpdir(), 'ado-agent-temp-'));
  const env: Record<string, string> = {
    ...childEnvironment(),
    HOME: tempDirectory,
    ...buildJobVariables(),
    AGENT_TEMPDIRECTORY: tempDirectory,
    AGENT_WORKFOLDER: tempDirectory,
    SYSTEM_DEFAULTWORKINGDIRECTORY: tempDirectory,
    // Post's re-check of deleted rules without the ~30 s pause (see tests/helpers/fastClose.js).
    AZURE_JIT_ACCESS_RECHECK_DELAY_MS: process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS ?? '0',
  };
  const inputs: Record<string, string> = {};
  for (const input of TASK_JSON.inputs) {
    if (input.defaultValue !== undefined && input.defaultValue !== '')
      inputs[input.name] = String(input.defaultValue);
  }
  Object.assign(inputs, options.inputs ?? {});
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${variableKey(name)}`] = value;
  for (const endpoint of options.endpoints ?? []) Object.assign(env, endpointEnv(endpoint));
  if (options.systemAccessToken !== undefined) {
    Object.assign(
      env,
      endpointEnv({
        id: 'SYSTEMVSSCONNECTION',
        scheme: 'OAuth',
        parameters: { AccessToken: options.systemAccessToken },
        ...(env.SYSTEM_COLLECTIONURI === undefined ? {} : { url: env.SYSTEM_COLLECTIONURI }),
      }),
    );
  }
  for (const [name, value] of Object.entries(options.taskVariables ?? {}))
    env[`VSTS_TASKVARIABLE_${variableKey(name)}`] = value;
  Object.assign(env, options.env ?? {});

  const bundle = options.bundle ?? bundlePath(options.entry);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run 'npm run build'.`);
  const child = spawn(options.node, [bundle], { cwd: tempDirectory, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (!options.onLine) return;
    const parts = (pending + d).split(/\r?\n/);
    pending = parts.pop() ?? '';
    for (const line of parts) options.onLine(line, child);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  }).finally(() => clearTimeout(timer));

  const lines = stdout.split(/\r?\n/);
  const commands = lines
    .filter((l) => l.includes('##vso['))
    .map((l) => commandFromString(l.slice(l.indexOf('##vso['))));
  const of = (name: string) => commands.filter((c) => c.command === name);
  const complete = of('task.complete').pop();
  const outputs: Record<string, string> = {};
  for (const c of of('task.setvariable')) {
    if (c.properties?.isOutput === 'true') outputs[c.properties.variable as string] = c.message;
  }
  const taskVariables: Record<string, string> = {};
  for (const c of of('task.settaskvariable')) taskVariables[c.properties?.variable as string] = c.message;
  const summaries = of('task.uploadsummary').map((c) => ({
    path: c.message,
    content: existsSync(c.message) ? readFileSync(c.message, 'utf8') : '',
  }));
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    commands,
    ...(complete
      ? { result: { result: String(complete.properties?.result), message: complete.message } }
      : {}),
    secrets: of('task.setsecret').map((c) => c.message),
    outputs,
    taskVariables,
    issues: of('task.issue').map((c) => ({ type: String(c.properties?.type), message: c.message })),
    summaries,
    stdoutWithoutSecretCommands: lines.filter((l) => !l.includes('##vso[task.setsecret]')).join('\n'),
    tempDirectory,
  };
}

/** Describes a step for a failing assertion: result, issues and the tail of the log. */
export function describeStep(step: AdoStepResult): string {
  const tail = step.stdout
    .split('\n')
    .filter((l) => !l.startsWith('##vso[task.debug]'))
    .slice(-40)
    .join('\n');
  return `exit ${step.exitCode} result ${JSON.stringify(step.result)}\n${tail}\n--- stderr ---\n${step.stderr.slice(-2000)}`;
}
