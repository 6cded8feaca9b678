/**
 * Runs one core step (runMain or runPost) for a command: a heartbeat while it
 * works, and the exit code chosen from the typed error the core hands over.
 */
import type { JitError } from '../../shared/errors';
import type { RunOptions } from '../../shared/run';
import type { CommandContext } from '../context';
import { failureExitCode } from '../failure';
import type { TerminalPlatform } from '../terminalPlatform';

export interface StepOutcome {
  readonly ok: boolean;
  /** 0 when ok; otherwise the documented exit code for the failure. */
  readonly exitCode: number;
}

export async function runStep(
  ctx: CommandContext,
  platform: TerminalPlatform,
  step: (options: RunOptions) => Promise<boolean>,
  heartbeat: string,
): Promise<StepOutcome> {
  let failure: JitError | undefined;
  ctx.terminal.startHeartbeat(heartbeat);
  try {
    const ok = await step({
      platform,
      connect: ctx.connect,
      onFailure: (e) => {
        failure = e;
      },
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      ...(ctx.tlsCa ? { tlsCa: ctx.tlsCa } : {}),
    });
    return { ok, exitCode: ok ? 0 : failureExitCode(failure, ctx.io.signal) };
  } finally {
    ctx.terminal.stopHeartbeat();
  }
}
