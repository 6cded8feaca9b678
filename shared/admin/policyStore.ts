/**
 * JIT policy reads and writes for the administrator commands, through the
 * same SDK clients as the pipeline. Reads keep Azure's JSON as it came
 * (`bodyAsText`), not the SDK's typed copy: the merge must carry other VMs'
 * entries over exactly as stored, and the re-reads that detect another writer
 * compare that text's content.
 *
 * Policies are listed per resource group (and region), never at subscription
 * scope: an administrator's role is often assigned on one resource group, and
 * ARM authorises a list at the scope of the request.
 */
import type { JitNetworkAccessPolicy, JitNetworkAccessPolicyVirtualMachine } from '@azure/arm-security';
import type { FullOperationResponse } from '@azure/core-client';
import type { AzureClients } from '../azure/clients';
import { azureCall, isNotFound } from '../azure/call';
import { idSegment, parseResourceId } from '../azure/resourceId';
import { AzureApiError } from '../errors';
import { entriesOf, shown, type RawVmEntry } from './diff';

/** Where a policy is: its path is `{rg}/providers/Microsoft.Security/locations/{location}/jitNetworkAccessPolicies/{name}`. */
export interface PolicyAddress {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly name: string;
}

export interface StoredPolicy extends PolicyAddress {
  readonly id: string;
  readonly kind?: string;
  readonly entries: readonly RawVmEntry[];
}

export const policyLabel = (p: PolicyAddress): string =>
  shown(`JIT policy '${p.name}' (resource group ${p.resourceGroup}, ${p.location})`);

export const policyIdOf = (p: PolicyAddress): string =>
  `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Security/locations/${p.location}/jitNetworkAccessPolicies/${p.name}`;

const WRITE_HINT =
  "Configuring JIT needs Microsoft.Security/locations/jitNetworkAccessPolicies/write (and /delete for 'disable') " +
  "plus Microsoft.Compute/virtualMachines/write on the VMs' resource group: assign the administrator role in " +
  'docs/roles/jit-policy-admin.json (not the pipeline role).';

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Azure's JSON of one policy, or the SDK's typed copy in the same shape when no text was seen. */
function toStored(
  raw: unknown,
  typed: JitNetworkAccessPolicy | undefined,
  what: string,
): StoredPolicy | undefined {
  const source = (raw ??
    (typed ? { ...typed, properties: { virtualMachines: typed.virtualMachines } } : undefined)) as
    { id?: unknown; name?: unknown; kind?: unknown; location?: unknown } | undefined;
  const id = typeof source?.id === 'string' ? source.id : undefined;
  const parsed = id ? parseResourceId(id) : undefined;
  const location =
    typeof source?.location === 'string' ? source.location : id ? idSegment(id, 'locations') : undefined;
  if (!source || !id || !parsed || !location) return undefined;
  return {
    id,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location,
    name: typeof source.name === 'string' ? source.name : parsed.name,
    ...(typeof source.kind === 'string' ? { kind: source.kind } : {}),
    entries: entriesOf(source, what),
  };
}

/** Every JIT policy of a resource group (in one region when given), as stored. */
export async function listPolicies(
  clients: AzureClients,
  subscriptionId: string,
  resourceGroup: string,
  location: string | undefined,
  signal?: AbortSignal,
): Promise<StoredPolicy[]> {
  const where = `resource group '${resourceGroup}'${location ? ` (${location})` : ''}`;
  return azureCall(`list JIT policies of ${where}`, signal, async (o) => {
    const raws: unknown[] = [];
    const typed: JitNetworkAccessPolicy[] = [];
    const options = {
      ...o,
      onResponse: (response: FullOperationResponse) => {
        const page = parseJson(response.bodyAsText ?? undefined) as { value?: unknown } | undefined;
        if (Array.isArray(page?.value)) raws.push(...(page.value as unknown[]));
      },
    };
    const api = clients.security(subscriptionId).jitNetworkAccessPolicies;
    const pages = location
      ? api.listByResourceGroupAndRegion(resourceGroup, location, options)
      : api.listByResourceGroup(resourceGroup, options);
    for await (const p of pages) typed.push(p);
    const useRaw = raws.length === typed.length;
    return typed
      .map((t, i) => toStored(useRaw ? raws[i] : undefined, t, `the JIT policy '${t.name ?? '?'}'`))
      .filter((p): p is StoredPolicy => p !== undefined);
  });
}

/** One policy as stored now, or undefined when it does not exist. */
export async function readPolicy(
  clients: AzureClients,
  address: PolicyAddress,
  signal?: AbortSignal,
): Promise<StoredPolicy | undefined> {
  let raw: unknown;
  try {
    const typed = await azureCall(`read ${policyLabel(address)}`, signal, (o) =>
      clients
        .security(address.subscriptionId)
        .jitNetworkAccessPolicies.get(address.resourceGroup, address.location, address.name, {
          ...o,
          onResponse: (r: FullOperationResponse) => (raw = parseJson(r.bodyAsText ?? undefined)),
        }),
    );
    return toStored(raw, typed, policyLabel(address));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** PUT of the whole list (Azure replaces it). Returns the policy as Azure echoed it. */
export async function writePolicy(
  clients: AzureClients,
  address: PolicyAddress,
  kind: string | undefined,
  entries: readonly RawVmEntry[],
  signal?: AbortSignal,
): Promise<StoredPolicy | undefined> {
  let raw: unknown;
  const body: JitNetworkAccessPolicy = {
    ...(kind ? { kind } : {}),
    virtualMachines: entries as unknown as JitNetworkAccessPolicyVirtualMachine[],
  };
  const typed = await azureCall(`write ${policyLabel(address)}`, signal, (o) =>
    clients
      .security(address.subscriptionId)
      .jitNetworkAccessPolicies.createOrUpdate(address.resourceGroup, address.location, address.name, body, {
        ...o,
        onResponse: (r: FullOperationResponse) => (raw = parseJson(r.bodyAsText ?? undefined)),
      }),
  ).catch((error: unknown) => {
    throw withWriteHint(error);
  });
  return toStored(raw, typed, policyLabel(address));
}

export async function deletePolicy(
  clients: AzureClients,
  address: PolicyAddress,
  signal?: AbortSignal,
): Promise<void> {
  await azureCall(`delete ${policyLabel(address)}`, signal, (o) =>
    clients
      .security(address.subscriptionId)
      .jitNetworkAccessPolicies.delete(address.resourceGroup, address.location, address.name, o),
  ).catch((error: unknown) => {
    throw withWriteHint(error);
  });
}

/** A refused write names the administrator's permissions, not the pipeline's. */
function withWriteHint(error: unknown): unknown {
  if (!(error instanceof AzureApiError) || error.status !== 403) return error;
  return new AzureApiError({
    status: error.status,
    code: error.code,
    azureMessage: error.azureMessage,
    correlationId: error.correlationId,
    operation: error.operation,
    hint: WRITE_HINT,
    cause: error,
  });
}
