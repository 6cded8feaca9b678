/**
 * The probe's JIT requests: one initiate for the test VM (its raw 202 kept, since
 * the SDK turns times into Dates and drops digits), the policy's stored history
 * read back raw, and what the two say about the echo.
 */
import type { JitNetworkAccessPolicyVirtualMachine } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { sameResourceId } from '../azure/resourceId';
import type { VmTopology } from '../azure/topology';
import { endTimeFrom } from '../time';
import type { EchoObservation } from './classify';
import type { ProbePlan } from './plan';
import type { ProbeRequest } from './rules';

/** The test VM's JIT policy and its entry for the VM. */
export interface Policy {
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly subscriptionId: string;
  readonly entry: JitNetworkAccessPolicyVirtualMachine;
}

export interface Initiated {
  readonly request: ProbeRequest;
  readonly endMs: number;
  readonly acceptedAt: number;
  readonly rawBody?: RawRequest;
}

/** The parts of a JIT request read from the raw JSON (the SDK turns times into Dates and drops digits). */
export interface RawRequest {
  readonly startTimeUtc?: string;
  readonly virtualMachines?: readonly {
    readonly id?: string;
    readonly ports?: readonly Record<string, unknown>[];
  }[];
}

export function parseJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function initiate(
  clients: AzureClients,
  vm: VmTopology,
  policy: Policy,
  request: ProbeRequest,
  plan: ProbePlan,
): Promise<Initiated> {
  const end = endTimeFrom(clients.clock.now(), plan.durationMinutes);
  let raw: string | undefined;
  // Not aborted by cancellation: once sent, only its answer says whether something was opened.
  await azureCall(`initiate JIT policy '${policy.name}' (${request.label})`, undefined, (o) =>
    clients.security(policy.subscriptionId).jitNetworkAccessPolicies.initiate(
      policy.resourceGroup,
      policy.location,
      policy.name,
      {
        virtualMachines: [
          {
            id: policy.entry.id,
            ports: request.ports.map((number) => ({
              number,
              allowedSourceAddressPrefix: request.source,
              endTimeUtc: end,
            })),
          },
        ],
        justification: 'azure-jit-access calibrate (documentation sources, closed right after)',
      },
      {
        ...o,
        onResponse: (r) => {
          raw = r.bodyAsText ?? undefined;
        },
      },
    ),
  );
  const parsed = parseJson(raw) as RawRequest | undefined;
  return {
    request,
    endMs: end.getTime(),
    acceptedAt: Date.now(),
    ...(parsed ? { rawBody: parsed } : {}),
  };
}

/** The policy as raw JSON (its request history with the service's own time strings). */
export async function readHistory(
  clients: AzureClients,
  policy: Policy,
  signal: AbortSignal | undefined,
): Promise<RawRequest[]> {
  let raw: string | undefined;
  await azureCall(`read JIT policy '${policy.name}'`, signal, (o) =>
    clients
      .security(policy.subscriptionId)
      .jitNetworkAccessPolicies.get(policy.resourceGroup, policy.location, policy.name, {
        ...o,
        onResponse: (r) => {
          raw = r.bodyAsText ?? undefined;
        },
      }),
  );
  const body = parseJson(raw) as { properties?: { requests?: RawRequest[] } } | undefined;
  return body?.properties?.requests ?? [];
}

/**
 * The stored request for one of ours: same VM, source and ports, and the end time
 * we sent; if the service stored the end time differently, the newest with the
 * same VM, source and ports.
 */
export function storedFor(
  history: readonly RawRequest[],
  vm: VmTopology,
  sent: Initiated,
): RawRequest | undefined {
  const ours = (h: RawRequest, sameEnd: boolean): boolean =>
    (h.virtualMachines ?? []).some(
      (v) =>
        sameResourceId(v.id, vm.id) &&
        sent.request.ports.every((n) =>
          (v.ports ?? []).some(
            (p) =>
              p.number === n &&
              p.allowedSourceAddressPrefix === sent.request.source &&
              (!sameEnd || Date.parse(String(p.endTimeUtc)) === sent.endMs),
          ),
        ),
    );
  const newest = (list: RawRequest[]): RawRequest | undefined =>
    list.sort((a, b) => Date.parse(b.startTimeUtc ?? '') - Date.parse(a.startTimeUtc ?? ''))[0];
  return newest(history.filter((h) => ours(h, true))) ?? newest(history.filter((h) => ours(h, false)));
}

export function portEntry(
  r: RawRequest | undefined,
  vm: VmTopology,
  port: number,
): Record<string, unknown> | undefined {
  return r?.virtualMachines?.find((v) => sameResourceId(v.id, vm.id))?.ports?.find((p) => p.number === port);
}

/** Keys the service adds that are not news about the echo: the ones we sent, and status. */
export const SENT_OR_STATUS = new Set([
  'number',
  'allowedSourceAddressPrefix',
  'allowedSourceAddressPrefixes',
  'endTimeUtc',
  'status',
  'statusReason',
]);

export function echoObservation(
  vm: VmTopology,
  sent: Initiated,
  stored: RawRequest | undefined,
): EchoObservation {
  const storedExtra = new Set<string>();
  const echoed = new Set<string>();
  for (const port of sent.request.ports) {
    const s = portEntry(stored, vm, port) ?? {};
    const r = portEntry(sent.rawBody, vm, port) ?? {};
    for (const k of Object.keys(s).filter((k) => !SENT_OR_STATUS.has(k))) {
      storedExtra.add(k);
      if (k in r) echoed.add(k);
    }
  }
  return { storedExtra: [...storedExtra], echoed: [...echoed] };
}
