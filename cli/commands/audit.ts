/**
 * `audit`: which VMs are exposed without just-in-time protection, and which
 * JIT policies allow any source (the core's `auditVms`). Reads only; this
 * file parses the flags, renders the findings and picks the exit code.
 */
import { SOURCES_VARIABLE, InputError, resourceGroupProblem, auditVms, type AuditReport } from '../../shared';
import { UsageError } from '../args';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { connectClients, reportFailure, textTable } from './azure';

function resourceGroupsFromFlags(ctx: CommandContext): string[] {
  const raw = ctx.flags['resource-group'];
  const list = (Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const rg of list) {
    const problem = resourceGroupProblem(rg);
    if (problem) throw new InputError('resource-group', rg, problem);
  }
  return list;
}

export async function auditCommand(ctx: CommandContext): Promise<number> {
  try {
    const groups = resourceGroupsFromFlags(ctx);
    const clients = await connectClients(ctx);
    const sub = clients.session.subscriptionId;
    if (!sub) {
      throw new UsageError(
        'audit needs a subscription: pass --subscription <id> or set AZURE_SUBSCRIPTION_ID.',
        'audit',
      );
    }
    const report = await auditVms(clients, { subscriptionId: sub, resourceGroups: groups }, ctx.io.signal);
    const { findings } = report;
    const exitCode = ctx.flags['fail-on-findings'] === true && findings.length > 0 ? EXIT.findings : EXIT.ok;
    const scope = groups.length > 0 ? `resource group(s) ${groups.join(', ')}` : `subscription ${sub}`;
    if (ctx.terminal.json) {
      ctx.terminal.printJson({
        command: 'audit',
        ok: exitCode === EXIT.ok,
        exitCode,
        scope,
        vmsChecked: report.vmsChecked,
        policiesChecked: report.policiesChecked,
        findings,
      });
    } else printFindings(ctx, report, scope);
    if (exitCode === EXIT.findings) {
      ctx.terminal.log(
        'error',
        `${findings.length} finding(s), so exit code ${exitCode} (--fail-on-findings).`,
      );
    }
    return exitCode;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return reportFailure(ctx, error);
  }
}

function printFindings(ctx: CommandContext, report: AuditReport, scope: string): void {
  const { findings, vmsChecked } = report;
  if (findings.length === 0) {
    ctx.terminal.print(
      `Checked ${vmsChecked} VM(s) in ${scope}: every VM has a JIT policy restricted to known sources.`,
    );
    return;
  }
  ctx.terminal.print(`Checked ${vmsChecked} VM(s) in ${scope}; ${findings.length} finding(s):\n`);
  ctx.terminal.print(
    textTable(
      ['VM', 'resource group', 'finding', 'policy', 'ports'],
      findings.map((f) => [f.vm, f.resourceGroup, f.kind, f.policy ?? '-', f.ports?.join(',') ?? '-']),
    ),
  );
  const fixes = findings.flatMap((f) => (f.suggestion ? [f.suggestion] : []));
  if (fixes.length > 0) {
    ctx.terminal.print(
      `\nno-jit-policy: enable JIT (dry run first; set ${SOURCES_VARIABLE} to your agents' public range, or '*'):\n${fixes.map((c) => `  ${c}`).join('\n')}\n`,
    );
  }
  ctx.terminal.print('any-source: edit the JIT policy so each port allows specific source addresses, not *.');
}
