/**
 * Step outputs and summary rows for main. Outputs: `ip`, `expires-at`,
 * `targets` (JSON, one entry per VM, see Target), and `host`/`port` of the
 * first VM's first port for the common single-VM case.
 */
import type { Platform } from '../platform';
import type { SummaryRow, TargetStatus } from '../summary';
import type { PolicyPlan } from './plan';
import type { Target } from './targets';

export function setOutputs(platform: Platform, targets: readonly Target[], source: string): void {
  platform.setOutput('ip', source);
  const ends = targets.map((t) => t.expiresAt).sort();
  platform.setOutput('expires-at', ends[0] ?? '');
  platform.setOutput('targets', JSON.stringify(targets));
  const first = targets[0];
  platform.setOutput('host', first?.host ?? '');
  platform.setOutput('port', first ? String(first.port) : '');
}

export function targetRows(targets: readonly Target[], status: TargetStatus): SummaryRow[] {
  return targets.map((t) => ({
    vm: t.vm,
    ports: t.ports.map((p) => p.port),
    source: t.source,
    host: t.ports.some((p) => p.mappedPort !== undefined) ? `${t.host}:${t.port}` : t.host,
    expiresAt: t.expiresAt,
    status,
  }));
}

/** Rows for plans that were (or would be) requested but have no confirmed rules. */
export function planRows(
  plans: readonly PolicyPlan[],
  source: string,
  status: TargetStatus,
  expiresAt?: string,
): SummaryRow[] {
  return plans.flatMap((plan) =>
    plan.vms.map((v) => ({
      vm: v.match.vm.name,
      ports: v.ports.map((p) => p.number),
      source,
      host: v.match.vm.publicIp ?? v.match.vm.fqdn ?? v.match.vm.privateIps[0] ?? '',
      ...(expiresAt ? { expiresAt } : {}),
      status,
    })),
  );
}

/** One line per policy describing what a dry run would request. */
export function describePlans(plans: readonly PolicyPlan[], source: string, minutes: number): string[] {
  return plans.map(
    (plan) =>
      `Would initiate JIT policy '${plan.policy.name}' (${plan.policy.resourceGroup}, ${plan.policy.location}) for ${minutes} minutes from ${source}: ` +
      plan.vms.map((v) => `${v.match.vm.name} port(s) ${v.ports.map((p) => p.number).join(', ')}`).join('; '),
  );
}
