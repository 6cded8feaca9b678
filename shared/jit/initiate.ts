/**
 * Sends one initiate per policy, carrying all of its VMs and ports, policies
 * in parallel. Each request is saved to state (pending) BEFORE it is sent: a
 * 202 lost on the way back, or a cancel while it is in flight, still leaves
 * post something to close. Once accepted it is marked so.
 */
import type { JitNetworkAccessPolicyInitiateRequest, JitNetworkAccessRequest } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { AzureApiError } from '../errors';
import { throwIfCancelled } from '../cancel';
import { endTimeFrom, instantOf } from '../time';
import type { PolicyPlan, RequestedSource } from './plan';
import type { StateStore } from './stateStore';
import type { StateRequest } from '../state';
import { normalizeId } from '../azure/resourceId';
import type { RuleSnapshot } from './snapshot';

export interface InitiateOptions {
  readonly source: RequestedSource;
  /** JIT allow rules in the NSGs before initiate (see snapshot.ts), saved so post never adopts them. */
  readonly snapshot?: RuleSnapshot;
  readonly durationMinutes: number;
  readonly justification: string;
  readonly signal?: AbortSignal;
}

/** An accepted request: what was planned and what Azure answered. */
export interface AcceptedRequest {
  readonly plan: PolicyPlan;
  readonly response: JitNetworkAccessRequest;
  /** As the 202 gave it (informational only: stored history may round it). */
  readonly startTimeUtc: string;
  /** The end time we sent: part of what identifies our request in the history. */
  readonly endTimeUtc: string;
}

export function initiateBody(
  plan: PolicyPlan,
  source: RequestedSource,
  endTimeUtc: Date,
  justification: string,
): JitNetworkAccessPolicyInitiateRequest {
  return {
    virtualMachines: plan.vms.map((v) => ({
      // The policy's own spelling of the ID: JIT compares it with its list.
      id: v.match.entry.id,
      ports: v.ports.map((p) => ({
        number: p.number,
        // Omitted for `source: azure`: JIT then uses the caller's address.
        ...(source.prefix !== undefined ? { allowedSourceAddressPrefix: source.prefix } : {}),
        endTimeUtc,
      })),
    })),
    justification,
  };
}

/**
 * Initiates every plan in parallel. All are attempted even if one fails (the
 * accepted ones are in state, so post closes them); then the first failure
 * is thrown.
 */
export async function initiateAll(
  clients: AzureClients,
  plans: readonly PolicyPlan[],
  store: StateStore,
  options: InitiateOptions,
): Promise<AcceptedRequest[]> {
  const prepared = plans.map((plan) => prepare(clients, plan, options));
  // All saved in one write, before any is sent (a state file rewritten per policy costs a
  // run for many resource groups a write of a growing file each).
  store.addRequests(prepared.map((p) => p.pending));
  const settled = await Promise.allSettled(prepared.map((p) => send(clients, p, store)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  // Cancelled while the initiates were in flight: they are saved; stop before waiting.
  throwIfCancelled(options.signal);
  return settled.map((s) => (s as PromiseFulfilledResult<AcceptedRequest>).value);
}

interface Prepared {
  readonly plan: PolicyPlan;
  readonly body: JitNetworkAccessPolicyInitiateRequest;
  readonly endTimeUtc: string;
  /** What state holds until Azure answers. */
  readonly pending: StateRequest;
}

function prepare(clients: AzureClients, plan: PolicyPlan, options: InitiateOptions): Prepared {
  const { policy } = plan;
  // Azure's clock, not ours: JIT checks endTimeUtc - its now <= maxRequestAccessDuration.
  const end = endTimeFrom(clients.clock.now(), options.durationMinutes);
  const endTimeUtc = end.toISOString();
  return {
    plan,
    body: initiateBody(plan, options.source, end, options.justification),
    endTimeUtc,
    pending: {
      policyId: policy.id,
      policyName: policy.name,
      resourceGroup: policy.resourceGroup,
      location: policy.location,
      status: 'pending',
      endTimeUtc,
      vms: plan.vms.map((v) => ({
        id: v.match.vm.id,
        name: v.match.vm.name,
        privateIps: [...v.match.vm.privateIps],
        ports: v.ports.map((p) => p.number),
        nsgIds: v.match.vm.nsgs.map((n) => n.id),
        rules: [],
        before: v.match.vm.nsgs.flatMap((n) => [...(options.snapshot?.get(normalizeId(n.id)) ?? [])]),
      })),
    },
  };
}

async function send(clients: AzureClients, prepared: Prepared, store: StateStore): Promise<AcceptedRequest> {
  const { plan, body, endTimeUtc } = prepared;
  const { policy } = plan;
  // NOT aborted by cancellation: once sent, Azure may accept it, and only its
  // answer lets us save what to close. The per-call timeout still bounds it.
  const response = await azureCall(
    `initiate JIT policy '${policy.name}' in ${policy.resourceGroup}`,
    undefined,
    (o) =>
      clients
        .security(policy.subscriptionId)
        .jitNetworkAccessPolicies.initiate(policy.resourceGroup, policy.location, policy.name, body, o),
  ).catch((e: unknown) => {
    // Refused with an answer (4xx): nothing was opened. Anything else (no answer, 5xx) may have been accepted: keep it pending.
    if (e instanceof AzureApiError && e.status !== undefined && e.status >= 400 && e.status < 500)
      store.removeRequest(policy.id);
    throw e;
  });
  const startTimeUtc = (instantOf(response.startTimeUtc) ?? clients.clock.now()).toISOString();
  store.updateRequest(policy.id, (r) => ({ ...r, status: 'accepted', startTimeUtc }));
  return { plan, response, startTimeUtc, endTimeUtc };
}
