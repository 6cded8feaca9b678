/**
 * Step outputs and summary rows for main. Outputs: `ip`, `expires-at`,
 * `targets` (JSON, one entry per VM, see Target), and `host`/`port` of the
 * first VM's first port for the common single-VM case.
 */
import { nameFromId } from '../azure/resourceId';
import type { Platform } from '../platform';
import { portalUrl, type MainRow, type TargetStatus } from '../summary';
import type { PolicyPlan } from './plan';
import type { Target } from './targets';
import type { FoundRule } from './expectation';

export function setOutputs(platform: Platform, targets: readonly Target[], source: string): void {
  platform.setOutput('ip', source);
  platform.setOutput('expires-at', earliestExpiry(targets) ?? '');
  platform.setOutput('targets', JSON.stringify(targets));
  const first = targets[0];
  platform.setOutput('host', first?.host ?? '');
  platform.setOutput('port', first ? String(first.port) : '');
}

/** When the first of the targets' access ends (ISO 8601), undefined for none. */
export function earliestExpiry(targets: readonly Target[]): string | undefined {
  return targets.map((t) => t.expiresAt).sort()[0];
}

/** Summary rows for live targets, with each rule and how long it took to go live. */
export function targetRows(
  targets: readonly Target[],
  rules: readonly FoundRule[],
  resourceManager: string,
  liveAfterMs: (rule: FoundRule) => number | undefined,
): MainRow[] {
  return targets.map((t) => {
    const url = portalUrl(resourceManager, t.id);
    return {
      vm: t.vm,
      policy: t.policy,
      ports: t.ports.map((p) => p.port),
      source: t.source,
      endpoints: t.ports.map((p) => `${t.host}:${p.connectPort}`),
      expiresAt: t.expiresAt,
      status: 'live',
      rules: rules
        .filter((r) => r.expectation.vm.id === t.id)
        .map((r) => {
          const after = liveAfterMs(r);
          return {
            nsg: nameFromId(r.expectation.nsgId),
            rule: r.name,
            port: r.expectation.target.port,
            ...(after !== undefined ? { liveAfterMs: after } : {}),
          };
        }),
      ...(url ? { portalUrl: url } : {}),
    };
  });
}

/** Rows for plans that were (or would be) requested but have no confirmed rules. */
export function planRows(
  plans: readonly PolicyPlan[],
  source: string,
  status: TargetStatus,
  resourceManager: string,
  expiresAt?: string,
): MainRow[] {
  return plans.flatMap((plan) =>
    plan.vms.map((v) => {
      const vm = v.match.vm;
      const host = vm.publicIp ?? vm.fqdn ?? vm.privateIps[0] ?? '';
      const url = portalUrl(resourceManager, vm.id);
      return {
        vm: vm.name,
        policy: plan.policy.name,
        ports: v.ports.map((p) => p.number),
        source,
        endpoints: host ? v.ports.map((p) => `${host}:${p.number}`) : [],
        ...(expiresAt ? { expiresAt } : {}),
        status,
        rules: [],
        ...(url ? { portalUrl: url } : {}),
      };
    }),
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
