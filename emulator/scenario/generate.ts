/**
 * Bulk scenarios for benchmarks and load tests: N VMs spread over M resource groups
 * (and regions), each VM with a NIC NSG, every third one also behind a subnet NSG,
 * one JIT policy per resource group. Principals and tenant are the default
 * scenario's, so the same credentials work.
 */
import { defaultScenario } from './load';
import type { ResourceGroupSpec, Scenario } from './types';

export interface GenerateOptions {
  vms: number;
  resourceGroups?: number;
  /** Regions used round-robin per resource group; default eastus, westeurope, westus2. */
  locations?: string[];
  /** Ports in every policy VM; default [22]. */
  ports?: number[];
}

export function generateScenario(opts: GenerateOptions): Scenario {
  const rgCount = Math.max(1, opts.resourceGroups ?? 1);
  if (!Number.isInteger(opts.vms) || opts.vms < 1 || opts.vms > 60000) {
    throw new Error(`generateScenario: vms must be an integer between 1 and 60000, got ${opts.vms}`);
  }
  const locations = opts.locations ?? ['eastus', 'westeurope', 'westus2'];
  const ports = opts.ports ?? [22];
  const base = defaultScenario();
  const sub = base.subscriptions[0];
  if (!sub) throw new Error('default scenario has no subscription');
  const groups: ResourceGroupSpec[] = [];
  for (let g = 0; g < rgCount; g += 1) {
    const location = locations[g % locations.length] as string;
    const name = `rg-bench-${String(g + 1).padStart(3, '0')}`;
    const vmNames: string[] = [];
    const rg: ResourceGroupSpec = {
      name,
      location,
      virtualNetworks: [
        {
          name: 'vnet-bench',
          addressPrefixes: ['10.0.0.0/8'],
          subnets: [
            { name: 'snet-plain', addressPrefix: '10.0.0.0/16' },
            { name: 'snet-guarded', addressPrefix: '10.1.0.0/16', networkSecurityGroup: 'snet-guarded-nsg' },
          ],
        },
      ],
      networkSecurityGroups: [{ name: 'snet-guarded-nsg' }],
      virtualMachines: [],
      jitPolicies: [],
    };
    for (let i = g; i < opts.vms; i += rgCount) {
      const vm = `vm-${String(i + 1).padStart(5, '0')}`;
      const guarded = i % 3 === 2;
      const ip = `10.${guarded ? 1 : 0}.${Math.floor(i / 250) % 256}.${(i % 250) + 4}`;
      vmNames.push(vm);
      rg.networkSecurityGroups?.push({ name: `${vm}-nsg` });
      rg.virtualMachines?.push({
        name: vm,
        osType: 'Linux',
        networkInterfaces: [
          {
            name: `${vm}-nic`,
            privateIp: ip,
            subnet: `vnet-bench/${guarded ? 'snet-guarded' : 'snet-plain'}`,
            networkSecurityGroup: `${vm}-nsg`,
          },
        ],
      });
    }
    if (vmNames.length > 0) {
      rg.jitPolicies?.push({
        name: `jit-${g + 1}`,
        location,
        kind: 'Basic',
        virtualMachines: vmNames.map((vm) => ({
          vm,
          ports: ports.map((number) => ({
            number,
            protocol: 'TCP' as const,
            allowedSourceAddressPrefix: '*',
            maxRequestAccessDuration: 'PT3H',
          })),
        })),
      });
    }
    groups.push(rg);
  }
  return { ...base, subscriptions: [{ ...sub, resourceGroups: groups }] };
}
