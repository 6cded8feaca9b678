/**
 * Flags of each subcommand and their parsing. The request flags are generated
 * from the core's input table (shared/inputs/table.ts), so a new core input
 * becomes a CLI flag with the same name and description without edits here.
 * Parsing is strict: an unknown flag is an error that names it.
 */
import { parseArgs } from 'node:util';
import { CLI, describeInput, INPUTS, type InputName } from '../shared';
import { adminCommands } from './adminFlags';
import { CLOUD_ENV } from './cloudEnv';
import { EXIT } from './exitCodes';
import type { CommandSpec, FlagSpec, FlagValues } from './flags';

export { flagText, type CommandSpec, type FlagSpec, type FlagValues } from './flags';

export type CommandName =
  'request' | 'close' | 'status' | 'validate' | 'audit' | 'enable' | 'disable' | 'calibrate';

/** A usage problem: bad or unknown flags. Exit code 2, nothing was done. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

function inputFlag(name: InputName): FlagSpec {
  const spec = INPUTS[name];
  const env = name in CLOUD_ENV ? CLOUD_ENV[name as keyof typeof CLOUD_ENV] : undefined;
  const fallback = env
    ? ` Default: $${env}${spec.default !== '' ? `, else ${spec.default}` : ''}.`
    : spec.default !== '' && spec.kind !== 'boolean'
      ? ` Default: ${spec.default}.`
      : '';
  // A pick list with a `true` (probe) keeps its boolean-flag form: `--probe` alone means `--probe true`.
  const bare = spec.kind === 'pickList' && (spec.options as readonly string[]).includes('true');
  return {
    type: spec.kind === 'boolean' ? 'boolean' : 'string',
    multiple: spec.kind === 'multiLine',
    description: describeInput(name, CLI) + fallback + (bare ? ` --${name} alone means --${name} true.` : ''),
    input: name,
    ...(spec.kind === 'boolean' ? {} : { valueName: 'value' }),
    ...(bare ? { bare: 'true' } : {}),
  };
}

const INPUT_FLAGS: Record<string, FlagSpec> = Object.fromEntries(
  (Object.keys(INPUTS) as InputName[]).filter((n) => CLI.uses(n)).map((n) => [n, inputFlag(n)]),
);

const pick = (...names: InputName[]): Record<string, FlagSpec> =>
  Object.fromEntries(names.map((n) => [n, inputFlag(n)]));

const CLOUD_FLAGS = pick('cloud', 'arm-endpoint', 'authority-host');

const COMMON: Record<string, FlagSpec> = {
  subscription: {
    type: 'string',
    valueName: 'id',
    description:
      "Subscription of VMs given by name (and of `audit`). Default: $AZURE_SUBSCRIPTION_ID, else the Azure CLI's default subscription when signed in with `az login`.",
  },
  json: { type: 'boolean', description: 'Print one JSON document on stdout (logs go to stderr).' },
  verbose: { type: 'boolean', description: 'Also print debug lines.' },
  'ca-file': {
    type: 'string',
    valueName: 'path',
    description:
      'Extra trusted CA certificate (PEM) for a TLS-inspecting proxy or a private cloud; added to the public CAs. NODE_EXTRA_CA_CERTS works too.',
  },
  help: { type: 'boolean', description: 'Show this help.' },
};

const STATE_FILE: FlagSpec = {
  type: 'string',
  valueName: 'path',
  description:
    'Where `request` records what it opened and `close` reads it. Default: .azure-jit-access/state.json.',
};

export const DEFAULT_STATE_FILE = '.azure-jit-access/state.json';

// `validate` stops before anything is requested: no wait, no probe; it is a dry run by definition.
const {
  'dry-run': _dryRun,
  probe: _probe,
  'wait-timeout': _waitTimeout,
  'poll-interval': _pollInterval,
  ...VALIDATE_INPUT_FLAGS
} = INPUT_FLAGS;

/** `close --source`: the exact address of the rules to delete; `auto`, `azure` and `*` are refused. */
const CLOSE_SOURCE: FlagSpec = {
  type: 'string',
  valueName: 'ip',
  input: 'source',
  description:
    'With --vms and --ports: the source address of the rules to delete, an IP or CIDR exactly as the request allowed it (see `status`). No default.',
};

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  request: {
    summary: 'Open JIT access, wait until the allow rule is live, print host and port.',
    usage: 'azure-jit-access request --vms <vm> [--resource-group <rg>] --ports <ports> [flags]',
    flags: { ...INPUT_FLAGS, 'state-file': STATE_FILE, ...COMMON },
  },
  close: {
    summary:
      'Close access early: delete the allow rules a `request` opened (from its state file), or the JIT allow rules matching --vms/--ports/--source exactly.',
    usage:
      'azure-jit-access close [--state-file <path>] | close --vms <vm> --ports <ports> --source <ip> [flags]',
    flags: {
      'state-file': STATE_FILE,
      ...pick('vms', 'resource-group', 'ports'),
      source: CLOSE_SOURCE,
      ...CLOUD_FLAGS,
      ...COMMON,
    },
  },
  status: {
    summary: 'Show live JIT requests and the JIT allow rules in the NSGs of the given VMs.',
    usage: 'azure-jit-access status --vms <vm> [--resource-group <rg>] [flags]',
    flags: { ...pick('vms', 'resource-group'), ...CLOUD_FLAGS, ...COMMON },
  },
  validate: {
    summary:
      'Dry run: check a request against the JIT policies and show what would be requested. Writes nothing.',
    usage: 'azure-jit-access validate --vms <vm> [--resource-group <rg>] --ports <ports> [flags]',
    flags: { ...VALIDATE_INPUT_FLAGS, ...COMMON },
  },
  audit: {
    summary:
      'List VMs with no JIT policy, or whose policy allows any source (`*`) on a port; like Conformity rule VirtualMachines-021.',
    usage: 'azure-jit-access audit [--resource-group <rg>] [--subscription <id>] [flags]',
    flags: {
      'resource-group': {
        type: 'string',
        multiple: true,
        valueName: 'name',
        description: 'Only this resource group (repeatable). Default: the whole subscription.',
      },
      'fail-on-findings': {
        type: 'boolean',
        description: `Exit with code ${EXIT.findings} when there is any finding, to fail a CI job.`,
      },
      ...CLOUD_FLAGS,
      ...COMMON,
    },
  },
  calibrate: {
    summary:
      'Measure how real JIT behaves on one test VM (documentation-range sources, closed right after) and name the emulator switches that reproduce it.',
    usage:
      'azure-jit-access calibrate --vms <test vm> --resource-group <rg> --ports 22,3389 [--json] [--keep-going]',
    flags: {
      vms: {
        type: 'string',
        valueName: 'vm',
        description:
          'The one test VM (a name with --resource-group, or its resource ID). Its JIT policy must allow both ports from `*` or from exactly 192.0.2.10, 198.51.100.10 and 192.0.2.10/32.',
      },
      ...pick('resource-group', 'wait-timeout'),
      ports: {
        type: 'string',
        valueName: 'ports',
        description: "Exactly two ports of the VM's JIT policy, e.g. 22,3389.",
      },
      'keep-going': {
        type: 'boolean',
        description:
          'Run the remaining steps after one fails, so the report covers as much as it can. What was opened is closed either way.',
      },
      ...CLOUD_FLAGS,
      ...COMMON,
    },
  },
  ...adminCommands({ ...CLOUD_FLAGS, ...COMMON }),
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export interface ParsedCommand {
  readonly command: CommandName;
  readonly values: FlagValues;
}

export type Parsed = ParsedCommand | { readonly help: CommandName | 'root' } | { readonly version: true };

/** Edit distance, to suggest the flag the user probably meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function explain(error: unknown, command: CommandName, flags: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const help = `Run 'azure-jit-access ${command} --help' for the flags it takes.`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'(-[^']*)'/.exec(message)?.[1] ?? message;
    const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
    const hint = closest(name, flags);
    const other = COMMAND_NAMES.find((c) => c !== command && name in COMMANDS[c].flags);
    return [
      `Unknown flag ${flag} for '${command}'.`,
      hint ? ` Did you mean --${hint}?` : other ? ` (--${name} belongs to '${other}'.)` : '',
      ` ${help}`,
    ].join('');
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
    return `Unexpected argument '${arg}' for '${command}': values go after a flag (e.g. --vms ${arg}). ${help}`;
  }
  return `${message.replace(/\.$/, '')}. ${help}`;
}

/** `--flag` with no value (end of line, or another flag next) becomes `--flag=<bare>` for flags that have one. */
function withBareValues(args: readonly string[], flags: Readonly<Record<string, FlagSpec>>): string[] {
  return args.map((arg, i) => {
    const bare = arg.startsWith('--') ? flags[arg.slice(2)]?.bare : undefined;
    const next = args[i + 1];
    return bare !== undefined && (next === undefined || next.startsWith('-')) ? `${arg}=${bare}` : arg;
  });
}

export function parseCommandLine(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (first === 'help' && topic !== undefined && (COMMAND_NAMES as string[]).includes(topic)) {
      return { help: topic as CommandName };
    }
    return { help: 'root' };
  }
  if (first === '--version' || first === '-V') return { version: true };
  if (!(COMMAND_NAMES as string[]).includes(first)) {
    const hint = first.startsWith('-') ? undefined : closest(first, COMMAND_NAMES);
    throw new UsageError(
      `Unknown command '${first}'.${hint ? ` Did you mean '${hint}'?` : ''} Commands: ${COMMAND_NAMES.join(', ')}. Run 'azure-jit-access --help'.`,
    );
  }
  const command = first as CommandName;
  const spec = COMMANDS[command];
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(name === 'help' ? { short: 'h' } : {}) },
    ]),
  );
  let values: FlagValues;
  try {
    values = parseArgs({
      args: withBareValues(rest, spec.flags),
      options,
      strict: true,
      allowPositionals: false,
    }).values as FlagValues;
  } catch (error) {
    throw new UsageError(explain(error, command, Object.keys(spec.flags)), command);
  }
  if (values.help === true) return { help: command };
  return { command, values };
}
