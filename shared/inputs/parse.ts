/**
 * Reads every input of the table once into a frozen, typed JitConfig. Each
 * field has its own small parser; all problems are collected and thrown as ONE
 * InputError so the user can fix everything in one run. Nothing below this
 * function reads inputs.
 */
import { resolveCloud } from '../cloud';
import type { CloseOnPost, JitConfig, ProbeMode } from '../config';
import { InputError } from '../errors';
import { DEFAULT_FRONT_END, type FrontEnd } from '../frontEnd';
import { MAX_JUSTIFICATION } from '../justification';
import type { Platform } from '../platform';
import { FALSE, parseBoolean, TRUE } from './booleans';
import { IssueCollector } from './collect';
import { formatMs, parseDurationMinutes } from './duration';
import { parsePorts } from './ports';
import { parseIpProviders } from './providers';
import { parseSource } from './source';
import { INPUTS, INPUT_NAMES, type InputName } from './table';
import { parsePollIntervalMs, parseWaitTimeoutMs } from './timing';
import { parseVms, resourceGroupProblem, type ParsedVms } from './vms';

export type RawInputs = Readonly<Record<InputName, string>>;

/** Each input's raw text, with the table default when the runner passed nothing. */
export function readRawInputs(platform: Platform): RawInputs {
  const raw = {} as Record<InputName, string>;
  for (const name of INPUT_NAMES) {
    const value = platform.getInput(name);
    raw[name] = value.trim() === '' ? INPUTS[name].default : value;
  }
  return raw;
}

function parseCloseOnPost(input: string, raw: string): CloseOnPost {
  const v = raw.trim().toLowerCase();
  if (v === 'delete-rule' || v === 'none') return v;
  throw new InputError(
    input,
    raw,
    'must be `delete-rule` (close access when the job ends) or `none` (let it expire)',
  );
}

/** `auto`, or a boolean in the spellings every boolean input accepts (`true` probes every VM, `false` none). */
export function parseProbe(input: string, raw: string): ProbeMode {
  const v = raw.trim();
  if (v.toLowerCase() === 'auto') return 'auto';
  if (TRUE.has(v)) return 'always';
  if (FALSE.has(v)) return 'never';
  throw new InputError(
    input,
    raw,
    'must be `auto` (probe the VMs reached through Azure Firewall), `true` (probe every VM) or `false` (probe none)',
  );
}

function parseJustification(input: string, raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  if (v.length > MAX_JUSTIFICATION) {
    throw new InputError(
      input,
      `${v.slice(0, 40)}… (${v.length} characters)`,
      `is longer than ${MAX_JUSTIFICATION} characters`,
    );
  }
  return v;
}

export interface ParsedInputs {
  readonly config: JitConfig;
  /** Non-fatal remarks (duplicates dropped, inputs that have no effect); the caller logs them. */
  readonly warnings: readonly string[];
}

/** Pure form of `parseInputs`, for callers that already hold the raw values (and for tests). */
export function parseRawInputs(raw: RawInputs, fe: FrontEnd = DEFAULT_FRONT_END): ParsedInputs {
  const c = new IssueCollector();
  const bool = (name: InputName): boolean | undefined => c.field(() => parseBoolean(name, raw[name]));
  const allowAnySource = bool('allow-any-source');
  const probe = c.field(() => parseProbe('probe', raw.probe));
  const dryRun = bool('dry-run');
  const vms = parseVmInputs(c, raw, fe);
  const ports = c.field(() => parsePorts('ports', raw.ports));
  if (ports && ports.duplicates.length > 0)
    c.warn(`${fe.input('ports')}: ignoring duplicate ports: ${ports.duplicates.join(', ')}`);
  const durationMinutes = c.field(() => parseDurationMinutes('duration', raw.duration));
  const source = c.field(() => parseSource('source', raw.source, allowAnySource === true));
  const justification = c.field(() => parseJustification('justification', raw.justification));
  const { waitTimeoutMs, pollIntervalMs } = parseTiming(c, raw);
  const closeOnPost = c.field(() => parseCloseOnPost('close-on-post', raw['close-on-post']));
  const ipProviders = c.field(() => parseIpProviders('ip-providers', raw['ip-providers']));
  if (source && source.kind !== 'auto' && raw['ip-providers'].trim() !== '') {
    c.warn(
      `${fe.input('ip-providers')} is ignored: it is only used with ${fe.setting('source', 'auto')} (${fe.input('source')} is ${raw.source.trim()})`,
    );
  }
  const cloud = c.field(() => resolveCloud(raw.cloud, raw['arm-endpoint'], raw['authority-host']));
  c.throwIfAny(INPUT_NAMES);
  // Every field parsed (throwIfAny would have thrown otherwise); `parsed` narrows the types.
  const f = parsed({
    allowAnySource,
    probe,
    dryRun,
    vms,
    ports,
    durationMinutes,
    source,
    waitTimeoutMs,
    pollIntervalMs,
    closeOnPost,
    ipProviders,
    cloud,
  });
  const config: JitConfig = {
    vms: Object.freeze([...f.vms.vms]),
    ports: Object.freeze([...f.ports.ports]),
    durationMinutes: f.durationMinutes,
    source: Object.freeze(f.source),
    allowAnySource: f.allowAnySource,
    ...(justification === undefined ? {} : { justification }),
    waitTimeoutMs: f.waitTimeoutMs,
    pollIntervalMs: f.pollIntervalMs,
    probe: f.probe,
    closeOnPost: f.closeOnPost,
    ipProviders: Object.freeze([...f.ipProviders]),
    cloud: Object.freeze({ ...f.cloud }),
    dryRun: f.dryRun,
  };
  return { config: Object.freeze(config), warnings: c.warnings };
}

/** `resource-group` and `vms`: a bad resource group is reported once, and bare names are then not blamed for it. */
function parseVmInputs(c: IssueCollector, raw: RawInputs, fe: FrontEnd): ParsedVms | undefined {
  const rgRaw = raw['resource-group'].trim();
  const rgProblem = rgRaw === '' ? undefined : resourceGroupProblem(rgRaw);
  if (rgProblem) c.add({ input: 'resource-group', value: raw['resource-group'], rule: rgProblem });
  const vms = c.field(() => parseVms('vms', raw.vms, rgProblem ? '(invalid)' : rgRaw));
  if (vms && vms.duplicates.length > 0) {
    c.warn(`${fe.input('vms')}: ignoring duplicate entries: ${vms.duplicates.join(', ')}`);
  }
  if (vms && rgRaw !== '' && vms.vms.every((v) => v.subscriptionId !== undefined)) {
    c.warn(`${fe.input('resource-group')} is ignored: every VM is given by its full resource ID`);
  }
  return vms;
}

/** `wait-timeout` and `poll-interval`, which must not exceed it. */
function parseTiming(c: IssueCollector, raw: RawInputs) {
  const waitTimeoutMs = c.field(() => parseWaitTimeoutMs('wait-timeout', raw['wait-timeout']));
  const pollIntervalMs = c.field(() => parsePollIntervalMs('poll-interval', raw['poll-interval']));
  if (typeof pollIntervalMs === 'number' && waitTimeoutMs !== undefined && pollIntervalMs > waitTimeoutMs) {
    c.add({
      input: 'poll-interval',
      value: raw['poll-interval'],
      rule: (fe) =>
        `is longer than ${fe.input('wait-timeout')} (${formatMs(waitTimeoutMs)}), so the wait could end before the first check`,
      hint: (fe) =>
        `lower ${fe.input('poll-interval')}, raise ${fe.input('wait-timeout')}, or use ${fe.setting('poll-interval', 'auto')}`,
    });
  }
  return { waitTimeoutMs, pollIntervalMs };
}

/** The parsed fields, each present: a field without a value and without an issue is a bug. */
function parsed<T extends Record<string, unknown>>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  if (Object.values(fields).some((v) => v === undefined))
    throw new Error('input parser returned no value without reporting an issue');
  return fields as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * Reads and validates every input; logs non-fatal warnings through the platform.
 * @throws InputError holding every problem found, before anything touches Azure.
 */
export function parseInputs(platform: Platform): JitConfig {
  const { config, warnings } = parseRawInputs(readRawInputs(platform), platform.frontEnd);
  for (const w of warnings) platform.warning(w);
  // The whole config holds no secret (no input does), and seeing it settles most support questions.
  platform.debug(`Inputs: ${JSON.stringify(config)}`);
  return config;
}
