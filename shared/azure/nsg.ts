/**
 * Network security groups by ID: the one NSG read (a resource-scope GET, or
 * for several NSGs of one resource group their list: batchReads.ts) and the
 * one rule delete (DELETE, then the rule's own GET until 404) that the
 * wait for the allow rules, post's close and the CLI share.
 */
import type { NetworkSecurityGroup } from '@azure/arm-network';
import { sleep } from '../abort';
import { AzureApiError } from '../errors';
import { callsFor, LIST_THRESHOLD, readBatched, type ListableKind } from './batchReads';
import { azureCall, isNotFound, toAzureError } from './call';
import type { AzureClients } from './clients';
import { retryAfterMs } from './policies';
import { requireResourceId, type ParsedResourceId } from './resourceId';

export function readNsg(
  clients: AzureClients,
  id: string,
  signal?: AbortSignal,
): Promise<NetworkSecurityGroup> {
  const p = requireResourceId(id, 'network security group');
  return azureCall(`read network security group '${p.name}'`, signal, (o) =>
    clients.network(p.subscriptionId).networkSecurityGroups.get(p.resourceGroup, p.name, o),
  );
}

const NSGS: ListableKind<NetworkSecurityGroup> = {
  plural: 'network security groups',
  threshold: LIST_THRESHOLD,
  list: (clients, s, o) => clients.network(s.subscriptionId).networkSecurityGroups.list(s.resourceGroup, o),
};

/**
 * Several NSGs, each as `readNsg` reads it (the list returns the same NSG
 * resources, rules and all), one read per entry of `ids` in order; each
 * rejects as its own GET would, so callers keep their per-NSG handling.
 */
export function readNsgs(
  clients: AzureClients,
  ids: readonly string[],
  signal?: AbortSignal,
): { id: string; read: Promise<NetworkSecurityGroup> }[] {
  const reads = readBatched(
    clients,
    NSGS,
    ids.map((id) => {
      const p = requireResourceId(id, 'network security group');
      return {
        id,
        scope: { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup },
        get: () => readNsg(clients, id, signal),
      };
    }),
    signal,
  );
  return ids.map((id, i) => ({ id, read: reads[i] as Promise<NetworkSecurityGroup> }));
}

/** The calls one `readNsgs` of these (distinct) NSGs makes: one list per resource group with several. */
export function nsgReadCalls(clients: AzureClients, ids: readonly string[]): number {
  return callsFor(
    clients,
    NSGS,
    ids.map((id) => {
      const p = requireResourceId(id, 'network security group');
      return { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup };
    }),
  );
}

/** How long a delete may take to show (the rule GET answering 404). */
const DELETE_CONFIRM_MS = 120_000;
/** Attempts of one delete while the NSG is busy (409 AnotherOperationInProgress) or throttled (429). */
const DELETE_ATTEMPTS = 20;

export interface DeleteContext {
  readonly clients: AzureClients;
  readonly signal: AbortSignal | undefined;
  /** Where retries are told (debug only; the caller reports the outcome). */
  readonly log: { info(message: string): void; warning(message: string): void; debug(message: string): void };
}

/**
 * DELETE the rule, then read it until it answers 404. The DELETE is sent
 * without the SDK's long-running-operation poller: that poller reads the
 * operation's status at SUBSCRIPTION scope (`.../locations/<region>/operations`),
 * which an identity scoped to a resource group may not read; the rule's own
 * GET is at resource scope and is the truth anyway.
 */
export async function deleteRule(
  ctx: DeleteContext,
  nsgId: string,
  name: string,
): Promise<'deleted' | 'gone-before'> {
  const p = requireResourceId(nsgId, 'network security group');
  const operation = `delete rule '${name}' from NSG '${p.name}'`;
  const sent = await sendDelete(ctx, p, name, operation);
  if (sent === 'gone-before') return sent;
  await confirmDeleted(ctx, p, name, operation);
  return 'deleted';
}

/** The DELETE itself, retried on 409 `AnotherOperationInProgress` and 429 as Retry-After says. */
async function sendDelete(
  ctx: DeleteContext,
  p: ParsedResourceId,
  name: string,
  operation: string,
): Promise<'accepted' | 'gone-before'> {
  const network = ctx.clients.network(p.subscriptionId);
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await network.securityRules.deleteOnce(
        p.resourceGroup,
        p.name,
        name,
        ctx.signal ? { abortSignal: ctx.signal } : {},
      );
    } catch (e) {
      throw toAzureError(e, operation, ctx.signal);
    }
    if (response.status === 404) return 'gone-before';
    if (response.status === 200 || response.status === 202 || response.status === 204) return 'accepted';
    const body = errorBody(response.body);
    const retriable =
      response.status === 429 || (response.status === 409 && /^AnotherOperationInProgress$/i.test(body.code));
    if (!retriable || attempt >= DELETE_ATTEMPTS) {
      throw new AzureApiError({
        status: response.status,
        code: body.code,
        azureMessage: body.message,
        correlationId: response.headers.get('x-ms-correlation-request-id') ?? undefined,
        operation: operation,
      });
    }
    const wait = Math.min(retryAfterMs(response) ?? 2000 * attempt, 30_000);
    ctx.log.debug(
      `${operation}: HTTP ${response.status} ${body.code}; retrying in ${Math.round(wait / 1000)} s.`,
    );
    await sleep(wait, ctx.signal, 'waiting to retry a rule delete');
  }
}

/** Accepted: the rule is gone when its GET answers 404. */
async function confirmDeleted(
  ctx: DeleteContext,
  p: ParsedResourceId,
  name: string,
  operation: string,
): Promise<void> {
  const network = ctx.clients.network(p.subscriptionId);
  const end = Date.now() + DELETE_CONFIRM_MS;
  let interval = 250;
  for (;;) {
    const present = await azureCall(`confirm rule '${name}' is gone`, ctx.signal, (o) =>
      network.securityRules.get(p.resourceGroup, p.name, name, o),
    ).then(
      () => true,
      (e: unknown) => {
        if (isNotFound(e)) return false;
        throw e;
      },
    );
    if (!present) return;
    if (Date.now() >= end)
      throw new AzureApiError({
        status: undefined,
        code: '',
        azureMessage: `Azure accepted the delete but the rule is still there after ${DELETE_CONFIRM_MS / 1000} s`,
        correlationId: undefined,
        operation: operation,
      });
    await sleep(interval, ctx.signal, 'waiting for a rule delete');
    interval = Math.min(2000, interval * 2);
  }
}

function errorBody(body: unknown): { code: string; message: string } {
  if (typeof body === 'string') return { code: '', message: body.slice(0, 300) };
  if (!body || typeof body !== 'object') return { code: '', message: '' };
  const parsed = body as { error?: { code?: unknown; message?: unknown } };
  const e = parsed.error ?? (parsed as { code?: unknown; message?: unknown });
  return {
    code: typeof e.code === 'string' ? e.code : '',
    message: typeof e.message === 'string' ? e.message : '',
  };
}
