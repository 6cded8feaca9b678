/**
 * `request` and `validate`: the core's main step (runMain) behind a terminal.
 * `request` opens access, waits until the allow rule is live and records what
 * it opened in the state file for `close`; `validate` is the same run with
 * dry-run on: everything is checked against the policies, nothing is written.
 */
import { isAbsolute, resolve } from 'node:path';
import { runMain } from '../../shared';
import { DEFAULT_STATE_FILE, flagText, UsageError } from '../args';
import { outcomeExitCode } from '../failure';
import type { CommandContext } from '../context';
import { printCoreReport } from '../report';
import { StateFile } from '../stateFile';
import { TerminalPlatform } from '../terminalPlatform';
import { runStep } from './runStep';

export function stateFileFor(ctx: CommandContext): StateFile {
  const given = flagText(ctx.flags, 'state-file') || DEFAULT_STATE_FILE;
  return new StateFile(isAbsolute(given) ? given : resolve(ctx.io.cwd, given));
}

export async function requestCommand(ctx: CommandContext): Promise<number> {
  const validate = ctx.command === 'validate';
  const dryRun = validate || ctx.flags['dry-run'] === true;
  const stateFile = dryRun ? undefined : stateFileFor(ctx);
  if (stateFile?.exists() && stateFile.read('jit-state') !== '') {
    // Overwriting it would forget rules that are still open: `close` could no longer find them.
    throw new UsageError(
      `State file ${stateFile.path} already records a request. Close it first ('azure-jit-access close --state-file ${stateFile.path}'), ` +
        'or pass --state-file with another path for a second, independent request.',
      ctx.command,
    );
  }
  const platform = new TerminalPlatform({
    terminal: ctx.terminal,
    flags: ctx.flags,
    ...(validate ? { fixedInputs: { 'dry-run': 'true' } } : {}),
    ...(stateFile ? { stateFile } : {}),
    env: ctx.io.env,
  });

  const outcome = await runStep(
    ctx,
    platform,
    runMain,
    dryRun ? 'checking against the JIT policies' : 'waiting for Azure',
  );
  const { ok } = outcome;
  const exitCode = outcomeExitCode(outcome, ctx.io.signal);
  // What is open comes from the outcome: the core says whether its saved state records a request.
  const saved = stateFile !== undefined && outcome.recorded;
  const expires = outcome.ok ? outcome.expiresAt : undefined;
  printCoreReport(ctx.terminal, {
    command: ctx.command,
    ok,
    exitCode,
    platform,
    ...(outcome.ok ? { targets: outcome.targets } : {}),
    extra: { dryRun, ...(saved && stateFile ? { stateFile: stateFile.path } : {}) },
    next:
      saved && stateFile
        ? [
            `Access is open${expires ? ` until ${expires}` : ''}; it closes by itself then.`,
            `Close it earlier with: azure-jit-access close --state-file ${JSON.stringify(stateFile.path)}`,
          ]
        : [],
  });
  if (!ok && saved && stateFile) {
    // Something was opened before the failure (e.g. a wait timeout): say how to close it.
    ctx.terminal.log(
      'info',
      `Requested access is recorded in ${stateFile.path}; 'azure-jit-access close' closes it.`,
    );
  }
  return exitCode;
}
