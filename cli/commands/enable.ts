/**
 * `enable` and `disable`: the administrator's side of JIT. Flags are parsed
 * here and the result is rendered here; reading, merging and the guarded
 * write live in shared/admin/. Every run shows the change as a diff per
 * policy (added / changed / unchanged / removed); `--dry-run` stops there.
 */
import {
  applyPlans,
  describeRule,
  shown,
  planDisable,
  planEnable,
  PolicyChangedError,
  parseDisableOptions,
  parseEnableOptions,
  policyLabel,
  toJitError,
  type AdminAzure,
  type AppliedPolicy,
  type PolicyPlan,
  type VmChange,
  type AdminPlan,
  type AdminOptions,
} from '../../shared';
import { flagText } from '../args';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { failureExitCode } from '../failure';
import { connectClients, textTable } from './azure';

const flag = (ctx: CommandContext, name: string): string => flagText(ctx.flags, name);

const ACTION_TEXT: Readonly<Record<PolicyPlan['action'], string>> = {
  create: 'will be created',
  update: 'will be updated',
  delete: 'will be deleted (no VM left in it)',
  none: 'already as asked: nothing to change',
};

/** One row per VM port: VM, port, change, the rule (new, else old), what changed. */
function rows(changes: readonly VmChange[]): string[][] {
  return changes.flatMap((vm) => [
    ...vm.ports.map((p) => {
      const rule = p.after ?? p.before;
      return [
        vm.name,
        String(p.port),
        p.change,
        rule ? describeRule(rule) : '',
        p.details.join('; ') || (vm.named || p.change !== 'unchanged' ? '' : 'not named: kept as is'),
      ];
    }),
    ...vm.fields.map((f) => [vm.name, '-', 'changed', '', `${shown(f)} changed`]),
  ]);
}

function renderPlan(ctx: CommandContext, plan: PolicyPlan): void {
  ctx.terminal.print(`\n${policyLabel(plan.address)}: ${ACTION_TEXT[plan.action]}`);
  const body = rows(plan.merge.changes);
  if (body.length === 0 && plan.action === 'delete') return;
  ctx.terminal.print(
    textTable(['VM', 'port', 'change', 'rule', 'detail'], body)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
}

function planJson(plan: PolicyPlan, written: boolean): Record<string, unknown> {
  return {
    id: plan.id,
    name: plan.address.name,
    subscriptionId: plan.address.subscriptionId,
    resourceGroup: plan.address.resourceGroup,
    location: plan.address.location,
    action: plan.action,
    written,
    changes: changesJson(plan.merge.changes),
    virtualMachines: plan.merge.after,
  };
}

function changesJson(changes: readonly VmChange[]): Record<string, unknown>[] {
  return changes.map((vm) => ({
    vm: vm.name,
    vmId: vm.id,
    change: vm.change,
    named: vm.named,
    ports: vm.ports.map((p) => ({
      port: p.port,
      change: p.change,
      // The rule it has now (or had, when removed); the old one too when it changed.
      rule: p.after ?? p.before,
      ...(p.change === 'changed' ? { before: p.before, details: p.details } : {}),
    })),
    ...(vm.fields.length > 0 ? { fields: vm.fields } : {}),
  }));
}

async function runAdmin<O extends AdminOptions>(
  ctx: CommandContext,
  parse: () => O,
  plan: (azure: AdminAzure, options: O) => Promise<AdminPlan>,
): Promise<number> {
  const applied: AppliedPolicy[] = [];
  let planned: AdminPlan | undefined;
  let dryRun = false;
  try {
    const options = parse();
    dryRun = options.dryRun;
    for (const d of options.duplicates)
      ctx.terminal.log('warning', `VM ${d} is listed twice; using it once.`);
    const clients = await connectClients(ctx);
    const azure: AdminAzure = { clients, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) };
    planned = await plan(azure, options);
    for (const w of planned.warnings) ctx.terminal.log('warning', w);
    for (const p of planned.plans) renderPlan(ctx, p);
    const writes = planned.plans.filter((p) => p.action !== 'none');

    if (dryRun || writes.length === 0) {
      ctx.terminal.print(
        writes.length === 0
          ? '\nNothing to change: no policy was written.'
          : `\nDry run: nothing was written. Run the same command without --dry-run to apply ${writes.length === 1 ? 'this change' : `these ${writes.length} changes`}.`,
      );
      printDocument(ctx, EXIT.ok, planned, applied, dryRun);
      return EXIT.ok;
    }

    ctx.terminal.print('');
    await applyPlans(azure, writes, (done) => {
      applied.push(done);
      const verb =
        done.plan.action === 'delete' ? 'Deleted' : done.plan.action === 'create' ? 'Created' : 'Updated';
      ctx.terminal.log(
        'info',
        `${verb} ${policyLabel(done.plan.address)}; read back${done.plan.action === 'delete' ? ': it is gone' : ': it holds exactly what was written'}.`,
      );
    });
    printDocument(ctx, EXIT.ok, planned, applied, false);
    return EXIT.ok;
  } catch (error) {
    return reportAdminFailure(ctx, error, { planned, applied, dryRun });
  }
}

/** Says what was already written, then the failure (with both sides of a concurrent change in --json). */
function reportAdminFailure(
  ctx: CommandContext,
  error: unknown,
  run: {
    readonly planned: AdminPlan | undefined;
    readonly applied: AppliedPolicy[];
    readonly dryRun: boolean;
  },
): number {
  const { planned, applied, dryRun } = run;
  if (applied.length > 0) {
    ctx.terminal.log(
      'warning',
      `Already written before this failure: ${applied.map((a) => policyLabel(a.plan.address)).join(', ')}.`,
    );
  }
  const err = toJitError(error);
  const exitCode = failureExitCode(err, ctx.io.signal);
  const message = ctx.terminal.mask(`${err.message}\nWhat to do: ${err.hint}`);
  ctx.terminal.log('error', message);
  if (ctx.terminal.json) {
    ctx.terminal.printJson({
      ...documentFor(ctx, exitCode, planned, applied, dryRun),
      kind: err.kind,
      error: message,
      // A concurrent change: both sides, so a script can show or log them.
      ...(err instanceof PolicyChangedError
        ? {
            conflict: {
              policy: policyLabel(err.policy),
              stage: err.stage,
              theirs: changesJson(err.theirs.filter((c) => c.change !== 'unchanged')),
              ours: changesJson(err.ours),
            },
          }
        : {}),
    });
  }
  return exitCode;
}

function documentFor(
  ctx: CommandContext,
  exitCode: number,
  planned: AdminPlan | undefined,
  applied: readonly AppliedPolicy[],
  dryRun: boolean,
): Record<string, unknown> {
  const written = new Set(applied.map((a) => a.plan));
  return {
    command: ctx.command,
    ok: exitCode === EXIT.ok,
    exitCode,
    dryRun,
    policies: (planned?.plans ?? []).map((p) => planJson(p, written.has(p))),
    warnings: planned?.warnings ?? [],
  };
}

function printDocument(
  ctx: CommandContext,
  exitCode: number,
  planned: AdminPlan,
  applied: readonly AppliedPolicy[],
  dryRun: boolean,
): void {
  if (ctx.terminal.json) ctx.terminal.printJson(documentFor(ctx, exitCode, planned, applied, dryRun));
}

export function enableCommand(ctx: CommandContext): Promise<number> {
  return runAdmin(
    ctx,
    () =>
      parseEnableOptions({
        vms: flag(ctx, 'vms'),
        resourceGroup: flag(ctx, 'resource-group'),
        policy: flag(ctx, 'policy'),
        dryRun: ctx.flags['dry-run'] === true,
        ports: flag(ctx, 'ports'),
        protocol: flag(ctx, 'protocol'),
        maxDuration: flag(ctx, 'max-duration'),
        allowedSources: flag(ctx, 'allowed-sources'),
      }),
    planEnable,
  );
}

export function disableCommand(ctx: CommandContext): Promise<number> {
  return runAdmin(
    ctx,
    () =>
      parseDisableOptions({
        vms: flag(ctx, 'vms'),
        resourceGroup: flag(ctx, 'resource-group'),
        policy: flag(ctx, 'policy'),
        dryRun: ctx.flags['dry-run'] === true,
      }),
    planDisable,
  );
}
