/**
 * The `azure-jit-access` command's process (bundled to dist/cli/program.js, loaded by the entry
 * file dist/cli/main.js once the compile cache is on): wire the real process to `runCli` and exit
 * with its code.
 */
import { exitWhenFlushed, neutralizeCommands, sharedByRun } from '../shared';
import { runCli } from './app';
import { ansiAllowed } from './style';

export function run(): void {
  const controller = new AbortController();
  sharedByRun(controller.signal);
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    signals += 1;
    // A second Ctrl-C means "now": do not wait for the core to unwind.
    if (signals > 1) process.exit(130);
    process.stderr.write(`\nReceived ${name}: cancelling (press Ctrl-C again to quit at once)...\n`);
    controller.abort(new Error(`Cancelled by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: process.stdout.isTTY === true,
    ansi: ansiAllowed(process.stdout, process.env),
    signal: controller.signal,
    cwd: process.cwd(),
  }).then(
    (code) => exitWhenFlushed(code),
    (error: unknown) => {
      process.stderr.write(
        neutralizeCommands(`azure-jit-access: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      exitWhenFlushed(1);
    },
  );
}
