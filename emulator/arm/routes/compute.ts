/**
 * Microsoft.Compute virtual machines: GET and lists, shaped like the 2024-07-01
 * example (networkProfile.networkInterfaces is what JIT clients follow).
 */
import { COMPUTE_VERSIONS } from '../apiVersions';
import { page, type Params, type Route } from '../context';
import { resourceNotFound } from '../errors';
import { key, resourceId, rgId, type VmState } from '../state';

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const TYPE = 'Microsoft.Compute/virtualMachines';

export function vmOut(vm: VmState): Record<string, unknown> {
  const windows = vm.osType === 'Windows';
  return {
    name: vm.name,
    id: vm.id,
    type: TYPE,
    location: vm.location,
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.size },
      storageProfile: {
        imageReference: windows
          ? {
              publisher: 'MicrosoftWindowsServer',
              offer: 'WindowsServer',
              sku: '2022-datacenter-azure-edition',
              version: 'latest',
            }
          : { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
        osDisk: {
          osType: vm.osType,
          name: `${vm.name}_OsDisk_1`,
          createOption: 'FromImage',
          caching: 'ReadWrite',
          managedDisk: {
            storageAccountType: 'Premium_LRS',
            id: resourceId(
              vm.subscriptionId,
              vm.resourceGroup,
              'Microsoft.Compute/disks',
              `${vm.name}_OsDisk_1`,
            ),
          },
          deleteOption: 'Delete',
          diskSizeGB: windows ? 127 : 30,
        },
        dataDisks: [],
      },
      osProfile: {
        computerName: vm.name,
        adminUsername: 'azureuser',
        ...(windows
          ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } }
          : { linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } }),
        secrets: [],
        allowExtensionOperations: true,
      },
      networkProfile: {
        networkInterfaces: vm.nicIds.map((id, i) => ({
          id,
          ...(vm.nicIds.length > 1 ? { properties: { primary: i === 0 } } : {}),
        })),
      },
      diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      provisioningState: 'Succeeded',
      timeCreated: vm.timeCreated.replace('Z', '+00:00'),
    },
  };
}

const computeTime = (iso: string): string => iso.replace('Z', '+00:00');

/**
 * `properties.instanceView` (GET with `$expand=instanceView`, and the `/instanceView`
 * resource): `az vm get-instance-view`, `az vm show -d` and `az vm list -d` read the
 * power state from `statuses`. Every emulated VM is provisioned and running.
 */
export function vmInstanceView(vm: VmState, now: Date): Record<string, unknown> {
  const windows = vm.osType === 'Windows';
  const provisioned = {
    code: 'ProvisioningState/succeeded',
    level: 'Info',
    displayStatus: 'Provisioning succeeded',
    time: computeTime(vm.timeCreated),
  };
  return {
    computerName: vm.name,
    osName: windows ? 'Windows Server 2022 Datacenter Azure Edition' : 'ubuntu',
    osVersion: windows ? '10.0.20348.2340' : '24.04',
    vmAgent: {
      vmAgentVersion: windows ? '2.7.41491.1102' : '2.10.0.8',
      statuses: [
        {
          code: 'ProvisioningState/succeeded',
          level: 'Info',
          displayStatus: 'Ready',
          message: 'GuestAgent is running and processing the extensions.',
          time: computeTime(now.toISOString()),
        },
      ],
      extensionHandlers: [],
    },
    disks: [{ name: `${vm.name}_OsDisk_1`, statuses: [provisioned] }],
    hyperVGeneration: 'V2',
    statuses: [provisioned, { code: 'PowerState/running', level: 'Info', displayStatus: 'VM running' }],
  };
}

/** ARM's `$expand` values are case-insensitive. */
const expandsInstanceView = (url: URL): boolean =>
  (url.searchParams.get('$expand') ?? '').toLowerCase() === 'instanceview';

const vmIdOf = (p: Params): string =>
  resourceId(p.subscriptionId as string, p.resourceGroupName as string, TYPE, p.vmName as string);
const route = (r: Omit<Route, 'provider' | 'versions' | 'resourceType'>): Route => ({
  provider: 'compute',
  versions: COMPUTE_VERSIONS,
  resourceType: TYPE,
  ...r,
});

export const computeRoutes: Route[] = [
  route({
    method: 'GET',
    pattern: `${RG}/providers/${TYPE}/{vmName}`,
    authz: (p) => ({ action: `${TYPE}/read`, scope: vmIdOf(p) }),
    handle: (req, p) => {
      const vm = req.env.state.vms.get(key(vmIdOf(p)));
      if (!vm) throw resourceNotFound(TYPE, p.vmName as string, p.resourceGroupName as string);
      const body = vmOut(vm);
      if (expandsInstanceView(req.url)) {
        (body.properties as Record<string, unknown>).instanceView = vmInstanceView(vm, req.env.clock.now());
      }
      return { status: 200, body };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${TYPE}/{vmName}/instanceView`,
    authz: (p) => ({ action: `${TYPE}/instanceView/read`, scope: vmIdOf(p) }),
    handle: (req, p) => {
      const vm = req.env.state.vms.get(key(vmIdOf(p)));
      if (!vm) throw resourceNotFound(TYPE, p.vmName as string, p.resourceGroupName as string);
      return { status: 200, body: vmInstanceView(vm, req.env.clock.now()) };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${TYPE}`,
    authz: (p) => ({
      action: `${TYPE}/read`,
      scope: rgId(p.subscriptionId as string, p.resourceGroupName as string),
    }),
    handle: (req, p) => ({
      status: 200,
      body: page(
        req,
        [...req.env.state.vms.values()].filter(
          (v) =>
            key(v.subscriptionId) === key(p.subscriptionId as string) &&
            key(v.resourceGroup) === key(p.resourceGroupName as string),
        ),
        vmOut,
      ),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${TYPE}`,
    authz: (p) => ({ action: `${TYPE}/read`, scope: `/subscriptions/${p.subscriptionId}` }),
    handle: (req, p) => ({
      status: 200,
      body: page(
        req,
        [...req.env.state.vms.values()].filter(
          (v) => key(v.subscriptionId) === key(p.subscriptionId as string),
        ),
        vmOut,
      ),
    }),
  }),
];
