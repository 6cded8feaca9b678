/**
 * What the tests' child processes need on every OS the suite runs on (Linux, macOS, Windows), in
 * one place: stand-in tools on PATH, the environment a child gets when a test builds it from
 * scratch, and stopping a process with everything it started.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WINDOWS = process.platform === 'win32';

/**
 * The variables a Windows process cannot do without, which an environment built from scratch
 * would otherwise drop: without SystemRoot, Winsock fails to start (no socket opens, not even to
 * 127.0.0.1); ComSpec and PATHEXT let a shell (`shell: true`, @azure/identity's `az` call) start
 * and find `az.cmd`; TEMP/TMP are os.tmpdir() there. Nothing elsewhere: a POSIX child needs none.
 */
const WINDOWS_SYSTEM = ['SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'PATHEXT', 'TEMP', 'TMP'];

export function systemEnvironment(): Record<string, string> {
  if (!WINDOWS) return {};
  const env: Record<string, string> = {};
  // process.env is case-insensitive on Windows: `SystemRoot` finds `SYSTEMROOT` too.
  for (const name of WINDOWS_SYSTEM) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * A minimal environment for a child: the system variables above, this process's PATH (`Path` on
 * Windows: process.env finds it under either spelling) and `extra`.
 */
export function childEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...systemEnvironment(), PATH: process.env.PATH ?? '', ...extra };
}

/**
 * Writes an executable named `name` into `dir` that runs `script` (a Node script) with `node`,
 * passing its arguments through: a `#!/bin/sh` script on Linux and macOS, `<name>.cmd` on Windows
 * (which finds it on PATH through PATHEXT, and which Node spawns only through a shell, as the code
 * that calls such tools does). Returns the file written.
 */
export function writeNodeTool(dir: string, name: string, node: string, script: string): string {
  if (WINDOWS) {
    const path = join(dir, `${name}.cmd`);
    writeFileSync(path, `@"${node}" "${script}" %*\r\n`);
    return path;
  }
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nexec "${node}" "${script}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Puts `node` on PATH in `dir` under its usual name: a link on Linux and macOS; on Windows, where
 * links need a privilege most accounts lack, a `node.cmd` that starts it.
 */
export function linkNode(dir: string, node: string): void {
  if (WINDOWS) writeFileSync(join(dir, 'node.cmd'), `@"${node}" %*\r\n`);
  else symlinkSync(node, join(dir, 'node'));
}

/**
 * Options for a child that `killTree` must be able to stop with everything it started: on Linux
 * and macOS its own process group; on Windows `taskkill /T` finds the tree without one (and a
 * detached child there would get a console window of its own).
 */
export const OWN_PROCESS_GROUP = { detached: !WINDOWS } as const;

/**
 * Stops `child` and every process it started (e.g. ts-run.mjs and the server it runs): the process
 * group (spawned with OWN_PROCESS_GROUP) on Linux and macOS, `taskkill /T /F` on Windows, which has
 * no signals: the processes end at once there, whatever `signal` asks.
 */
export function killTree(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = child?.pid;
  if (pid === undefined) return;
  try {
    if (!WINDOWS) process.kill(-pid, signal);
    // A taskkill without /T (Wine's refuses the whole command line): at least the child itself.
    else if (spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' }).status !== 0)
      child?.kill(signal);
  } catch {
    // Already gone.
  }
}

/**
 * Why a test that cancels a child with SIGINT/SIGTERM cannot run here, or undefined where it can.
 * Windows has no such signals: Node's `kill('SIGINT')` ends the process at once there, with no
 * handler run, so a test of what a cancelled step does would only test that. (The runner and the
 * agent cancel a Windows step with a console Ctrl-C event, which Node also reports as SIGINT; a
 * test cannot send one to a child without sharing its console.)
 */
export const NO_SIGNALS: string | undefined = WINDOWS
  ? 'Windows has no SIGINT/SIGTERM to send a child process'
  : undefined;

/**
 * `signals` where a test can send them; elsewhere none, and `name` is listed once as a skipped
 * test, so the run's count shows what did not run: `for (const s of signalCases(name, [...]))`.
 */
export function signalCases<S extends NodeJS.Signals>(name: string, signals: readonly S[]): readonly S[] {
  if (NO_SIGNALS === undefined) return signals;
  it.skip(`${name} (${signals.join(', ')}): ${NO_SIGNALS}`, () => undefined);
  return [];
}
