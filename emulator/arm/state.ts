/**
 * The emulated tenant's mutable state: every ARM resource the scenario describes,
 * keyed by lower-cased id because ARM ids are case-insensitive while responses echo
 * the casing the resource was created with.
 */
export interface SecurityRuleProperties {
  description?: string;
  protocol: string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourceAddressPrefix?: string;
  destinationAddressPrefix?: string;
  access: string;
  priority: number;
  direction: string;
  sourcePortRanges: string[];
  destinationPortRanges: string[];
  sourceAddressPrefixes: string[];
  destinationAddressPrefixes: string[];
}

/** Why a rule exists, for the rules JIT owns (the cleaner never touches user rules). */
export type JitRuleOrigin =
  | { kind: 'allow'; policyId: string; vmId: string; ports: number[]; requestSeq: number }
  | { kind: 'deny'; policyId: string; vmId: string };

export interface SecurityRuleState {
  name: string;
  properties: SecurityRuleProperties;
  provisioningState: 'Succeeded' | 'Updating' | 'Deleting';
  jit?: JitRuleOrigin;
}

interface Located {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

export interface NsgState extends Located {
  resourceGuid: string;
  etag: string;
  rules: SecurityRuleState[];
  /**
   * `nsgWrites: serialized`: the write holding this NSG (a Network operation id, pollable)
   * and the virtual time it lets go. Writes before then get 409 AnotherOperationInProgress.
   */
  busy?: { until: number; operationId: string };
}

export interface SubnetState {
  id: string;
  name: string;
  vnetId: string;
  addressPrefix: string;
  nsgId?: string;
  etag: string;
}

export interface VnetState extends Located {
  resourceGuid: string;
  etag: string;
  addressPrefixes: string[];
  subnetIds: string[];
}

export interface PublicIpState extends Located {
  resourceGuid: string;
  etag: string;
  ipAddress: string;
  domainNameLabel?: string;
  fqdn?: string;
  ipConfigurationId: string;
}

export interface NicState extends Located {
  resourceGuid: string;
  etag: string;
  privateIp: string;
  subnetId: string;
  nsgId?: string;
  publicIpId?: string;
  vmId: string;
  macAddress: string;
  primary: boolean;
}

export interface VmState extends Located {
  vmId: string;
  osType: 'Linux' | 'Windows';
  size: string;
  nicIds: string[];
  timeCreated: string;
}

export interface JitPortRule {
  number: number;
  protocol: string;
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  maxRequestAccessDuration: string;
}

export interface JitPolicyVm {
  id: string;
  ports: JitPortRule[];
  publicIpAddress?: string;
}

export interface JitRequestPort {
  number: number;
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  endTimeUtc: string;
  status: string;
  statusReason: string;
  mappedPort?: number;
}

export interface JitRequest {
  virtualMachines: { id: string; ports: JitRequestPort[] }[];
  startTimeUtc: string;
  requestor: string;
  justification?: string;
}

export interface StoredJitRequest {
  seq: number;
  principal: string;
  request: JitRequest;
}

export interface JitPolicyState extends Located {
  kind: string;
  virtualMachines: JitPolicyVm[];
  /** Scenario-only firewall DNAT table: lower VM id -> port -> mapped port. */
  mappedPorts: Record<string, Record<string, number>>;
  requests: StoredJitRequest[];
  provisioningState: string;
}

export interface SubscriptionState {
  id: string;
  displayName: string;
  /** Security reads left before 429 (x-ms-ratelimit-remaining-subscription-resource-requests). */
  securityReadBudget: number;
  /** Whether a refill of the read budget is already scheduled on the virtual clock. */
  refillPending: boolean;
  writesLeft: number;
  deletesLeft: number;
}

export interface ResourceGroupState {
  id: string;
  name: string;
  subscriptionId: string;
  location: string;
}

export interface ArmState {
  tenantId: string;
  subscriptions: Map<string, SubscriptionState>;
  resourceGroups: Map<string, ResourceGroupState>;
  vms: Map<string, VmState>;
  nics: Map<string, NicState>;
  publicIps: Map<string, PublicIpState>;
  nsgs: Map<string, NsgState>;
  vnets: Map<string, VnetState>;
  subnets: Map<string, SubnetState>;
  policies: Map<string, JitPolicyState>;
  /** Network async operations: lower operation id -> virtual time it completes. */
  operations: Map<string, { doneAt: number; location: string; subscriptionId: string }>;
  requestSeq: number;
}

/** Security reads per window; the first response shows 749 remaining, as recorded. */
export const SECURITY_READ_BUDGET = 750;

export function emptyState(tenantId: string): ArmState {
  return {
    tenantId,
    subscriptions: new Map(),
    resourceGroups: new Map(),
    vms: new Map(),
    nics: new Map(),
    publicIps: new Map(),
    nsgs: new Map(),
    vnets: new Map(),
    subnets: new Map(),
    policies: new Map(),
    operations: new Map(),
    requestSeq: 0,
  };
}

export const key = (id: string): string => id.toLowerCase();

export function rgKey(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}`.toLowerCase();
}

export function rgId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function resourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string {
  return `${rgId(subscriptionId, resourceGroup)}/providers/${type}/${name}`;
}

export function policyId(
  subscriptionId: string,
  resourceGroup: string,
  location: string,
  name: string,
): string {
  return `${rgId(subscriptionId, resourceGroup)}/providers/Microsoft.Security/locations/${location}/jitNetworkAccessPolicies/${name}`;
}

/** Last path segment of an ARM id. */
export function nameOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Every NSG on a VM's path with the private IP it protects there (NIC NSGs, then subnet NSGs). */
export function nsgsOnPath(state: ArmState, vm: VmState): { nsg: NsgState; privateIp: string }[] {
  const out: { nsg: NsgState; privateIp: string }[] = [];
  const seen = new Set<string>();
  const add = (nsgId: string | undefined, privateIp: string): void => {
    if (!nsgId || seen.has(key(nsgId))) return;
    const nsg = state.nsgs.get(key(nsgId));
    if (!nsg) return;
    seen.add(key(nsgId));
    out.push({ nsg, privateIp });
  };
  const nics = vm.nicIds.map((id) => state.nics.get(key(id))).filter((n): n is NicState => n !== undefined);
  for (const nic of nics) add(nic.nsgId, nic.privateIp);
  for (const nic of nics) add(state.subnets.get(key(nic.subnetId))?.nsgId, nic.privateIp);
  return out;
}
