/**
 * Network RP resource shapes (recorded NSG in ../shared/azure/recordings and the
 * 2024-05-01 examples): every rule repeats its NSG's etag and always lists the four
 * plural arrays; NSGs carry six default rules.
 */
import type {
  ArmState,
  NicState,
  NsgState,
  PublicIpState,
  SecurityRuleState,
  SubnetState,
  VnetState,
} from '../state';
import { key } from '../state';

const DEFAULT_RULES: [string, string, string, string, string, number, string][] = [
  [
    'AllowVnetInBound',
    'Allow inbound traffic from all VMs in VNET',
    'VirtualNetwork',
    'VirtualNetwork',
    'Allow',
    65000,
    'Inbound',
  ],
  [
    'AllowAzureLoadBalancerInBound',
    'Allow inbound traffic from azure load balancer',
    'AzureLoadBalancer',
    '*',
    'Allow',
    65001,
    'Inbound',
  ],
  ['DenyAllInBound', 'Deny all inbound traffic', '*', '*', 'Deny', 65500, 'Inbound'],
  [
    'AllowVnetOutBound',
    'Allow outbound traffic from all VMs to all VMs in VNET',
    'VirtualNetwork',
    'VirtualNetwork',
    'Allow',
    65000,
    'Outbound',
  ],
  [
    'AllowInternetOutBound',
    'Allow outbound traffic from all VMs to Internet',
    '*',
    'Internet',
    'Allow',
    65001,
    'Outbound',
  ],
  ['DenyAllOutBound', 'Deny all outbound traffic', '*', '*', 'Deny', 65500, 'Outbound'],
];

export function ruleOut(nsg: NsgState, rule: SecurityRuleState): Record<string, unknown> {
  const { description, ...rest } = rule.properties;
  return {
    name: rule.name,
    id: `${nsg.id}/securityRules/${rule.name}`,
    etag: nsg.etag,
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    properties: {
      provisioningState: rule.provisioningState,
      ...(description !== undefined ? { description } : {}),
      ...rest,
    },
  };
}

function defaultRulesOut(nsg: NsgState): Record<string, unknown>[] {
  return DEFAULT_RULES.map(([name, description, src, dst, access, priority, direction]) => ({
    name,
    id: `${nsg.id}/defaultSecurityRules/${name}`,
    etag: nsg.etag,
    type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules',
    properties: {
      provisioningState: 'Succeeded',
      description,
      protocol: '*',
      sourcePortRange: '*',
      destinationPortRange: '*',
      sourceAddressPrefix: src,
      destinationAddressPrefix: dst,
      access,
      priority,
      direction,
      sourcePortRanges: [],
      destinationPortRanges: [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
    },
  }));
}

export function nsgOut(state: ArmState, nsg: NsgState): Record<string, unknown> {
  const nics = [...state.nics.values()].filter((n) => n.nsgId && key(n.nsgId) === key(nsg.id));
  const subnets = [...state.subnets.values()].filter((s) => s.nsgId && key(s.nsgId) === key(nsg.id));
  return {
    name: nsg.name,
    id: nsg.id,
    etag: nsg.etag,
    type: 'Microsoft.Network/networkSecurityGroups',
    location: nsg.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: nsg.resourceGuid,
      securityRules: nsg.rules.map((r) => ruleOut(nsg, r)),
      defaultSecurityRules: defaultRulesOut(nsg),
      ...(nics.length > 0 ? { networkInterfaces: nics.map((n) => ({ id: n.id })) } : {}),
      ...(subnets.length > 0 ? { subnets: subnets.map((s) => ({ id: s.id })) } : {}),
    },
  };
}

export function nicOut(nic: NicState): Record<string, unknown> {
  const ipConfigId = `${nic.id}/ipConfigurations/ipconfig1`;
  return {
    name: nic.name,
    id: nic.id,
    etag: nic.etag,
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: nic.resourceGuid,
      ipConfigurations: [
        {
          name: 'ipconfig1',
          id: ipConfigId,
          etag: nic.etag,
          type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
          properties: {
            provisioningState: 'Succeeded',
            privateIPAddress: nic.privateIp,
            privateIPAllocationMethod: 'Dynamic',
            ...(nic.publicIpId ? { publicIPAddress: { id: nic.publicIpId } } : {}),
            subnet: { id: nic.subnetId },
            primary: true,
            privateIPAddressVersion: 'IPv4',
          },
        },
      ],
      dnsSettings: {
        dnsServers: [],
        appliedDnsServers: [],
        internalDomainNameSuffix: 'emulator.bx.internal.cloudapp.net',
      },
      macAddress: nic.macAddress,
      vnetEncryptionSupported: false,
      enableIPForwarding: false,
      ...(nic.nsgId ? { networkSecurityGroup: { id: nic.nsgId } } : {}),
      primary: nic.primary,
      virtualMachine: { id: nic.vmId },
      hostedWorkloads: [],
      tapConfigurations: [],
      nicType: 'Standard',
      allowPort25Out: false,
      auxiliaryMode: 'None',
      auxiliarySku: 'None',
    },
  };
}

export function publicIpOut(pip: PublicIpState): Record<string, unknown> {
  return {
    name: pip.name,
    id: pip.id,
    etag: pip.etag,
    location: pip.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: pip.resourceGuid,
      ipAddress: pip.ipAddress,
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: 'Static',
      idleTimeoutInMinutes: 4,
      ...(pip.fqdn
        ? {
            dnsSettings: {
              ...(pip.domainNameLabel ? { domainNameLabel: pip.domainNameLabel } : {}),
              fqdn: pip.fqdn,
            },
          }
        : {}),
      ipTags: [],
      ipConfiguration: { id: pip.ipConfigurationId },
    },
    type: 'Microsoft.Network/publicIPAddresses',
    sku: { name: 'Standard', tier: 'Regional' },
  };
}

export function subnetOut(state: ArmState, subnet: SubnetState): Record<string, unknown> {
  const ipConfigurations = [...state.nics.values()]
    .filter((n) => key(n.subnetId) === key(subnet.id))
    .map((n) => ({ id: `${n.id}/ipConfigurations/ipconfig1` }));
  return {
    name: subnet.name,
    id: subnet.id,
    etag: subnet.etag,
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: subnet.addressPrefix,
      ...(subnet.nsgId ? { networkSecurityGroup: { id: subnet.nsgId } } : {}),
      ...(ipConfigurations.length > 0 ? { ipConfigurations } : {}),
      delegations: [],
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
    },
    type: 'Microsoft.Network/virtualNetworks/subnets',
  };
}

export function vnetOut(state: ArmState, vnet: VnetState): Record<string, unknown> {
  return {
    name: vnet.name,
    id: vnet.id,
    etag: vnet.etag,
    type: 'Microsoft.Network/virtualNetworks',
    location: vnet.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: vnet.resourceGuid,
      addressSpace: { addressPrefixes: vnet.addressPrefixes },
      subnets: vnet.subnetIds
        .map((id) => state.subnets.get(key(id)))
        .filter((s): s is SubnetState => s !== undefined)
        .map((s) => subnetOut(state, s)),
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  };
}
