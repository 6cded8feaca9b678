/**
 * Where a VM sits in the network: VM → NICs (primary first) → private IPs,
 * the NIC's NSG, the subnet's NSG, and the public IP / FQDN for the host to
 * connect to. JIT writes its allow rule into every NSG on that path, with the
 * VM's private IP as destination, so the waiter needs all of it.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import type {
  NetworkInterface,
  NetworkInterfaceIPConfiguration,
  PublicIPAddress,
  Subnet,
} from '@azure/arm-network';
import type { VmRef } from '../config';
import { InputError } from '../errors';
import { LIST_THRESHOLD, prefetchList, readBatched, type ListableKind } from './batchReads';
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

/** Subnet NSG lookups shared across VMs of one run: VMs in one subnet cost one subnet read. */
export type SubnetNsgCache = Map<string, Promise<string | undefined>>;

/**
 * Subnets are listed per VNet, which holds few of them (one page), so two
 * wanted subnets of one VNet already cost fewer calls listed (VMs, NICs and
 * public IPs: LIST_THRESHOLD per resource group, batchReads.ts). Not the VNet
 * GET (it carries the subnets too): that needs `virtualNetworks/read`, which
 * the least-privilege roles (docs/roles) do not grant.
 */
export const SUBNET_LIST_THRESHOLD = 2;

/**
 * Resolves all VMs, in input order. Throws the first failure (a VM not found
 * names the `vms` input). The VMs of each resource group are read together
 * (VMs, then their NICs, then their subnets and public IPs, each step one list
 * per resource group or VNet where enough are wanted: batchReads.ts; the NIC
 * list starts with the VM list), and the groups in parallel, so a run's
 * critical path is VM -> NIC -> (subnet | public IP) for a few VMs and
 * VM | NIC -> (subnet | public IP) for many, whatever their number.
 */
export async function resolveTopologies(
  clients: AzureClients,
  vms: readonly VmRef[],
  signal?: AbortSignal,
): Promise<VmTopology[]> {
  const cache: SubnetNsgCache = new Map();
  const groups = new Map<string, VmRef[]>();
  for (const ref of vms) {
    const key =
      `${ref.subscriptionId ?? clients.session.subscriptionId ?? ''}/${ref.resourceGroup}`.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), ref]);
  }
  const resolved = new Map<VmRef, VmTopology>();
  await Promise.all(
    [...groups.values()].map(async (refs) => {
      const topologies = await resolveGroup(clients, refs, cache, signal);
      refs.forEach((ref, i) => resolved.set(ref, topologies[i] as VmTopology));
    }),
  );
  return vms.map((ref) => resolved.get(ref) as VmTopology);
}

/** One VM (post re-reads the VMs it closes one by one): GETs, but one list for several subnets of one VNet. */
export async function resolveTopology(
  clients: AzureClients,
  ref: VmRef,
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<VmTopology> {
  const [topology] = await resolveGroup(clients, [ref], cache, signal);
  return topology as VmTopology;
}

interface NicConfigs {
  readonly nic: NetworkInterface;
  /** Primary first. */
  readonly configs: readonly NetworkInterfaceIPConfiguration[];
}

/** VMs of one resource group: each step reads what all of them need at once. */
async function resolveGroup(
  clients: AzureClients,
  refs: readonly VmRef[],
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<VmTopology[]> {
  const first = refs[0];
  const subscriptionId = first?.subscriptionId ?? clients.session.subscriptionId;
  // The group's NICs are listed while its VMs are read: one round trip less for many VMs.
  if (first && subscriptionId)
    prefetchList(clients, NICS, { subscriptionId, resourceGroup: first.resourceGroup }, refs.length, signal);
  const vms = await Promise.all(readVms(clients, refs, signal));
  const nicIdsOf = vms.map((vm) =>
    [...(vm.networkProfile?.networkInterfaces ?? [])]
      .filter((n): n is typeof n & { id: string } => typeof n.id === 'string')
      // Primary first: its IP is the one JIT and users care about.
      .sort((a, b) => Number(b.primary === true) - Number(a.primary === true))
      .map((n) => n.id),
  );
  const nics = await readByIds(clients, NICS, nicIdsOf.flat(), readNic(clients, signal), signal);
  const configsOf: NicConfigs[][] = nicIdsOf.map((ids) =>
    ids.map((id) => {
      const nic = nics.get(normalizeId(id)) as NetworkInterface;
      const configs = [...(nic.ipConfigurations ?? [])];
      return {
        nic,
        configs: configs.sort((a, b) => Number(b.primary === true) - Number(a.primary === true)),
      };
    }),
  );
  // Subnets and public IPs depend on the NICs only: read them at the same time.
  const publicIpIdOf = configsOf.map(
    (nicConfigs) =>
      nicConfigs.flatMap((n) => n.configs).find((c) => c.publicIPAddress?.id)?.publicIPAddress?.id,
  );
  const subnetIds = configsOf.flatMap((nicConfigs) =>
    nicConfigs.flatMap((n) => n.configs.flatMap((c) => (c.subnet?.id ? [c.subnet.id] : []))),
  );
  const [subnetNsgs, pips] = await Promise.all([
    subnetNsgIds(clients, subnetIds, cache, signal),
    readByIds(
      clients,
      PUBLIC_IPS,
      publicIpIdOf.filter((id): id is string => id !== undefined),
      readPublicIp(clients, signal),
      signal,
    ),
  ]);
  return refs.map((ref, i) => {
    const pipId = publicIpIdOf[i];
    const pip = pipId ? pips.get(normalizeId(pipId)) : undefined;
    return topologyOf(ref, vms[i] as VirtualMachine, networkPath(configsOf[i] ?? [], subnetNsgs), pip);
  });
}

function topologyOf(
  ref: VmRef,
  vm: VirtualMachine,
  path: { privateIps: string[]; nsgs: NsgOnPath[] },
  pip: PublicIPAddress | undefined,
): VmTopology {
  const parsed = requireResourceId(vm.id ?? '', 'VM');
  return {
    ref,
    id: vm.id ?? '',
    name: vm.name ?? ref.name,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: vm.location,
    privateIps: path.privateIps,
    nsgs: path.nsgs,
    ...(pip?.ipAddress ? { publicIp: pip.ipAddress } : {}),
    ...(pip?.dnsSettings?.fqdn ? { fqdn: pip.dnsSettings.fqdn } : {}),
    ...(pip && !pip.ipAddress ? { publicIpUnassigned: true } : {}),
  };
}

/** Resources of one kind by lower-cased ID (listed per resource group, or each by `get`). */
async function readByIds<T extends { id?: string }>(
  clients: AzureClients,
  kind: ListableKind<T> & { readonly singular: string },
  ids: readonly string[],
  get: (id: string) => Promise<T>,
  signal?: AbortSignal,
): Promise<Map<string, T>> {
  const reads = await Promise.all(
    readBatched(
      clients,
      kind,
      ids.map((id) => {
        const p = requireResourceId(id, kind.singular);
        return {
          id,
          scope: { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup },
          get: () => get(id),
        };
      }),
      signal,
    ),
  );
  return new Map(ids.map((id, i) => [normalizeId(id), reads[i] as T]));
}

const VMS: ListableKind<VirtualMachine> = {
  plural: 'VMs',
  threshold: LIST_THRESHOLD,
  list: (clients, s, o) => clients.compute(s.subscriptionId).virtualMachines.list(s.resourceGroup, o),
};
const NICS: ListableKind<NetworkInterface> & { readonly singular: string } = {
  plural: 'network interfaces',
  singular: 'network interface',
  threshold: LIST_THRESHOLD,
  list: (clients, s, o) => clients.network(s.subscriptionId).networkInterfaces.list(s.resourceGroup, o),
};
const PUBLIC_IPS: ListableKind<PublicIPAddress> & { readonly singular: string } = {
  plural: 'public IP addresses',
  singular: 'public IP address',
  threshold: LIST_THRESHOLD,
  list: (clients, s, o) => clients.network(s.subscriptionId).publicIPAddresses.list(s.resourceGroup, o),
};
const SUBNETS: ListableKind<Subnet> = {
  plural: 'subnets',
  threshold: SUBNET_LIST_THRESHOLD,
  list: (clients, s, o) => clients.network(s.subscriptionId).subnets.list(s.resourceGroup, s.vnet ?? '', o),
};

/** The VMs by reference, in order; a VM without a subscription fails as its own read does. */
function readVms(
  clients: AzureClients,
  refs: readonly VmRef[],
  signal?: AbortSignal,
): Promise<VirtualMachine>[] {
  const listable: { ref: VmRef; subscriptionId: string }[] = [];
  for (const ref of refs) {
    const subscriptionId = ref.subscriptionId ?? clients.session.subscriptionId;
    if (subscriptionId) listable.push({ ref, subscriptionId });
  }
  const reads = readBatched(
    clients,
    VMS,
    listable.map(({ ref, subscriptionId }) => ({
      id: `/subscriptions/${subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${ref.name}`,
      scope: { subscriptionId, resourceGroup: ref.resourceGroup },
      get: () => readVm(clients, ref, signal),
    })),
    signal,
  );
  const byRef = new Map(listable.map(({ ref }, i) => [ref, reads[i] as Promise<VirtualMachine>]));
  return refs.map((ref) => byRef.get(ref) ?? readVm(clients, ref, signal));
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
function networkPath(
  nicConfigs: readonly NicConfigs[],
  subnetNsgs: ReadonlyMap<string, string | undefined>,
): { privateIps: string[]; nsgs: NsgOnPath[] } {
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
      if (c.subnet?.id) addNsg(subnetNsgs.get(normalizeId(c.subnet.id)), 'subnet', ip ? [ip] : []);
    }
  }
  return { privateIps, nsgs: [...nsgs.values()] };
}

const readNic =
  (clients: AzureClients, signal?: AbortSignal) =>
  (id: string): Promise<NetworkInterface> => {
    const p = requireResourceId(id, 'network interface');
    return azureCall(`read network interface '${p.name}'`, signal, (o) =>
      clients.network(p.subscriptionId).networkInterfaces.get(p.resourceGroup, p.name, o),
    );
  };

const readPublicIp =
  (clients: AzureClients, signal?: AbortSignal) =>
  (id: string): Promise<PublicIPAddress> => {
    const p = requireResourceId(id, 'public IP address');
    return azureCall(`read public IP '${p.name}'`, signal, (o) =>
      clients.network(p.subscriptionId).publicIPAddresses.get(p.resourceGroup, p.name, o),
    );
  };

/** The NSG ID of each subnet (by lower-cased subnet ID), read once per run through `cache`. */
async function subnetNsgIds(
  clients: AzureClients,
  subnetIds: readonly string[],
  cache: SubnetNsgCache,
  signal?: AbortSignal,
): Promise<Map<string, string | undefined>> {
  const keys = [...new Set(subnetIds.map(normalizeId))];
  const unread = [
    ...new Map(
      subnetIds.filter((id) => !cache.has(normalizeId(id))).map((id) => [normalizeId(id), id]),
    ).values(),
  ];
  const reads = readBatched(
    clients,
    SUBNETS,
    unread.map((id) => {
      const p = requireResourceId(id, 'subnet');
      const vnet = p.segments[0]?.[1] ?? '';
      return {
        id,
        scope: { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, vnet },
        get: () =>
          azureCall(`read subnet '${vnet}/${p.name}'`, signal, (o) =>
            clients.network(p.subscriptionId).subnets.get(p.resourceGroup, vnet, p.name, o),
          ),
      };
    }),
    signal,
  );
  unread.forEach((id, i) =>
    cache.set(
      normalizeId(id),
      (reads[i] as Promise<Subnet>).then((s) => s.networkSecurityGroup?.id),
    ),
  );
  const nsgIds = await Promise.all(keys.map((k) => cache.get(k) as Promise<string | undefined>));
  return new Map(keys.map((k, i) => [k, nsgIds[i]]));
}

/** NIC IPs can carry a prefix length ("172.20.2.16/28"); JIT's destination is the bare address. */
function stripPrefixLength(ip: string | undefined): string | undefined {
  return ip?.split('/')[0];
}
