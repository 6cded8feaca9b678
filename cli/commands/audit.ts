/**
 * `audit`: which VMs are exposed without just-in-time protection, the check
 * Trend Micro Conformity calls VirtualMachines-021 ("Enable JIT access"), plus
 * the policies that defeat it by allowing any source (`*`) on a port. Reads
 * only: every VM of a subscription (or of the given resource groups) and one
 * list of the subscription's JIT policies.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { enableSuggestion, SOURCES_VARIABLE } from '../../shared/admin/suggest';
import { azureCall } from '../../shared/azure/call';
import { parseResourceId, sameResourceId } from '../../shared/azure/resourceId';
import { InputError } from '../../shared/errors';
import { resourceGroupProblem } from '../../shared/inputs/vms';
import { allowedPrefixes } from '../../shared/jit/validate';
import { UsageError } from '../args';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { connectClients, listPoliciesWithRequests, reportFailure, textTable } from './azure';

export type FindingKind = 'no-jit-policy' | 'any-source';

export interface AuditFinding {
  readonly vm: string;
  readonly id: string;
  readonly resourceGroup: string;
  readonly kind: FindingKind;
  readonly policy?: string;
  /** For any-source: the ports that allow `*`. */
  readonly ports?: readonly number[];
  readonly detail: string;
  /** For no-jit-policy: the `enable` command that fixes it. */
  readonly suggestion?: string;
}

/** Prefixes that mean "anywhere": a policy allowing them is JIT in name only. */
const ANY = new Set(['*', '0.0.0.0/0', '::/0', 'internet', 'any']);

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
    const compute = clients.compute(sub);
    const vms: VirtualMachine[] = await azureCall(
      groups.length > 0 ? `list VMs of ${groups.join(', ')}` : `list VMs of subscription '${sub}'`,
      ctx.io.signal,
      async (o) => {
        const found: VirtualMachine[] = [];
        const pages =
          groups.length > 0
            ? groups.map((g) => compute.virtualMachines.list(g, o))
            : [compute.virtualMachines.listAll(o)];
        for (const page of pages) for await (const vm of page) found.push(vm);
        return found;
      },
    );
    // Per resource group of the VMs found (never subscription-wide: a JIT policy lives in its VMs' group).
    const policies = await listPoliciesWithRequests(
      ctx,
      clients,
      vms.flatMap((vm) => {
        const rg = parseResourceId(vm.id ?? '')?.resourceGroup;
        return rg ? [{ subscriptionId: sub, resourceGroup: rg }] : [];
      }),
    );

    const findings: AuditFinding[] = [];
    for (const vm of vms) {
      const id = vm.id ?? '';
      const base = { vm: vm.name ?? id, id, resourceGroup: parseResourceId(id)?.resourceGroup ?? '' };
      const entries = policies.flatMap((p) =>
        p.policy.virtualMachines
          .filter((e) => sameResourceId(e.id, id))
          .map((entry) => ({ policy: p.policy, entry })),
      );
      if (entries.length === 0) {
        findings.push({
          ...base,
          kind: 'no-jit-policy',
          detail: 'No JIT policy covers this VM: its management ports are governed by its NSG rules alone.',
          suggestion: enableSuggestion({
            name: base.vm,
            resourceGroup: base.resourceGroup,
            subscriptionId: parseResourceId(id)?.subscriptionId ?? sub,
            ...(vm.storageProfile?.osDisk?.osType ? { osType: vm.storageProfile.osDisk.osType } : {}),
          }),
        });
        continue;
      }
      for (const { policy, entry } of entries) {
        const open = entry.ports.filter((rule) =>
          allowedPrefixes(rule).some((p) => ANY.has(p.toLowerCase())),
        );
        if (open.length === 0) continue;
        findings.push({
          ...base,
          kind: 'any-source',
          policy: policy.name,
          ports: open.map((r) => r.number),
          detail: `JIT policy '${policy.name}' lets a request open port(s) ${open.map((r) => r.number).join(', ')} to any source (*); restrict allowed source addresses.`,
        });
      }
    }

    const exitCode = ctx.flags['fail-on-findings'] === true && findings.length > 0 ? EXIT.findings : EXIT.ok;
    const scope = groups.length > 0 ? `resource group(s) ${groups.join(', ')}` : `subscription ${sub}`;
    if (ctx.terminal.json) {
      ctx.terminal.printJson({
        command: 'audit',
        ok: exitCode === EXIT.ok,
        exitCode,
        scope,
        vmsChecked: vms.length,
        policiesChecked: policies.length,
        findings,
      });
    } else if (findings.length === 0) {
      ctx.terminal.print(
        `Checked ${vms.length} VM(s) in ${scope}: every VM has a JIT policy restricted to known sources.`,
      );
    } else {
      ctx.terminal.print(`Checked ${vms.length} VM(s) in ${scope}; ${findings.length} finding(s):\n`);
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
      ctx.terminal.print(
        'any-source: edit the JIT policy so each port allows specific source addresses, not *.',
      );
    }
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
