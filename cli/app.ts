/**
 * The CLI as a function: argv in, exit code out. `main.ts` wires it to the
 * real process; the demo runs it in-process against the emulator.
 */
import { describeError, isJitError } from '../shared';
import { COMMANDS, parseCommandLine, UsageError, type CommandName } from './args';
import { auditCommand } from './commands/audit';
import { calibrateCommand } from './commands/calibrate';
import { closeCommand } from './commands/close';
import { disableCommand, enableCommand } from './commands/enable';
import { requestCommand } from './commands/request';
import { statusCommand } from './commands/status';
import { createContext, type CliIo, type CommandContext } from './context';
import { EXIT } from './exitCodes';
import { commandHelp, rootHelp } from './help';
import { Terminal } from './terminal';
import { VERSION } from './version';

const HANDLERS: Readonly<Record<CommandName, (ctx: CommandContext) => Promise<number>>> = {
  request: requestCommand,
  validate: requestCommand,
  close: closeCommand,
  status: statusCommand,
  audit: auditCommand,
  enable: enableCommand,
  disable: disableCommand,
  calibrate: calibrateCommand,
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  const bare = new Terminal({
    stdout: io.stdout,
    stderr: io.stderr,
    json: wantsJson,
    verbose: false,
    interactive: false,
  });
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return usageFailure(bare, error);
  }
  if ('version' in parsed) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if ('help' in parsed) {
    io.stdout.write(`${parsed.help === 'root' ? rootHelp(VERSION) : commandHelp(parsed.help)}\n`);
    return EXIT.ok;
  }

  const terminal = new Terminal({
    stdout: io.stdout,
    stderr: io.stderr,
    json: parsed.values.json === true,
    verbose: parsed.values.verbose === true || io.env.RUNNER_DEBUG === '1' || io.env.SYSTEM_DEBUG === 'true',
    interactive: io.interactive,
    ansi: io.ansi === true,
  });
  try {
    const ctx = createContext(parsed.command, parsed.values, terminal, io);
    return await HANDLERS[parsed.command](ctx);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(terminal, error);
    // Commands report their own failures; this is the net for the core's typed errors
    // thrown outside a step (e.g. an unreadable state file) and for bugs.
    const message = isJitError(error)
      ? describeError(error)
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
    terminal.log(
      'error',
      isJitError(error) ? message : `Unexpected error in '${parsed.command}': ${message}`,
    );
    if (terminal.json)
      terminal.printJson({ command: parsed.command, ok: false, exitCode: EXIT.failure, error: message });
    return EXIT.failure;
  }
}

function usageFailure(terminal: Terminal, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  // No timestamp: nothing ran yet, this is about the command line itself.
  terminal.printError(`azure-jit-access: ${message}`);
  if (terminal.json) {
    const command = error instanceof UsageError ? error.command : undefined;
    terminal.printJson({
      ...(command && command in COMMANDS ? { command } : {}),
      ok: false,
      exitCode: EXIT.usage,
      error: message,
    });
  }
  return EXIT.usage;
}
