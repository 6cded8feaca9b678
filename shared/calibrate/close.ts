/**
 * Closing: deletes every rule of the probe in the test VM's NSGs (two at once on
 * one NSG: do NSG writes conflict?), then reads the NSGs back: nothing of the
 * probe may remain.
 */
import type { AzureClients } from '../azure/clients';
import { normalizeId } from '../azure/resourceId';
import type { VmTopology } from '../azure/topology';
import { PROBE_SOURCES } from './plan';
import {
  ANOTHER_OPERATION,
  deleteRule,
  deleteWithRetry,
  readProbeRules,
  ruleKey,
  type DeleteOutcome,
  type ProbeLog,
  type ProbeRule,
} from './rules';

const CLEANUP_BUDGET_MS = 5 * 60_000;

export interface Cleanup {
  readonly deleted: string[];
  readonly failed: { rule: string; status?: number; code: string }[];
  readonly remaining: string[];
  readonly complete: boolean;
  readonly nsgWrites: { concurrentPair: boolean; conflicts: number; nsgName?: string };
}

/**
 * Deletes every rule of the probe in the VM's NSGs. Two of them on one NSG go
 * at the same time (the NSG-writes measurement); the rest one by one, waiting
 * out 409s. Then reads the NSGs again: nothing of the probe may remain.
 */
export async function closeAll(
  clients: AzureClients,
  vm: VmTopology,
  ports: readonly number[],
  log: ProbeLog,
  anything: boolean,
): Promise<Cleanup> {
  const deadline = Date.now() + CLEANUP_BUDGET_MS;
  let conflicts = 0;
  const onConflict = (): void => {
    conflicts += 1;
  };
  const deleted: string[] = [];
  const failed: Cleanup['failed'] = [];
  if (!anything) {
    return {
      deleted,
      failed,
      remaining: [],
      complete: true,
      nsgWrites: { concurrentPair: false, conflicts: 0 },
    };
  }
  log.info('Closing: deleting the allow rules the probe caused.');
  const ours = await readProbeRules(clients, vm, PROBE_SOURCES, ports);
  const byNsg = new Map<string, ProbeRule[]>();
  for (const r of ours) byNsg.set(normalizeId(r.nsgId), [...(byNsg.get(normalizeId(r.nsgId)) ?? []), r]);
  const pairNsg = [...byNsg.values()].find((rs) => rs.length >= 2);
  const done = new Set<string>();
  const record = (r: ProbeRule, o: DeleteOutcome): void => {
    if (o.ok) {
      deleted.push(`${r.nsgName}/${r.name}`);
      done.add(ruleKey(r));
      log.info(`Deleted ${r.nsgName}/${r.name}.`);
    }
  };
  if (pairNsg) {
    const [a, b] = pairNsg as [ProbeRule, ProbeRule];
    log.info(`Deleting ${a.name} and ${b.name} on ${a.nsgName} at the same time (do NSG writes conflict?).`);
    const outcomes = await Promise.all([deleteRule(clients, a), deleteRule(clients, b)]);
    outcomes.forEach((o, i) => {
      const r = i === 0 ? a : b;
      if (!o.ok && o.code === ANOTHER_OPERATION) onConflict();
      record(r, o);
    });
  }
  // The rest: NSGs in parallel, one delete at a time within an NSG (waiting out 409s).
  await Promise.all(
    [...byNsg.values()].map(async (rules) => {
      for (const r of rules) {
        if (done.has(ruleKey(r))) continue;
        const o = await deleteWithRetry(clients, r, deadline, log, onConflict);
        record(r, o);
        if (!o.ok) {
          failed.push({
            rule: `${r.nsgName}/${r.name}`,
            ...(o.status !== undefined ? { status: o.status } : {}),
            code: o.code,
          });
          log.warning(
            `Could not delete ${r.nsgName}/${r.name}: HTTP ${o.status ?? '?'} ${o.code}. It closes at its end time.`,
          );
        }
      }
    }),
  );
  const remaining = (await readProbeRules(clients, vm, PROBE_SOURCES, ports)).map(
    (r) => `${r.nsgName}/${r.name}`,
  );
  return {
    deleted,
    failed,
    remaining,
    complete: remaining.length === 0,
    nsgWrites: {
      concurrentPair: pairNsg !== undefined,
      conflicts,
      ...(pairNsg?.[0] ? { nsgName: pairNsg[0].nsgName } : {}),
    },
  };
}
