/**
 * Turns a validated scenario into fresh ARM state. Every call builds new objects
 * (ids, etags, GUIDs), which is what keeps two emulator instances from sharing state.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import {
  SECURITY_READ_BUDGET,
  emptyState,
  key,
  policyId,
  resourceId,
  rgId,
  rgKey,
  type ArmState,
  type SecurityRuleState,
} from '../arm/state';
import { ScenarioError } from './load';
import type { ResourceGroupSpec, Scenario, SecurityRuleSpec } from './types';

const etag = (): string => `W/"${randomUUID()}"`;

function mac(): string {
  return [...randomBytes(6)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

/** A reference is a full id, or a name (for subnets `vnet/subnet`) in the given resource group. */
function resolveRef(ref: string, sub: string, rg: string, type: string): string {
  if (ref.startsWith('/')) return ref;
  if (type === 'Microsoft.Network/virtualNetworks/subnets') {
    const [vnet, subnet] = ref.split('/');
    if (!vnet || !subnet)
      throw new ScenarioError(`Subnet reference '${ref}' must be 'vnet/subnet' or a full subnet id.`);
    return `${resourceId(sub, rg, 'Microsoft.Network/virtualNetworks', vnet)}/subnets/${subnet}`;
  }
  return resourceId(sub, rg, type, ref);
}

export function userRule(spec: SecurityRuleSpec): SecurityRuleState {
  return {
    name: spec.name,
    provisioningState: 'Succeeded',
    properties: {
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      protocol: spec.protocol,
      sourcePortRange: spec.sourcePortRange ?? '*',
      ...(spec.destinationPortRanges ? {} : { destinationPortRange: spec.destinationPortRange ?? '*' }),
      sourceAddressPrefix: spec.sourceAddressPrefix ?? '*',
      destinationAddressPrefix: spec.destinationAddressPrefix ?? '*',
      access: spec.access,
      priority: spec.priority,
      direction: spec.direction,
      sourcePortRanges: [],
      destinationPortRanges: spec.destinationPortRanges ?? [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
    },
  };
}

export function buildState(scenario: Scenario, createdAt: Date): ArmState {
  const state = emptyState(scenario.tenantId);
  for (const sub of scenario.subscriptions) {
    if (state.subscriptions.has(key(sub.id)))
      throw new ScenarioError(`Subscription '${sub.id}' is listed twice.`);
    state.subscriptions.set(key(sub.id), {
      id: sub.id,
      displayName: sub.displayName,
      securityReadBudget: SECURITY_READ_BUDGET,
      refillPending: false,
      writesLeft: 1199,
      deletesLeft: 14999,
    });
    for (const rg of sub.resourceGroups) addNetworks(state, sub.id, rg);
  }
  // VMs after every network so NICs may reference subnets/NSGs of any resource group.
  for (const sub of scenario.subscriptions)
    for (const rg of sub.resourceGroups) addVms(state, sub.id, rg, createdAt);
  for (const sub of scenario.subscriptions)
    for (const rg of sub.resourceGroups) addPolicies(state, sub.id, rg);
  return state;
}

function addNetworks(state: ArmState, sub: string, rg: ResourceGroupSpec): void {
  const rgk = rgKey(sub, rg.name);
  if (state.resourceGroups.has(rgk))
    throw new ScenarioError(`Resource group '${rg.name}' is listed twice in '${sub}'.`);
  state.resourceGroups.set(rgk, {
    id: rgId(sub, rg.name),
    name: rg.name,
    subscriptionId: sub,
    location: rg.location,
  });
  const base = { subscriptionId: sub, resourceGroup: rg.name };
  for (const n of rg.networkSecurityGroups ?? []) {
    const id = resourceId(sub, rg.name, 'Microsoft.Network/networkSecurityGroups', n.name);
    const priorities = new Set<string>();
    for (const r of n.securityRules ?? []) {
      const slot = `${r.direction}:${r.priority}`;
      if (priorities.has(slot))
        throw new ScenarioError(`NSG '${n.name}': two ${r.direction} rules with priority ${r.priority}.`);
      priorities.add(slot);
    }
    state.nsgs.set(key(id), {
      ...base,
      id,
      name: n.name,
      location: n.location ?? rg.location,
      resourceGuid: randomUUID(),
      etag: etag(),
      rules: (n.securityRules ?? []).map(userRule),
    });
  }
  for (const v of rg.virtualNetworks ?? []) {
    const id = resourceId(sub, rg.name, 'Microsoft.Network/virtualNetworks', v.name);
    const subnetIds: string[] = [];
    for (const s of v.subnets) {
      const sid = `${id}/subnets/${s.name}`;
      subnetIds.push(sid);
      const nsgId = s.networkSecurityGroup
        ? resolveRef(s.networkSecurityGroup, sub, rg.name, 'Microsoft.Network/networkSecurityGroups')
        : undefined;
      if (nsgId && !state.nsgs.has(key(nsgId))) {
        throw new ScenarioError(
          `Subnet '${v.name}/${s.name}' references NSG '${s.networkSecurityGroup}', which is not defined.`,
        );
      }
      state.subnets.set(key(sid), {
        id: sid,
        name: s.name,
        vnetId: id,
        addressPrefix: s.addressPrefix,
        etag: etag(),
        ...(nsgId ? { nsgId } : {}),
      });
    }
    state.vnets.set(key(id), {
      ...base,
      id,
      name: v.name,
      location: v.location ?? rg.location,
      resourceGuid: randomUUID(),
      etag: etag(),
      addressPrefixes: v.addressPrefixes,
      subnetIds,
    });
  }
}

function addVms(state: ArmState, sub: string, rg: ResourceGroupSpec, createdAt: Date): void {
  const base = { subscriptionId: sub, resourceGroup: rg.name };
  for (const vm of rg.virtualMachines ?? []) {
    const vmId = resourceId(sub, rg.name, 'Microsoft.Compute/virtualMachines', vm.name);
    if (state.vms.has(key(vmId))) throw new ScenarioError(`VM '${vm.name}' is listed twice in '${rg.name}'.`);
    const location = vm.location ?? rg.location;
    const nicIds: string[] = [];
    vm.networkInterfaces.forEach((n, index) => {
      for (const [what, ip] of [
        ['privateIp', n.privateIp],
        ['publicIp.ipAddress', n.publicIp?.ipAddress],
      ] as const) {
        if (ip !== undefined && !ipaddr.isValid(ip)) {
          throw new ScenarioError(
            `NIC '${n.name}' of VM '${vm.name}': ${what} '${ip}' is not an IP address.`,
          );
        }
      }
      const nicId = resourceId(sub, rg.name, 'Microsoft.Network/networkInterfaces', n.name);
      const subnetId = resolveRef(n.subnet, sub, rg.name, 'Microsoft.Network/virtualNetworks/subnets');
      if (!state.subnets.has(key(subnetId))) {
        throw new ScenarioError(
          `NIC '${n.name}' of VM '${vm.name}' references subnet '${n.subnet}', which is not defined.`,
        );
      }
      const nsgId = n.networkSecurityGroup
        ? resolveRef(n.networkSecurityGroup, sub, rg.name, 'Microsoft.Network/networkSecurityGroups')
        : undefined;
      if (nsgId && !state.nsgs.has(key(nsgId))) {
        throw new ScenarioError(
          `NIC '${n.name}' references NSG '${n.networkSecurityGroup}', which is not defined.`,
        );
      }
      let publicIpId: string | undefined;
      if (n.publicIp) {
        publicIpId = resourceId(sub, rg.name, 'Microsoft.Network/publicIPAddresses', n.publicIp.name);
        const fqdn =
          n.publicIp.fqdn ??
          (n.publicIp.domainNameLabel
            ? `${n.publicIp.domainNameLabel}.${location}.cloudapp.azure.com`
            : undefined);
        state.publicIps.set(key(publicIpId), {
          ...base,
          id: publicIpId,
          name: n.publicIp.name,
          location,
          resourceGuid: randomUUID(),
          etag: etag(),
          ipAddress: n.publicIp.ipAddress,
          ipConfigurationId: `${nicId}/ipConfigurations/ipconfig1`,
          ...(n.publicIp.domainNameLabel ? { domainNameLabel: n.publicIp.domainNameLabel } : {}),
          ...(fqdn ? { fqdn } : {}),
        });
      }
      nicIds.push(nicId);
      state.nics.set(key(nicId), {
        ...base,
        id: nicId,
        name: n.name,
        location,
        resourceGuid: randomUUID(),
        etag: etag(),
        privateIp: n.privateIp,
        subnetId,
        vmId,
        macAddress: mac(),
        primary: index === 0,
        ...(nsgId ? { nsgId } : {}),
        ...(publicIpId ? { publicIpId } : {}),
      });
    });
    state.vms.set(key(vmId), {
      ...base,
      id: vmId,
      name: vm.name,
      location,
      vmId: randomUUID(),
      osType: vm.osType ?? 'Linux',
      size: vm.size ?? 'Standard_B2s',
      nicIds,
      timeCreated: createdAt.toISOString(),
    });
  }
}

function addPolicies(state: ArmState, sub: string, rg: ResourceGroupSpec): void {
  for (const p of rg.jitPolicies ?? []) {
    const id = policyId(sub, rg.name, p.location, p.name);
    if (state.policies.has(key(id)))
      throw new ScenarioError(`JIT policy '${p.name}' is listed twice in '${rg.name}'.`);
    const mappedPorts: Record<string, Record<string, number>> = {};
    const virtualMachines = p.virtualMachines.map((v) => {
      const vmId = resolveRef(v.vm, sub, rg.name, 'Microsoft.Compute/virtualMachines');
      const vm = state.vms.get(key(vmId));
      if (!vm)
        throw new ScenarioError(`JIT policy '${p.name}' references VM '${v.vm}', which is not defined.`);
      if (p.name.length + vm.name.length > 56) {
        throw new ScenarioError(
          `JIT policy '${p.name}' + VM '${vm.name}' exceed 56 characters together (Azure's limit).`,
        );
      }
      if (v.mappedPorts) mappedPorts[key(vm.id)] = v.mappedPorts;
      return {
        id: vm.id,
        ports: v.ports.map((port) => ({ ...port })),
        ...(v.publicIpAddress ? { publicIpAddress: v.publicIpAddress } : {}),
      };
    });
    state.policies.set(key(id), {
      id,
      name: p.name,
      subscriptionId: sub,
      resourceGroup: rg.name,
      location: p.location,
      kind: p.kind ?? 'Basic',
      virtualMachines,
      mappedPorts,
      requests: [],
      provisioningState: 'Succeeded',
    });
  }
}
