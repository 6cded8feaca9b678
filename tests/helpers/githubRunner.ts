/**
 * Runs a committed Action bundle the way the GitHub runner does, so end-to-end tests exercise the
 * real protocol rather than our idea of it:
 *
 * - every input declared in action.yml arrives as INPUT_<NAME> (upper case, spaces to `_`, hyphens
 *   kept), with action.yml's default when the workflow gives none;
 * - GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY are fresh, existing files per step;
 * - post gets main's state back as STATE_<name> variables parsed from main's GITHUB_STATE file;
 * - the process runs in a workspace folder with a minimal environment (no AZURE_* or `az` leaking
 *   in from the machine running the tests);
 * - stdout is read as workflow commands: `::add-mask::` values are replaced by `***` in the log the
 *   user would see, annotations are collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { linkNode, systemEnvironment, writeNodeTool } from './childProcess';

export const REPO_ROOT = join(__dirname, '..', '..');

export type Entry = 'main' | 'post';

export interface StepOptions {
  /** Node binary to run the bundle with (see tests/helpers/nodes.ts). */
  readonly node: string;
  readonly entry: Entry;
  /** `with:` values by their action.yml (kebab-case) names. */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Extra environment (NODE_EXTRA_CA_CERTS, ACTIONS_ID_TOKEN_REQUEST_URL, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** STATE_* values for post, usually `mainResult.state`. */
  readonly state?: Readonly<Record<string, string>>;
  /** Kill the step if it runs longer than this (a hung step must fail the test, not hang it). */
  readonly timeoutMs?: number;
  /**
   * Executables on the step's PATH besides `node` (name -> the Node script it runs, with `node`),
   * e.g. a stand-in `az`: `az` on Linux and macOS, `az.cmd` on Windows (tests/helpers/childProcess.ts).
   * Nothing else from the machine is on PATH, so an `az` installed there cannot change a result.
   */
  readonly tools?: Readonly<Record<string, string>>;
  /** Called once the process runs, with the files it writes; lets a test kill it mid-step. */
  readonly onStart?: (child: ChildProcess, files: StepFiles) => void;
  /** Bundle to run instead of action.yml's (the bench compares an earlier build). */
  readonly bundle?: string;
}

export interface StepFiles {
  readonly output: string;
  readonly state: string;
  readonly summary: string;
  readonly workspace: string;
  /** The step's only PATH entry. */
  readonly bin: string;
}

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice' | 'debug';
  readonly message: string;
}

export interface StepResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Raw process output. */
  readonly stdout: string;
  readonly stderr: string;
  /** stdout without the `::add-mask::` lines themselves: anything left here would reach the log. */
  readonly stdoutWithoutMaskCommands: string;
  /** What the runner shows: command lines consumed, masked values replaced by `***`. */
  readonly log: string;
  readonly masks: readonly string[];
  readonly annotations: readonly Annotation[];
  readonly outputs: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly files: StepFiles;
  /** Raw file contents, for secret scans. */
  readonly outputFile: string;
  readonly stateFile: string;
  readonly summary: string;
}

interface DeclaredInput {
  /** YAML scalars: the runner hands them over as text. */
  readonly default?: string | number | boolean;
}

const actionYml = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, DeclaredInput>;
  runs: Record<Entry, string>;
};

/** The runner's variable name for an input: `wait-timeout` -> `INPUT_WAIT-TIMEOUT`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file: `name<<delimiter` blocks and `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
      if (i >= lines.length) throw new Error(`Unterminated value for '${name}' (delimiter ${delimiter})`);
      values[name] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Malformed file command line: ${line}`);
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

/** Workflow command data escaping (actions/toolkit `escapeData`), reversed. */
function unescapeData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

const COMMAND = /^::([a-z-]+)(?: [^:]*)?::(.*)$/;

/**
 * Reads stdout as the runner does: `add-mask` registers a secret, annotations are collected, and
 * the visible log has masked values replaced by `***`. Debug lines show only with step debug on.
 */
export function readCommands(
  stdout: string,
  stepDebug = false,
): { masks: string[]; annotations: Annotation[]; log: string } {
  const masks: string[] = [];
  const annotations: Annotation[] = [];
  const shown: string[] = [];
  // @actions/core ends each command with os.EOL: CRLF on Windows.
  for (const line of stdout.split(/\r?\n/)) {
    const command = COMMAND.exec(line);
    if (!command) {
      shown.push(line);
      continue;
    }
    const [, name, data] = command as unknown as [string, string, string];
    const message = unescapeData(data);
    if (name === 'add-mask') {
      if (message.trim() !== '') masks.push(message);
      continue;
    }
    if (name === 'error' || name === 'warning' || name === 'notice' || name === 'debug') {
      annotations.push({ level: name, message });
      if (name !== 'debug' || stepDebug) shown.push(`${name}: ${message}`);
    } else if (name !== 'group' && name !== 'endgroup') {
      shown.push(line);
    } else {
      shown.push(message);
    }
  }
  // Longest first, so a secret containing another masked value is hidden whole.
  const sorted = [...masks].sort((a, b) => b.length - a.length);
  const log = sorted.reduce((text, secret) => text.split(secret).join('***'), shown.join('\n'));
  return { masks, annotations, log };
}

const stepDirs: string[] = [];

/** Removes the folders of every step run so far (call from afterAll). */
export function removeStepFiles(): void {
  for (const dir of stepDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Outside jest (the benchmarks run steps through this helper) nothing calls removeStepFiles: the
// folders go when the process exits. Under jest, suites call it from afterAll, and each test
// file's temp folder is removed anyway (tests/jest/environment.js).
if (process.env.JEST_WORKER_ID === undefined) process.once('exit', removeStepFiles);

function newStepFiles(node: string, tools: Readonly<Record<string, string>>): StepFiles {
  const dir = mkdtempSync(join(tmpdir(), 'gh-step-'));
  stepDirs.push(dir);
  const workspace = join(dir, 'workspace');
  const bin = join(dir, 'bin');
  mkdirSync(workspace);
  mkdirSync(bin);
  linkNode(bin, node);
  for (const [name, script] of Object.entries(tools)) writeNodeTool(bin, name, node, script);
  const files = {
    output: join(dir, 'output.txt'),
    state: join(dir, 'state.txt'),
    summary: join(dir, 'step_summary.md'),
    workspace,
    bin,
  };
  // The runner creates these before the step starts; @actions/core refuses missing files.
  for (const path of [files.output, files.state, files.summary]) writeFileSync(path, '');
  return files;
}

/** RUNNER_OS as the runner sets it on this machine's OS. */
const RUNNER_OS =
  ({ win32: 'Windows', darwin: 'macOS' } as Record<string, string>)[process.platform] ?? 'Linux';

export function runnerEnvironment(files: StepFiles): Record<string, string> {
  return {
    // What Windows itself needs (the runner passes the machine's whole environment); nothing on POSIX.
    ...systemEnvironment(),
    PATH: files.bin,
    HOME: files.workspace,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: REPO_ROOT,
    GITHUB_WORKSPACE: files.workspace,
    RUNNER_TEMP: dirname(files.workspace),
    RUNNER_OS,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'contoso/webapp',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    // Post's re-check of deleted rules without the ~30 s pause (see tests/helpers/fastClose.js).
    AZURE_JIT_ACCESS_RECHECK_DELAY_MS: process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS ?? '0',
  };
}

/** Runs one step (main or post) of the committed bundle to completion. */
export function runStep(options: StepOptions): Promise<StepResult> {
  const files = newStepFiles(options.node, options.tools ?? {});
  const bundle = options.bundle ?? join(REPO_ROOT, actionYml.runs[options.entry]);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);

  const env: Record<string, string> = { ...runnerEnvironment(files) };
  for (const [name, declared] of Object.entries(actionYml.inputs)) {
    const given = options.inputs?.[name];
    const value = given ?? (declared.default === undefined ? undefined : String(declared.default));
    if (value !== undefined) env[inputVariable(name)] = value;
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in actionYml.inputs)) throw new Error(`'${name}' is not an input of action.yml`);
  }
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  Object.assign(env, options.env);

  return new Promise((resolve, reject) => {
    const child = spawn(options.node, [bundle], {
      cwd: files.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      try {
        resolve(
          collect(
            files,
            exitCode,
            signal,
            Buffer.concat(out).toString('utf8'),
            Buffer.concat(err).toString('utf8'),
            env.ACTIONS_STEP_DEBUG === 'true',
          ),
        );
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    options.onStart?.(child, files);
  });
}

function collect(
  files: StepFiles,
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
  stepDebug: boolean,
): StepResult {
  const outputFile = readFileSync(files.output, 'utf8');
  const stateFile = readFileSync(files.state, 'utf8');
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    stdoutWithoutMaskCommands: stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    ...readCommands(stdout, stepDebug),
    outputs: parseFileCommands(outputFile),
    state: parseFileCommands(stateFile),
    files,
    outputFile,
    stateFile,
    summary: readFileSync(files.summary, 'utf8'),
  };
}
