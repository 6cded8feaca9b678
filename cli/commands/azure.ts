/**
 * Shared steps of the commands that call the core's operations directly
 * (status, audit, close by flags, calibrate, enable): flags parsed with the
 * core's parsers, sign-in and the core's SDK clients, and failures reported
 * with the core's reporter, so messages, timeouts and retries are the same
 * as in a pipeline.
 */
import {
  createAzureClients,
  signIn,
  resolveCloud,
  describeError,
  toJitError,
  CLI,
  resourceGroupProblem,
  parseVms,
  InputError,
  type AzureClients,
  type VmRef,
} from '../../shared';
import { flagText } from '../args';
import { cloudInputs } from '../cloudEnv';
import type { CommandContext } from '../context';
import { exitCodeForKind, type ExitCode } from '../exitCodes';

/** The cloud from the flags, each falling back to its environment variable (cli/cloudEnv.ts). */
export function cloudFromFlags(ctx: CommandContext) {
  const inputs = cloudInputs(ctx.flags, ctx.io.env);
  return resolveCloud(inputs.cloud, inputs['arm-endpoint'], inputs['authority-host']);
}

/** The `vms` flag parsed as the core parses the input (names need --resource-group). */
export function vmsFromFlags(ctx: CommandContext): readonly VmRef[] {
  const rg = flagText(ctx.flags, 'resource-group').trim();
  const problem = rg ? resourceGroupProblem(rg) : undefined;
  if (problem) throw new InputError('resource-group', rg, problem);
  const parsed = parseVms('vms', flagText(ctx.flags, 'vms'), rg);
  for (const d of parsed.duplicates) ctx.terminal.log('warning', `VM ${d} is listed twice; using it once.`);
  return parsed.vms;
}

export async function connectClients(ctx: CommandContext): Promise<AzureClients> {
  const session = await signIn(ctx.connect, cloudFromFlags(ctx), ctx.io.signal);
  ctx.terminal.log('info', `Signed in to ${session.cloud.name} with ${session.method}.`);
  return createAzureClients(session, ctx.tlsCa ? { tlsCa: ctx.tlsCa } : {});
}

/**
 * Reports a failure the way the core does (message, then what to do) and
 * returns its exit code; with --json also the one JSON document.
 */
export function reportFailure(ctx: CommandContext, error: unknown): ExitCode {
  const err = toJitError(error);
  const exitCode = ctx.io.signal?.aborted ? exitCodeForKind('cancelled') : exitCodeForKind(err.kind);
  const message = ctx.terminal.mask(describeError(err, CLI));
  ctx.terminal.log('error', message);
  if (ctx.terminal.json) {
    ctx.terminal.printJson({ command: ctx.command, ok: false, exitCode, kind: err.kind, error: message });
  }
  return exitCode;
}

/** Aligned text table for terminals (one helper for the whole CLI). */
export { textTable } from '../textTable';
