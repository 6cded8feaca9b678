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

/** What the deletes did so far. */
interface Tally {
  readonly log: ProbeLog;
  readonly deleted: string[];
  readonly failed: Cleanup['failed'];
  /** Rules deleted (ruleKey). */
  readonly done: Set<string>;
  /** 409 AnotherOperationInProgress answers seen. */
  conflicts: number;
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
  const tally: Tally = { log, deleted: [], failed: [], done: new Set(), conflicts: 0 };
  if (!anything) {
    return {
      deleted: tally.deleted,
      failed: tally.failed,
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
  if (pairNsg) await deletePair(clients, pairNsg as [ProbeRule, ProbeRule], tally);
  await deleteRest(clients, [...byNsg.values()], deadline, tally);
  const remaining = (await readProbeRules(clients, vm, PROBE_SOURCES, ports)).map(
    (r) => `${r.nsgName}/${r.name}`,
  );
  return {
    deleted: tally.deleted,
    failed: tally.failed,
    remaining,
    complete: remaining.length === 0,
    nsgWrites: {
      concurrentPair: pairNsg !== undefined,
      conflicts: tally.conflicts,
      ...(pairNsg?.[0] ? { nsgName: pairNsg[0].nsgName } : {}),
    },
  };
}

function record(tally: Tally, r: ProbeRule, o: DeleteOutcome): void {
  if (!o.ok) return;
  tally.deleted.push(`${r.nsgName}/${r.name}`);
  tally.done.add(ruleKey(r));
  tally.log.info(`Deleted ${r.nsgName}/${r.name}.`);
}

/** Two rules of one NSG deleted at the same time: does the second get 409? */
async function deletePair(
  clients: AzureClients,
  [a, b]: [ProbeRule, ProbeRule],
  tally: Tally,
): Promise<void> {
  tally.log.info(
    `Deleting ${a.name} and ${b.name} on ${a.nsgName} at the same time (do NSG writes conflict?).`,
  );
  const outcomes = await Promise.all([deleteRule(clients, a), deleteRule(clients, b)]);
  outcomes.forEach((o, i) => {
    const r = i === 0 ? a : b;
    if (!o.ok && o.code === ANOTHER_OPERATION) tally.conflicts += 1;
    record(tally, r, o);
  });
}

/** The rest: NSGs in parallel, one delete at a time within an NSG (waiting out 409s). */
async function deleteRest(
  clients: AzureClients,
  byNsg: readonly (readonly ProbeRule[])[],
  deadline: number,
  tally: Tally,
): Promise<void> {
  const onConflict = (): void => {
    tally.conflicts += 1;
  };
  await Promise.all(
    byNsg.map(async (rules) => {
      for (const r of rules) {
        if (tally.done.has(ruleKey(r))) continue;
        const o = await deleteWithRetry(clients, r, deadline, tally.log, onConflict);
        record(tally, r, o);
        if (!o.ok) {
          tally.failed.push({
            rule: `${r.nsgName}/${r.name}`,
            ...(o.status !== undefined ? { status: o.status } : {}),
            code: o.code,
          });
          tally.log.warning(
            `Could not delete ${r.nsgName}/${r.name}: HTTP ${o.status ?? '?'} ${o.code}. It closes at its end time.`,
          );
        }
      }
    }),
  );
}
