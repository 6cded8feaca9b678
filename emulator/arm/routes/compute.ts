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
      return { status: 200, body: vmOut(vm) };
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
