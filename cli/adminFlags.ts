/**
 * Flags of the administrator commands, `enable` and `disable` (see
 * shared/admin/). Kept apart from args.ts, which builds the pipeline
 * commands' flags from the core's input table: these are not pipeline inputs.
 */
import type { CommandSpec, FlagSpec } from './flags';

const VMS: FlagSpec = {
  type: 'string',
  multiple: true,
  valueName: 'vm',
  description:
    "VM resource IDs, or VM names together with --resource-group; commas or repeated flags. Only these VMs' entries are changed.",
};

const RESOURCE_GROUP: FlagSpec = {
  type: 'string',
  valueName: 'name',
  description:
    'Resource group of the VMs given by name. Their JIT policy is looked for there (never subscription-wide).',
};

const POLICY: FlagSpec = {
  type: 'string',
  valueName: 'name',
  description:
    "JIT policy to use. Default: the one the VMs' resource group already has in their region, else a new one called `default`. Policy name plus VM name may have at most 56 characters.",
};

const DRY_RUN: FlagSpec = {
  type: 'boolean',
  description: 'Read and show the change (added / changed / unchanged), write nothing.',
};

export function adminCommands(common: Readonly<Record<string, FlagSpec>>): {
  enable: CommandSpec;
  disable: CommandSpec;
} {
  return {
    enable: {
      summary:
        "Administrators: enable JIT on VMs, or change their ports, by merging into the resource group's policy; other VMs' entries and other ports stay exactly as they are.",
      usage:
        "azure-jit-access enable --vms <vm> [--resource-group <rg>] --allowed-sources <cidr,...|'*'> [--ports 22] [--dry-run] [flags]",
      flags: {
        vms: VMS,
        'resource-group': RESOURCE_GROUP,
        'allowed-sources': {
          type: 'string',
          valueName: 'cidrs',
          description:
            "Required. Source addresses a request may open the ports to: your agents' public IP addresses or ranges (CIDRs, commas), or '*' (quoted) to let each request name its own source. There is no default: '*' lets anyone allowed to request access open the ports to any address, and a pipeline can only use this policy if it matches. JIT compares a request's source with these verbatim, so pipelines then request with source set to one of these exact values; give '*' for hosted agents whose IPs change (each request, with source auto, still opens the ports to that agent's IP only).",
        },
        ports: {
          type: 'string',
          valueName: 'ports',
          description:
            "Ports to enable, e.g. 22 or 22,5986. Default: 22 for Linux VMs, 3389 for Windows VMs (from the VM's OS type), as the portal proposes. Ports not listed keep their rules.",
        },
        protocol: {
          type: 'string',
          valueName: 'protocol',
          description: "TCP, UDP or '*' (any). Default: '*', as the portal.",
        },
        'max-duration': {
          type: 'string',
          valueName: 'iso8601',
          description:
            'Longest access a request may ask for, ISO 8601 from PT5M to P1D (PT24H). Default: PT3H, as the portal.',
        },
        policy: POLICY,
        'dry-run': DRY_RUN,
        ...common,
      },
    },
    disable: {
      summary:
        'Administrators: take VMs out of their JIT policy (only their entries; a policy left empty is deleted).',
      usage: 'azure-jit-access disable --vms <vm> [--resource-group <rg>] [--dry-run] [flags]',
      flags: {
        vms: VMS,
        'resource-group': RESOURCE_GROUP,
        policy: {
          ...POLICY,
          description: 'Only this JIT policy. Default: whichever policy of the resource group lists the VMs.',
        },
        'dry-run': DRY_RUN,
        ...common,
      },
    },
  };
}
