/**
 * What main hands to post: a versioned JSON document saved as soon as `initiate`
 * is accepted (before the wait), so a cancelled main step can still be closed.
 * It records what was opened, never tokens: `serializeState` writes only the
 * fields of the schema below (valibot's object schema drops every other key), so
 * a stray property (a credential, a client) can never leak into the runner's
 * state store by accident.
 *
 * `parseState` checks the document against the same schema, the version as the
 * discriminant, and names the first bad field. It is defensive: post runs always, even after a main step that never
 * ran, crashed mid-write or was produced by an older/newer version of the tool.
 */
import * as v from 'valibot';
import type { CloseOnPost } from './config';
import type { StateKey } from './platform';
import type { CloudEndpoints } from './session';

export const STATE_KEY: StateKey = 'jit-state';
export const STATE_VERSION = 1;

/** One JIT allow rule as seen in an NSG (names are known once the wait found them). */
export interface StateRule {
  readonly nsgId: string;
  readonly name: string;
  readonly port: number;
  /** The VM's private IP the rule allows traffic to. */
  readonly destination: string;
  /** Source prefix the rule allows (what Azure actually wrote, e.g. for `source: azure`). */
  readonly source: string;
}

export interface StateVm {
  readonly id: string;
  readonly name: string;
  readonly privateIps: readonly string[];
  readonly ports: readonly number[];
  /** Every NSG on the VM's path (NIC and subnet). */
  readonly nsgIds: readonly string[];
  /** Empty until the rules were found (e.g. a cancelled wait); post then looks them up by source/port/destination. */
  readonly rules: readonly StateRule[];
  /**
   * Names (lower-case) of the JIT allow rules already in this VM's NSGs
   * before initiate: never this run's, so post never adopts them when it has
   * to find its rules by source, port and destination.
   */
  readonly before?: readonly string[];
}

/** One accepted `initiate` (one per JIT policy). */
export interface StateRequest {
  readonly policyId: string;
  readonly policyName: string;
  readonly resourceGroup: string;
  /** ascLocation of the policy. */
  readonly location: string;
  /**
   * `pending`: saved just before `initiate` was sent, so a lost answer or a
   * cancel is still closed by post; `accepted` once Azure answered 202.
   */
  readonly status: 'pending' | 'accepted';
  /** `startTimeUtc` as the 202 gave it (informational: our request is identified by VM, port, source and end time). */
  readonly startTimeUtc?: string;
  /** The end time we sent: with VM, port and source it identifies our entry in the policy's history. */
  readonly endTimeUtc: string;
  readonly vms: readonly StateVm[];
}

export type StateSourceKind = 'auto' | 'azure' | 'explicit';

export interface StateSource {
  readonly kind: StateSourceKind;
  /** The prefix sent (auto/explicit) or read back from the rule (azure); absent if never learnt. */
  readonly prefix?: string;
}

export interface JitStateV1 {
  readonly version: 1;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly cloud: CloudEndpoints;
  readonly subscriptionIds: readonly string[];
  readonly closeOnPost: CloseOnPost;
  readonly source: StateSource;
  readonly requests: readonly StateRequest[];
}

export type JitState = JitStateV1;

export type ParseStateResult =
  | { readonly ok: true; readonly state: JitState }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'corrupt' | 'unsupported-version';
      readonly detail: string;
    };

// ---------------------------------------------------------------------------
// the schema: one valibot schema per version, the version as the discriminant.
// Each message completes "<field path> ...", so a failure names the bad field.

const NOT_A_STRING = 'is not a string';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message a missing key gets: what its own schema says of `undefined`. */
function missingMessage(schema: v.GenericSchema): string {
  return v.safeParse(schema, undefined).issues?.[0]?.message ?? 'is missing';
}

/** An object of these entries; unknown keys are dropped from the output. */
function objectOf<const E extends Record<string, v.GenericSchema>>(entries: E) {
  return v.object(entries, (issue) => {
    const key = issue.path?.[issue.path.length - 1]?.key;
    const entry = typeof key === 'string' ? entries[key] : undefined;
    return entry ? missingMessage(entry) : 'is not an object';
  });
}

/** The same, refusing an array (which `v.object` would take for an object). */
function record<const E extends Record<string, v.GenericSchema>>(entries: E) {
  return v.pipe(v.custom<Record<string, unknown>>(isRecord, 'is not an object'), objectOf(entries));
}

const text = v.string(NOT_A_STRING);
const texts = v.array(text, 'is not an array');
const isoDate = v.pipe(
  text,
  v.check((s) => !Number.isNaN(Date.parse(s)), 'is not a date'),
);
const port = v.pipe(
  v.number('is not a port'),
  v.integer('is not a port'),
  v.minValue(0, 'is not a port'),
  v.maxValue(65535, 'is not a port'),
);
const list = <S extends v.GenericSchema>(item: S) => v.array(item, 'is not an array');

const RULE = record({
  nsgId: text,
  name: text,
  port,
  destination: text,
  source: text,
});

const VM = record({
  id: text,
  name: text,
  privateIps: texts,
  ports: list(port),
  nsgIds: texts,
  rules: list(RULE),
  before: v.exactOptional(texts),
});

const REQUEST = record({
  policyId: text,
  policyName: text,
  resourceGroup: text,
  location: text,
  status: v.picklist(['pending', 'accepted'], 'is not pending|accepted'),
  startTimeUtc: v.exactOptional(isoDate),
  endTimeUtc: isoDate,
  vms: list(VM),
});

const STATE_V1 = objectOf({
  version: v.literal(1),
  createdAt: isoDate,
  cloud: record({ name: text, resourceManager: text, authorityHost: text, scope: text }),
  subscriptionIds: texts,
  closeOnPost: v.picklist(['delete-rule', 'none'], 'is not delete-rule|none'),
  source: record({
    kind: v.picklist(['auto', 'azure', 'explicit'], 'is not auto|azure|explicit'),
    prefix: v.exactOptional(text),
  }),
  requests: list(REQUEST),
});

/** Every version this release reads, told apart by `version`. */
const STATE = v.variant('version', [STATE_V1]);

/** The schema yields exactly a JitState (up to `readonly` and `?`), or this fails to compile. */
type Writable<T> = T extends readonly (infer U)[]
  ? Writable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]-?: Writable<T[K]> }
    : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SCHEMA_MATCHES_TYPES: Same<Writable<v.InferOutput<typeof STATE>>, Writable<JitState>> = true;
void SCHEMA_MATCHES_TYPES;

/** `state.requests[0].vms[0].ports[0]`: where an issue is, from the document's root. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).reduce<string>(
    (p, item) => (typeof item.key === 'number' ? `${p}[${item.key}]` : `${p}.${String(item.key)}`),
    'state',
  );
}

// ---------------------------------------------------------------------------
// serialize: only the schema's fields (valibot's object drops the rest)

export function serializeState(state: JitState): string {
  const known = v.safeParse(STATE, state);
  if (!known.success) {
    // Our own code built it: a state post could not read back is a bug, said here, not at post.
    const issue = known.issues[0];
    throw new Error(`refusing to save an unreadable state: ${pathOf(issue)} ${issue.message}`);
  }
  return JSON.stringify(known.output);
}

// ---------------------------------------------------------------------------
// parse

/** Never throws: post decides what each failure means (missing = nothing to do). */
export function parseState(text: string): ParseStateResult {
  if (text.trim() === '')
    return { ok: false, reason: 'missing', detail: 'no state was saved (main did not open anything)' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      reason: 'corrupt',
      detail: `not JSON: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (!isRecord(raw)) return { ok: false, reason: 'corrupt', detail: 'state is not an object' };
  const parsed = v.safeParse(STATE, raw);
  if (parsed.success) return { ok: true, state: parsed.output };
  const issue = parsed.issues[0];
  if (issue.type === 'variant') {
    return {
      ok: false,
      reason: 'unsupported-version',
      detail: `state version ${JSON.stringify(raw.version) ?? 'undefined'} is not supported (this version reads ${STATE_VERSION}); main and post must run the same release`,
    };
  }
  return { ok: false, reason: 'corrupt', detail: `${pathOf(issue)} ${issue.message}` };
}
