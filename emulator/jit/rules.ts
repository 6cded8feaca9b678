/**
 * NSG rule bookkeeping shared by the JIT engine and the Network routes: priority
 * allocation without collisions, etag refresh, and the rule objects JIT writes.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  key,
  type ArmState,
  type JitRuleOrigin,
  type NsgState,
  type SecurityRuleProperties,
  type SecurityRuleState,
} from '../arm/state';

/** Any change to an NSG (or one of its rules) gives it a new etag, as the Network RP does. */
export function touch(nsg: NsgState): void {
  nsg.etag = `W/"${randomUUID()}"`;
}

function usedPriorities(nsg: NsgState, direction: string): Set<number> {
  return new Set(
    nsg.rules.filter((r) => r.properties.direction === direction).map((r) => r.properties.priority),
  );
}

/** Allow rules go at the top: the lowest free inbound priority from 100 up (observed 100-140). */
export function freeAllowPriority(nsg: NsgState): number {
  const used = usedPriorities(nsg, 'Inbound');
  let p = 100;
  while (used.has(p) && p < 4096) p += 1;
  return p;
}

/** Deny rules go at the bottom: the highest free inbound priority from 4096 down. */
export function freeDenyPriority(nsg: NsgState): number {
  const used = usedPriorities(nsg, 'Inbound');
  let p = 4096;
  while (used.has(p) && p > 100) p -= 1;
  return p;
}

/**
 * The int32 in a JIT rule name. Observed: a VM's allow and deny rules share it and a
 * two-NIC VM has one per NIC, so it is derived from the VM and the protected IP.
 */
export function ruleInt(vmId: string, privateIp: string): number {
  return createHash('sha256')
    .update(`${key(vmId)}|${privateIp}`)
    .digest()
    .readInt32BE(0);
}

export interface JitRuleInput {
  name: string;
  description: string;
  access: 'Allow' | 'Deny';
  protocol: string;
  /** Exactly one of the two, as the Network RP stores a rule's source. */
  source: { sourceAddressPrefix: string } | { sourceAddressPrefixes: string[] };
  destinationAddressPrefix: string;
  ports: number[];
  priority: number;
  origin: JitRuleOrigin;
  provisioningState: SecurityRuleState['provisioningState'];
}

export function jitRule(input: JitRuleInput): SecurityRuleState {
  const ports = input.ports.map(String);
  const prefixes = 'sourceAddressPrefixes' in input.source ? input.source.sourceAddressPrefixes : [];
  return {
    name: input.name,
    provisioningState: input.provisioningState,
    jit: input.origin,
    properties: {
      description: input.description,
      protocol: input.protocol,
      sourcePortRange: '*',
      ...(ports.length === 1 ? { destinationPortRange: ports[0] } : {}),
      ...('sourceAddressPrefix' in input.source
        ? { sourceAddressPrefix: input.source.sourceAddressPrefix }
        : {}),
      destinationAddressPrefix: input.destinationAddressPrefix,
      access: input.access,
      priority: input.priority,
      direction: 'Inbound',
      sourcePortRanges: [],
      destinationPortRanges: ports.length === 1 ? [] : ports,
      sourceAddressPrefixes: prefixes,
      destinationAddressPrefixes: [],
    },
  };
}

/** A rule's destination ports rewritten the way the Network RP stores them (one: singular; several: plural). */
export function setDestinationPorts(props: SecurityRuleProperties, ports: number[]): void {
  const text = ports.map(String);
  delete props.destinationPortRange;
  if (text.length === 1 && text[0] !== undefined) props.destinationPortRange = text[0];
  props.destinationPortRanges = text.length === 1 ? [] : text;
}

/**
 * Shortest time a write holds an NSG under `nsgWrites: serialized` (virtual ms), so a
 * concurrent writer sees the 409 even when the rule delay is 0 (as in most tests).
 */
export const SERIALIZED_MIN_HOLD_MS = 1000;

/** Whether a write on this NSG would collide with one in flight (serialized writes only). */
export function nsgBusy(nsg: NsgState, nowMs: number): boolean {
  return nsg.busy !== undefined && nsg.busy.until > nowMs;
}

/**
 * Takes an NSG for a write until `until` (virtual ms) and registers that write as a Network
 * async operation, so the URL in a 409 can be polled like the real one. Returns its id.
 */
export function holdNsg(state: ArmState, nsg: NsgState, until: number, operationId = randomUUID()): string {
  state.operations.set(key(operationId), {
    doneAt: until,
    location: nsg.location,
    subscriptionId: nsg.subscriptionId,
  });
  nsg.busy = { until, operationId };
  return operationId;
}
