/**
 * The scenario file: everything the emulated tenant contains when it starts.
 * References between resources are either a full ARM id or a name resolved in the
 * same resource group (`vnet/subnet` for subnets), so files stay short and readable.
 */
import type { PrincipalSpec } from '../identity/types';

export type { PrincipalSpec };

export interface Scenario {
  tenantId: string;
  /** What the IP echo services and an initiate without a source see as the caller's address. */
  egressIp: string;
  /** Per-principal egress IP (principal name -> IP), since every caller here is really loopback. */
  principalEgressIps?: Record<string, string>;
  oidc: {
    adoOrganizationId: string;
    adoServiceConnections: { id: string; subject: string }[];
    githubSubject: string;
  };
  principals: PrincipalSpec[];
  subscriptions: SubscriptionSpec[];
}

export interface SubscriptionSpec {
  id: string;
  displayName: string;
  resourceGroups: ResourceGroupSpec[];
}

export interface ResourceGroupSpec {
  name: string;
  location: string;
  virtualNetworks?: VirtualNetworkSpec[];
  networkSecurityGroups?: NetworkSecurityGroupSpec[];
  virtualMachines?: VirtualMachineSpec[];
  jitPolicies?: JitPolicySpec[];
}

export interface VirtualNetworkSpec {
  name: string;
  location?: string;
  addressPrefixes: string[];
  subnets: { name: string; addressPrefix: string; networkSecurityGroup?: string }[];
}

export interface SecurityRuleSpec {
  name: string;
  protocol: string;
  access: 'Allow' | 'Deny';
  direction: 'Inbound' | 'Outbound';
  priority: number;
  sourceAddressPrefix?: string;
  sourcePortRange?: string;
  destinationAddressPrefix?: string;
  destinationPortRange?: string;
  destinationPortRanges?: string[];
  description?: string;
}

export interface NetworkSecurityGroupSpec {
  name: string;
  location?: string;
  securityRules?: SecurityRuleSpec[];
}

export interface PublicIpSpec {
  name: string;
  ipAddress: string;
  /** DNS label; the FQDN is `<label>.<location>.cloudapp.azure.com` unless `fqdn` is given. */
  domainNameLabel?: string;
  fqdn?: string;
}

export interface NetworkInterfaceSpec {
  name: string;
  privateIp: string;
  /** `vnet/subnet` in the same resource group, or a full subnet id. */
  subnet: string;
  /** NSG name in the same resource group, or a full id. */
  networkSecurityGroup?: string;
  publicIp?: PublicIpSpec;
}

export interface VirtualMachineSpec {
  name: string;
  location?: string;
  osType?: 'Linux' | 'Windows';
  size?: string;
  networkInterfaces: NetworkInterfaceSpec[];
}

export interface JitPortSpec {
  number: number;
  protocol: 'TCP' | 'UDP' | '*';
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  maxRequestAccessDuration: string;
}

export interface JitPolicyVmSpec {
  /** VM name in the policy's resource group, or a full VM id. */
  vm: string;
  ports: JitPortSpec[];
  /** Azure Firewall public IP in front of this VM (emitted as the policy VM's `publicIpAddress`). */
  publicIpAddress?: string;
  /** Azure Firewall DNAT: policy port -> mapped port, reported as `mappedPort` on requests. */
  mappedPorts?: Record<string, number>;
}

export interface JitPolicySpec {
  name: string;
  location: string;
  kind?: string;
  virtualMachines: JitPolicyVmSpec[];
}
