/**
 * The core's inputs, in one table. action.yml, task.json, the CLI's flags and
 * the README's inputs table are all checked against it by tests
 * (tests/unit/manifests), so a new input is added here first.
 *
 * Names: kebab-case is canonical (GitHub `with:`, CLI `--flag`); `ado` is the
 * camelCase name in task.json.
 */

export type InputKind = 'string' | 'multiLine' | 'boolean' | 'pickList';

export interface InputSpec {
  /** camelCase name used by task.json. */
  readonly ado: string;
  readonly description: string;
  readonly required: boolean;
  /** Default as the runner would pass it; '' means "not set". */
  readonly default: string;
  readonly kind: InputKind;
  /** Allowed values for pickList inputs (a free value is still validated by the parser). */
  readonly options?: readonly string[];
  /** Shown under an "Advanced" group in task.json. */
  readonly advanced: boolean;
  /** Other names the GitHub Action accepts for it (shared/inputs/aliases.ts). */
  readonly aliases?: readonly string[];
}

export const DEFAULT_IP_PROVIDERS = [
  'https://api.ipify.org',
  'https://ipv4.icanhazip.com',
  'https://checkip.amazonaws.com',
  'https://ifconfig.me/ip',
] as const;

export const INPUTS = {
  vms: {
    ado: 'vms',
    description:
      'Target VMs: resource IDs, or names (with resource-group), separated by commas or new lines. May span resource groups and subscriptions.',
    required: true,
    default: '',
    kind: 'multiLine',
    advanced: false,
  },
  'resource-group': {
    ado: 'resourceGroup',
    description: 'Resource group of the VMs given by name. Not needed when every VM is a full resource ID.',
    required: false,
    default: '',
    kind: 'string',
    advanced: false,
  },
  ports: {
    ado: 'ports',
    description:
      "Ports to open, comma-separated (e.g. `22` or `22,5986`). Each must be in the VM's JIT policy. No default: nothing is opened that you did not ask for.",
    required: true,
    default: '',
    kind: 'string',
    advanced: false,
  },
  duration: {
    ado: 'duration',
    description:
      "How long access stays open: minutes (`15`) or ISO 8601 (`PT30M`). Must not exceed the policy's maxRequestAccessDuration.",
    required: false,
    default: '15',
    kind: 'string',
    advanced: false,
  },
  source: {
    ado: 'source',
    description:
      "Source to allow: `auto` resolves this agent's public IP through several providers; `azure` lets Azure use the IP the request comes from; or an explicit IP/CIDR. `*` needs allow-any-source.",
    required: false,
    default: 'auto',
    kind: 'string',
    advanced: false,
  },
  'allow-any-source': {
    ado: 'allowAnySource',
    description:
      'Allow `source: *` (any address on the internet). Off by default; a policy must also allow `*`.',
    required: false,
    default: 'false',
    kind: 'boolean',
    advanced: true,
  },
  justification: {
    ado: 'justification',
    description:
      'Justification recorded with the JIT request. Default: built from the run (system, repository, commit, actor, run URL).',
    required: false,
    default: '',
    kind: 'string',
    advanced: true,
  },
  'wait-timeout': {
    ado: 'waitTimeout',
    description:
      "How long to wait for the allow rule to be live in every NSG on the VM's path: seconds (`300`) or ISO 8601 (`PT5M`).",
    required: false,
    default: '300',
    kind: 'string',
    advanced: true,
  },
  'poll-interval': {
    ado: 'pollInterval',
    description: 'Seconds between NSG reads while waiting, or `auto` (starts fast, backs off).',
    required: false,
    default: 'auto',
    kind: 'string',
    advanced: true,
  },
  probe: {
    ado: 'probe',
    description:
      "Open a TCP connection to each port before reporting ready: `auto` probes the VMs reached through Azure Firewall (JIT's DNAT rule there is never visible to us), `true` every VM, `false` none.",
    required: false,
    default: 'auto',
    kind: 'pickList',
    options: ['auto', 'true', 'false'],
    advanced: true,
  },
  'close-on-post': {
    ado: 'closeOnPost',
    description:
      'What the post-job step does: `delete-rule` removes the allow rules this run opened; `none` leaves them to expire at the end time.',
    required: false,
    default: 'delete-rule',
    kind: 'pickList',
    options: ['delete-rule', 'none'],
    advanced: true,
  },
  'ip-providers': {
    ado: 'ipProviders',
    description: `HTTPS services that echo the caller's public IP (at least 3 recommended; two must agree). Default: ${DEFAULT_IP_PROVIDERS.join(', ')}.`,
    required: false,
    default: '',
    kind: 'multiLine',
    advanced: true,
  },
  cloud: {
    ado: 'cloud',
    description:
      'Azure cloud: `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`, or `Custom` with arm-endpoint and authority-host.',
    required: false,
    default: 'AzureCloud',
    kind: 'pickList',
    options: ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Custom'],
    advanced: true,
    // azure/login's name for it.
    aliases: ['environment'],
  },
  'arm-endpoint': {
    ado: 'armEndpoint',
    description: 'Resource Manager URL for `cloud: Custom` (e.g. an Azure Stack Hub or the local emulator).',
    required: false,
    default: '',
    kind: 'string',
    advanced: true,
  },
  'authority-host': {
    ado: 'authorityHost',
    description: 'Entra ID authority URL for `cloud: Custom`.',
    required: false,
    default: '',
    kind: 'string',
    advanced: true,
  },
  'dry-run': {
    ado: 'dryRun',
    description:
      'Validate everything against the JIT policies and report what would be requested; write nothing.',
    required: false,
    default: 'false',
    kind: 'boolean',
    advanced: true,
  },
} as const satisfies Record<string, InputSpec>;

export type InputName = keyof typeof INPUTS;

export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

/** Inputs that are no CLI flag: a command run from a shell has no post step. */
export const NOT_FOR_CLI: ReadonlySet<InputName> = new Set<InputName>(['close-on-post']);
