/**
 * What the 202 of `initiate` may leave out, read back from the policy's
 * request history (ONE policy read, and only when needed): the firewall's
 * `mappedPort` for VMs behind an Azure Firewall, and the address Azure chose
 * for `source: azure`. Azure documents neither as always present in the 202.
 */
import type { AzureClients } from '../azure/clients';
import { groupById, normalizeId } from '../azure/resourceId';
import { PolicyError } from '../errors';
import { sleep } from '../abort';
import { findOurEntry, type RequestHistory } from './history';
import { listedSources } from './allowedSources';
import type { AcceptedRequest } from './initiate';
import { readPolicy } from './supersede';

export interface ReadBackResult {
  /** Firewall mapped port per `vmId|port` (lower-case VM ID). */
  readonly mappedPorts: ReadonlyMap<string, number>;
  /** `source: azure`: the address Azure allowed, when this run's own request entry says so unambiguously. */
  readonly source?: string;
}

export const mappedKey = (vmId: string, port: number): string => `${normalizeId(vmId)}|${port}`;

/** Policy reads per request while our entry has not shown up in the history yet. */
const READ_ATTEMPTS = 3;

/** What the answers and the history told so far, over all requests. */
interface Learnt {
  readonly mappedPorts: Map<string, number>;
  /** Addresses Azure allowed for `source: azure`. */
  readonly sources: Set<string>;
}

/** A VM port whose 202 left out something we need. */
interface Missing {
  readonly vmId: string;
  readonly vmName: string;
  readonly port: number;
  readonly firewall: boolean;
}

export async function readBack(
  clients: AzureClients,
  requests: readonly AcceptedRequest[],
  requestedSource: string | undefined,
  signal?: AbortSignal,
  debug: (m: string) => void = () => undefined,
): Promise<ReadBackResult> {
  const learnt: Learnt = { mappedPorts: new Map(), sources: new Set() };
  for (const request of requests) {
    const missing = fromAnswer(request, requestedSource, learnt);
    if (missing.length === 0) continue;
    const policy = await readUntilListed(clients, request, missing, requestedSource, signal, debug);
    fromHistory(policy, request, missing, requestedSource, learnt);
  }
  const { mappedPorts, sources } = learnt;
  return sources.size === 1 ? { mappedPorts, source: [...sources][0] as string } : { mappedPorts };
}

/** A firewall port users are told to connect to: a TCP port number, or nothing (Azure's JSON is not checked). */
function tcpPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
    ? value
    : undefined;
}

/** Takes what the 202 says; returns the VM ports it left something out for. */
function fromAnswer(
  request: AcceptedRequest,
  requestedSource: string | undefined,
  learnt: Learnt,
): Missing[] {
  const missing: Missing[] = [];
  const answers = groupById(request.response.virtualMachines, (v) => v.id);
  for (const planned of request.plan.vms) {
    const vm = planned.match.vm;
    const firewall = planned.match.entry.publicIpAddress !== undefined;
    const answered = answers.get(normalizeId(vm.id))?.[0];
    for (const p of planned.ports) {
      const a = answered?.ports.find((x) => x.number === p.number);
      const mapped = tcpPort(a?.mappedPort);
      if (mapped !== undefined) learnt.mappedPorts.set(mappedKey(vm.id, p.number), mapped);
      const echoed = a ? listedSources(a) : [];
      if (requestedSource === undefined && echoed.length === 1 && echoed[0] !== '*')
        learnt.sources.add(echoed[0] as string);
      const needsMapped = firewall && mapped === undefined;
      const needsSource = requestedSource === undefined && echoed.length === 0;
      if (needsMapped || needsSource)
        missing.push({ vmId: vm.id, vmName: vm.name, port: p.number, firewall });
    }
  }
  return missing;
}

function ourEntry(
  policy: RequestHistory,
  request: AcceptedRequest,
  m: Missing,
  requestedSource: string | undefined,
) {
  return findOurEntry(policy, {
    vmId: m.vmId,
    port: m.port,
    endTimeUtc: request.endTimeUtc,
    ...(requestedSource !== undefined ? { source: requestedSource } : {}),
  });
}

/** Reads the policy until every missing VM port's entry of ours is in its history (a few reads at most). */
async function readUntilListed(
  clients: AzureClients,
  request: AcceptedRequest,
  missing: readonly Missing[],
  requestedSource: string | undefined,
  signal: AbortSignal | undefined,
  debug: (m: string) => void,
): Promise<RequestHistory> {
  for (let attempt = 1; ; attempt++) {
    const policy = await readPolicy(clients, request.plan.policy, signal);
    const all = missing.every((m) => ourEntry(policy, request, m, requestedSource));
    if (all || attempt >= READ_ATTEMPTS) return policy;
    debug(`Our request is not in policy '${request.plan.policy.name}' history yet; reading it again.`);
    await sleep(1000 * attempt, signal, 'reading the JIT request back');
  }
}

/** Takes what our history entries say; a firewall port still without a mapped port is an error. */
function fromHistory(
  policy: RequestHistory,
  request: AcceptedRequest,
  missing: readonly Missing[],
  requestedSource: string | undefined,
  learnt: Learnt,
): void {
  const noMapped: string[] = [];
  for (const m of missing) {
    const entry = ourEntry(policy, request, m, requestedSource);
    const stored = tcpPort(entry?.port.mappedPort);
    if (stored !== undefined) learnt.mappedPorts.set(mappedKey(m.vmId, m.port), stored);
    else if (m.firewall && !learnt.mappedPorts.has(mappedKey(m.vmId, m.port)))
      noMapped.push(`${m.vmName} port ${m.port}`);
    const sources = entry ? listedSources(entry.port) : [];
    if (requestedSource === undefined && sources.length === 1 && sources[0] !== '*')
      learnt.sources.add(sources[0] as string);
  }
  if (noMapped.length > 0) {
    throw new PolicyError(
      `JIT policy '${request.plan.policy.name}' routes ${noMapped.join(', ')} through an Azure Firewall, but neither Azure's answer nor the policy's request history gives the firewall port to connect to (mappedPort)`,
      "Check the VM's entry in the JIT policy (its Azure Firewall settings) in Defender for Cloud; the request stays open until its end time or until the post step closes it.",
    );
  }
}
