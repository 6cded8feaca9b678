/**
 * Where a VM sits in the network: VM → NICs (primary first) → private IPs,
 * the NIC's NSG, the subnet's NSG, and the public IP / FQDN for the host to
 * connect to. JIT writes its allow rule into every NSG on that path, with the
 * VM's private IP as destination, so the waiter needs all of it.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, NetworkInterfaceIPConfiguration } from '@azure/arm-network';
import type { VmRef } from '../config';
import { InputError } from '../errors';
import type { AzureClients } from './clients';
import { azureCall, isNotFound } from './call';
import { normalizeId, requireResourceId } from './resourceId';

export type NsgLevel = 'nic' | 'subnet';

/** One NSG on a VM's path, with the VM's private IPs it guards. */
export interface NsgOnPath {
  readonly id: string;
  readonly level: NsgLevel;
  /** Private IPs of the NICs this NSG applies to: the allow rule's destination is one of them. */
  readonly privateIps: readonly string[];
}

export interface VmTopology {
  readonly ref: VmRef;
  /** The VM's resource ID as ARM returned it. */
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** Primary NIC's primary IP first. */
  readonly privateIps: readonly string[];
  readonly nsgs: readonly NsgOnPath[];
  readonly publicIp?: string;
  readonly fqdn?: string;
  /** A public IP resource is attached but holds no address (a dynamic IP of a stopped/deallocated VM). */
  readonly publicIpUnassigned?: boolean;
}

/** Subnet NSG lookups shared across VMs of one run: VMs in one subnet cost one subnet GET. */
export type SubnetNsgCache = Map<string, Promise<string | undefined>>;

/** Resolves all VMs in parallel. Throws the first failure (a VM not found names the `vms` input). */
export async function resolveTopologies(
  clients: AzureClients,
  vms: readonly VmRef[],
  signal?: AbortSignal,
): Promise<VmTopology[]> {
  const cache: SubnetNsgCache = new Map();
  return Promise.all(vms.map((vm) => resolveTopology(clients, vm, cache, signal)));
}

export async function resolveTopology(
  clients: AzureClients,
  ref: VmRef,
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<VmTopology> {
  const vm = await readVm(clients, ref, signal);
  const nicRefs = [...(vm.networkProfile?.networkInterfaces ?? [])]
    .filter((n): n is typeof n & { id: string } => typeof n.id === 'string')
    // Primary first: its IP is the one JIT and users care about.
    .sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
  const nics = await Promise.all(nicRefs.map((n) => readNic(clients, n.id, signal)));
  const nicConfigs = nics.map((nic) => ({
    nic,
    configs: [...(nic.ipConfigurations ?? [])].sort(
      (a, b) => Number(b.primary === true) - Number(a.primary === true),
    ),
  }));
  // The public IP does not depend on the subnets: read it while they are read, so a VM's
  // critical path is VM -> NIC -> (subnet | public IP), not VM -> NIC -> subnet -> public IP.
  const publicIpId = nicConfigs.flatMap((n) => n.configs).find((c) => c.publicIPAddress?.id)
    ?.publicIPAddress?.id;
  const pipRead = publicIpId ? readPublicIp(clients, publicIpId, signal) : undefined;
  // Awaited below; if a subnet read fails first, this rejection must not go unhandled.
  pipRead?.catch(() => undefined);
  const { privateIps, nsgs } = await networkPath(clients, nicConfigs, cache, signal);
  const pip = pipRead ? await pipRead : undefined;
  const parsed = requireResourceId(vm.id ?? '', 'VM');
  return {
    ref,
    id: vm.id ?? '',
    name: vm.name ?? ref.name,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: vm.location,
    privateIps,
    nsgs,
    ...(pip?.ipAddress ? { publicIp: pip.ipAddress } : {}),
    ...(pip?.dnsSettings?.fqdn ? { fqdn: pip.dnsSettings.fqdn } : {}),
    ...(pip && !pip.ipAddress ? { publicIpUnassigned: true } : {}),
  };
}

/** The VM itself; not found is the `vms` input's problem. */
async function readVm(clients: AzureClients, ref: VmRef, signal?: AbortSignal): Promise<VirtualMachine> {
  const subscriptionId = ref.subscriptionId ?? clients.session.subscriptionId;
  if (!subscriptionId) {
    throw new InputError(
      'vms',
      ref.input,
      'names a VM without a subscription and the Azure connection has none',
      'give the full VM resource ID, or set the subscription on the connection',
    );
  }
  const compute = clients.compute(subscriptionId);
  return azureCall(`read VM '${ref.name}'`, signal, (o) =>
    compute.virtualMachines.get(ref.resourceGroup, ref.name, o),
  ).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
    throw new InputError(
      'vms',
      ref.input,
      `VM '${ref.name}' was not found in resource group '${ref.resourceGroup}' of subscription '${subscriptionId}'`,
      (fe) =>
        `check the VM name, ${fe.input('resource-group')} and subscription, and that the identity can read the VM`,
    );
  });
}

/** The private IPs of the NICs (primary first) and every NSG on their path: NIC and subnet. */
async function networkPath(
  clients: AzureClients,
  nicConfigs: readonly { nic: NetworkInterface; configs: readonly NetworkInterfaceIPConfiguration[] }[],
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<{ privateIps: string[]; nsgs: NsgOnPath[] }> {
  const privateIps: string[] = [];
  const nsgs = new Map<string, { id: string; level: NsgLevel; privateIps: string[] }>();
  const addNsg = (id: string | undefined, level: NsgLevel, ips: readonly string[]): void => {
    if (!id) return;
    const key = normalizeId(id);
    const entry = nsgs.get(key) ?? { id, level, privateIps: [] };
    for (const ip of ips) if (!entry.privateIps.includes(ip)) entry.privateIps.push(ip);
    nsgs.set(key, entry);
  };
  for (const { nic, configs } of nicConfigs) {
    const nicIps = configs
      .map((c) => stripPrefixLength(c.privateIPAddress))
      .filter((ip): ip is string => !!ip);
    privateIps.push(...nicIps.filter((ip) => !privateIps.includes(ip)));
    addNsg(nic.networkSecurityGroup?.id, 'nic', nicIps);
    for (const c of configs) {
      const ip = stripPrefixLength(c.privateIPAddress);
      if (c.subnet?.id)
        addNsg(await subnetNsg(clients, c.subnet.id, cache, signal), 'subnet', ip ? [ip] : []);
    }
  }
  return { privateIps, nsgs: [...nsgs.values()] };
}

async function readNic(clients: AzureClients, id: string, signal?: AbortSignal): Promise<NetworkInterface> {
  const p = requireResourceId(id, 'network interface');
  return azureCall(`read network interface '${p.name}'`, signal, (o) =>
    clients.network(p.subscriptionId).networkInterfaces.get(p.resourceGroup, p.name, o),
  );
}

function subnetNsg(
  clients: AzureClients,
  subnetId: string,
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const key = normalizeId(subnetId);
  let pending = cache.get(key);
  if (!pending) {
    const p = requireResourceId(subnetId, 'subnet');
    const vnet = p.segments[0]?.[1] ?? '';
    pending = azureCall(`read subnet '${vnet}/${p.name}'`, signal, (o) =>
      clients.network(p.subscriptionId).subnets.get(p.resourceGroup, vnet, p.name, o),
    ).then((s) => s.networkSecurityGroup?.id);
    cache.set(key, pending);
  }
  return pending;
}

async function readPublicIp(clients: AzureClients, id: string, signal?: AbortSignal) {
  const p = requireResourceId(id, 'public IP address');
  return azureCall(`read public IP '${p.name}'`, signal, (o) =>
    clients.network(p.subscriptionId).publicIPAddresses.get(p.resourceGroup, p.name, o),
  );
}

/** NIC IPs can carry a prefix length ("172.20.2.16/28"); JIT's destination is the bare address. */
function stripPrefixLength(ip: string | undefined): string | undefined {
  return ip?.split('/')[0];
}
