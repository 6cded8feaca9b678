/**
 * Shared steps of the commands that talk to Azure without the core's
 * runMain/runPost (status, audit, close by flags): they reuse the core's
 * parsers, its SDK client factory and its error reporter, so messages,
 * timeouts and retries are the same as in a pipeline.
 */
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { createAzureClients, type AzureClients } from '../../shared/azure/clients';
import { resolveCloud } from '../../shared/cloud';
import type { VmRef } from '../../shared/config';
import { describeError, toJitError } from '../../shared/errors';
import { CLI } from '../../shared/frontEnd';
import { resourceGroupProblem, parseVms } from '../../shared/inputs/vms';
import { InputError } from '../../shared/errors';
import { listRawPolicies, toJitPolicy, type GroupRef, type JitPolicy } from '../../shared/jit/policies';
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
  const session = await ctx.connect(cloudFromFlags(ctx));
  ctx.terminal.log('info', `Signed in to ${session.cloud.name} with ${session.method}.`);
  return createAzureClients(session, ctx.tlsCa ? { tlsCa: ctx.tlsCa } : {});
}

/** A policy as the core sees it, plus its raw request history (the core's view drops it). */
export interface PolicyWithRequests {
  readonly policy: JitPolicy;
  readonly raw: JitNetworkAccessPolicy;
}

/**
 * One list per distinct resource group of the VMs, never at subscription
 * scope (a JIT policy lives in its VMs' resource group, and identities are
 * often granted one group only), as the core does.
 */
export async function listPoliciesWithRequests(
  ctx: CommandContext,
  clients: AzureClients,
  groups: readonly GroupRef[],
): Promise<PolicyWithRequests[]> {
  const raws = await listRawPolicies(clients, groups, ctx.io.signal);
  return raws.flatMap((raw) => {
    const policy = toJitPolicy(raw);
    return policy ? [{ policy, raw }] : [];
  });
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
