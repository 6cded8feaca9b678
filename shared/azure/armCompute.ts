/**
 * The Compute operations the core calls, from the modular @azure/arm-compute
 * (per-operation functions; see armNetwork.ts and scripts/azure-api-paths.mjs).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { VirtualMachine } from '@azure/arm-compute';
import { createComputeManagement, type ComputeManagementClientOptionalParams } from '@azure/arm-compute/api';
import { get, list, listAll } from '@azure/arm-compute/api/virtualMachines';
import type { CallOptions, PagedList } from './call';

export interface ComputeClient {
  readonly virtualMachines: {
    get(resourceGroup: string, name: string, o?: CallOptions): Promise<VirtualMachine>;
    /** The VMs of one resource group, following nextLink pages. */
    list(resourceGroup: string, o?: CallOptions): PagedList<VirtualMachine>;
    /** The VMs of the whole subscription. */
    listAll(o?: CallOptions): AsyncIterable<VirtualMachine>;
  };
}

export function createComputeClient(
  credential: TokenCredential,
  subscriptionId: string,
  options: ComputeManagementClientOptionalParams,
): ComputeClient {
  const c = createComputeManagement(credential, subscriptionId, options);
  return {
    virtualMachines: {
      get: (rg, name, o) => get(c, rg, name, o),
      list: (rg, o) => list(c, rg, o),
      listAll: (o) => listAll(c, o),
    },
  };
}
