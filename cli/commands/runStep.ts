/**
 * Runs one core step (runMain or runPost) for a command, with a heartbeat
 * while it works; the caller reads what happened from the typed outcome.
 */
import type { RunOptions } from '../../shared';
import type { CommandContext } from '../context';
import type { TerminalPlatform } from '../terminalPlatform';

export async function runStep<Outcome>(
  ctx: CommandContext,
  platform: TerminalPlatform,
  step: (options: RunOptions) => Promise<Outcome>,
  heartbeat: string,
): Promise<Outcome> {
  ctx.terminal.startHeartbeat(heartbeat);
  try {
    return await step({
      platform,
      connect: ctx.connect,
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      ...(ctx.tlsCa ? { tlsCa: ctx.tlsCa } : {}),
    });
  } finally {
    ctx.terminal.stopHeartbeat();
  }
}
