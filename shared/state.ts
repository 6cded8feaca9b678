/**
 * What main hands to post: a versioned JSON document saved as soon as `initiate`
 * is accepted (before the wait), so a cancelled main step can still be closed.
 * It records what was opened, never tokens: `serializeState` copies only the
 * known fields below, so a stray property (a credential, a client) can never
 * leak into the runner's state store by accident.
 *
 * `parseState` is defensive: post runs always, even after a main step that never
 * ran, crashed mid-write or was produced by an older/newer version of the tool.
 */
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
// serialize: explicit field copies (see the header comment)

function copyRule(r: StateRule): StateRule {
  return { nsgId: r.nsgId, name: r.name, port: r.port, destination: r.destination, source: r.source };
}

function copyVm(v: StateVm): StateVm {
  return {
    id: v.id,
    name: v.name,
    privateIps: [...v.privateIps],
    ports: [...v.ports],
    nsgIds: [...v.nsgIds],
    rules: v.rules.map(copyRule),
    ...(v.before ? { before: [...v.before] } : {}),
  };
}

function copyRequest(r: StateRequest): StateRequest {
  return {
    policyId: r.policyId,
    policyName: r.policyName,
    resourceGroup: r.resourceGroup,
    location: r.location,
    status: r.status,
    ...(r.startTimeUtc !== undefined ? { startTimeUtc: r.startTimeUtc } : {}),
    endTimeUtc: r.endTimeUtc,
    vms: r.vms.map(copyVm),
  };
}

export function serializeState(state: JitState): string {
  const copy: JitState = {
    version: STATE_VERSION,
    createdAt: state.createdAt,
    cloud: {
      name: state.cloud.name,
      resourceManager: state.cloud.resourceManager,
      authorityHost: state.cloud.authorityHost,
      scope: state.cloud.scope,
    },
    subscriptionIds: [...state.subscriptionIds],
    closeOnPost: state.closeOnPost,
    source:
      state.source.prefix === undefined
        ? { kind: state.source.kind }
        : { kind: state.source.kind, prefix: state.source.prefix },
    requests: state.requests.map(copyRequest),
  };
  return JSON.stringify(copy);
}

// ---------------------------------------------------------------------------
// parse: hand-written guards, each failure says which field was wrong

class Corrupt extends Error {}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Corrupt(`${path} is not an object`);
  return v as Obj;
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Corrupt(`${path}.${key} is not a string`);
  return v;
}

function arr<T>(o: Obj, key: string, path: string, item: (v: unknown, p: string) => T): T[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new Corrupt(`${path}.${key} is not an array`);
  return v.map((x, i) => item(x, `${path}.${key}[${i}]`));
}

function strItem(v: unknown, p: string): string {
  if (typeof v !== 'string') throw new Corrupt(`${p} is not a string`);
  return v;
}

function portItem(v: unknown, p: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535)
    throw new Corrupt(`${p} is not a port`);
  return v;
}

function isoDate(o: Obj, key: string, path: string): string {
  const v = str(o, key, path);
  if (Number.isNaN(Date.parse(v))) throw new Corrupt(`${path}.${key} is not a date`);
  return v;
}

function readRule(v: unknown, p: string): StateRule {
  const o = obj(v, p);
  const port = portItem(o.port, `${p}.port`);
  return {
    nsgId: str(o, 'nsgId', p),
    name: str(o, 'name', p),
    port,
    destination: str(o, 'destination', p),
    source: str(o, 'source', p),
  };
}

function readVm(v: unknown, p: string): StateVm {
  const o = obj(v, p);
  return {
    id: str(o, 'id', p),
    name: str(o, 'name', p),
    privateIps: arr(o, 'privateIps', p, strItem),
    ports: arr(o, 'ports', p, portItem),
    nsgIds: arr(o, 'nsgIds', p, strItem),
    rules: arr(o, 'rules', p, readRule),
    ...(o.before !== undefined ? { before: arr(o, 'before', p, strItem) } : {}),
  };
}

function requestStatus(o: Obj, p: string): 'pending' | 'accepted' {
  const v = str(o, 'status', p);
  if (v !== 'pending' && v !== 'accepted') throw new Corrupt(`${p}.status is not pending|accepted`);
  return v;
}

function readRequest(v: unknown, p: string): StateRequest {
  const o = obj(v, p);
  return {
    policyId: str(o, 'policyId', p),
    policyName: str(o, 'policyName', p),
    resourceGroup: str(o, 'resourceGroup', p),
    location: str(o, 'location', p),
    status: requestStatus(o, p),
    ...(o.startTimeUtc !== undefined ? { startTimeUtc: isoDate(o, 'startTimeUtc', p) } : {}),
    endTimeUtc: isoDate(o, 'endTimeUtc', p),
    vms: arr(o, 'vms', p, readVm),
  };
}

function readCloud(v: unknown, p: string): CloudEndpoints {
  const o = obj(v, p);
  return {
    name: str(o, 'name', p),
    resourceManager: str(o, 'resourceManager', p),
    authorityHost: str(o, 'authorityHost', p),
    scope: str(o, 'scope', p),
  };
}

function readSource(v: unknown, p: string): StateSource {
  const o = obj(v, p);
  const kind = str(o, 'kind', p);
  if (kind !== 'auto' && kind !== 'azure' && kind !== 'explicit')
    throw new Corrupt(`${p}.kind is not auto|azure|explicit`);
  if (o.prefix === undefined) return { kind };
  return { kind, prefix: str(o, 'prefix', p) };
}

function readV1(o: Obj): JitStateV1 {
  const p = 'state';
  const closeOnPost = str(o, 'closeOnPost', p);
  if (closeOnPost !== 'delete-rule' && closeOnPost !== 'none')
    throw new Corrupt(`${p}.closeOnPost is not delete-rule|none`);
  return {
    version: 1,
    createdAt: isoDate(o, 'createdAt', p),
    cloud: readCloud(o.cloud, `${p}.cloud`),
    subscriptionIds: arr(o, 'subscriptionIds', p, strItem),
    closeOnPost,
    source: readSource(o.source, `${p}.source`),
    requests: arr(o, 'requests', p, readRequest),
  };
}

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
  try {
    const o = obj(raw, 'state');
    const version = o.version;
    if (version !== STATE_VERSION) {
      return {
        ok: false,
        reason: 'unsupported-version',
        detail: `state version ${JSON.stringify(version) ?? 'undefined'} is not supported (this version reads ${STATE_VERSION}); main and post must run the same release`,
      };
    }
    return { ok: true, state: readV1(o) };
  } catch (e) {
    if (e instanceof Corrupt) return { ok: false, reason: 'corrupt', detail: e.message };
    return { ok: false, reason: 'corrupt', detail: String(e) };
  }
}
