/**
 * How each front-end spells what the user types. One input table
 * (`inputs/table.ts`), three spellings: GitHub `with: wait-timeout`, Azure
 * DevOps YAML `waitTimeout`, CLI `--wait-timeout`. Every message, hint and
 * summary that names an input renders it through the `FrontEnd` of the run
 * (`Platform.frontEnd`), so an ADO user never reads a GitHub name.
 *
 * Messages built deep in the core, far from the platform (errors thrown by
 * parsers, validation, the wait), are `Wording`: a string, or a function of
 * the FrontEnd that `describeError` renders for the front-end at hand.
 */
import { INPUTS, type InputName } from './inputs/table';

export type FrontEndId = 'github' | 'ado' | 'cli';

export interface FrontEnd {
  readonly id: FrontEndId;
  /** The input as this front-end spells it: `wait-timeout`, `waitTimeout`, `--wait-timeout`. */
  input(name: InputName): string;
  /** The input named in a sentence: `input 'wait-timeout'`, `input 'waitTimeout'`, `--wait-timeout`. */
  quote(name: InputName): string;
  /** A value set as the user writes it: `wait-timeout: 600`, `waitTimeout: 600`, `--wait-timeout 600`. */
  setting(name: InputName, value: string): string;
  /** False for inputs this front-end ignores (Azure DevOps takes the cloud from the service connection). */
  uses(name: InputName): boolean;
  /** What closes access before its end time: "the post-job step", "`azure-jit-access close`". */
  readonly closer: string;
  /** How to get debug logs on this front-end. */
  readonly debugHow: string;
  /** Where the user fixes an input: "the workflow", "the pipeline", "the command line". */
  readonly inputsLive: string;
}

/** Text that may name inputs: rendered per front-end where it is shown. */
export type Wording = string | ((fe: FrontEnd) => string);

export function render(text: Wording, fe: FrontEnd): string {
  return typeof text === 'function' ? text(fe) : text;
}

const isInput = (name: string): name is InputName => Object.hasOwn(INPUTS, name);

/** Inputs Azure DevOps ignores: the service connection's environment decides the cloud. */
const ADO_IGNORED: ReadonlySet<InputName> = new Set<InputName>(['cloud', 'arm-endpoint', 'authority-host']);
/** A shell has no post step: `close` (or the end time) closes access. */
const CLI_IGNORED: ReadonlySet<InputName> = new Set<InputName>(['close-on-post']);

export const GITHUB: FrontEnd = {
  id: 'github',
  input: (name) => name,
  quote: (name) => `input '${name}'`,
  setting: (name, value) => `${name}: ${value}`,
  uses: () => true,
  closer: 'the post-job step',
  debugHow: 'set the secret or variable ACTIONS_STEP_DEBUG to true',
  inputsLive: 'the workflow',
};

export const ADO: FrontEnd = {
  id: 'ado',
  input: (name) => INPUTS[name].ado,
  quote: (name) => `input '${INPUTS[name].ado}'`,
  setting: (name, value) => `${INPUTS[name].ado}: ${value}`,
  uses: (name) => !ADO_IGNORED.has(name),
  closer: 'the post-job step',
  debugHow: 'set the pipeline variable system.debug to true',
  inputsLive: 'the pipeline',
};

export const CLI: FrontEnd = {
  id: 'cli',
  input: (name) => `--${name}`,
  quote: (name) => `--${name}`,
  // Quoted where a shell would otherwise expand or split the value (`*`, spaces).
  setting: (name, value) =>
    INPUTS[name].kind === 'boolean'
      ? `--${name}`
      : `--${name} ${/^[\w./:,@%+=-]+$/.test(value) ? value : `'${value}'`}`,
  uses: (name) => !CLI_IGNORED.has(name),
  closer: "'azure-jit-access close'",
  debugHow: 'add --verbose',
  inputsLive: 'the command line',
};

export const FRONT_ENDS: Readonly<Record<FrontEndId, FrontEnd>> = { github: GITHUB, ado: ADO, cli: CLI };

/** Used where no front-end is known (an Error's own `message`): the canonical kebab names. */
export const DEFAULT_FRONT_END = GITHUB;

const MULTI_WORD = (Object.keys(INPUTS) as InputName[]).filter((n) => n.includes('-'));
const MENTION = new RegExp(`(?<![\\w-])(${MULTI_WORD.join('|')})(?![\\w-])`, 'g');

/**
 * An input's description (inputs/table.ts) for one front-end's help: the other inputs it
 * mentions (written in the table's kebab-case) are spelled the front-end's way.
 */
export function describeInput(name: InputName, fe: FrontEnd): string {
  return INPUTS[name].description
    .replace(/`([a-z-]+): ([^`]+)`/g, (all, input: string, value: string) =>
      isInput(input) ? `\`${fe.setting(input, value)}\`` : all,
    )
    .replace(MENTION, (m) => fe.input(m as InputName));
}

/**
 * `quote` for a name that may not be one of the core's inputs (e.g. ADO's `azureSubscription`),
 * or an environment variable standing in for one (the CLI's `AZURE_AUTHORITY_HOST`).
 */
export function quoteAny(fe: FrontEnd, name: string): string {
  if (isInput(name)) return fe.quote(name);
  if (/^[A-Z][A-Z0-9_]*$/.test(name)) return `environment variable ${name}`;
  return fe.id === 'cli' ? `--${name}` : `input '${name}'`;
}
