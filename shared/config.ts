/**
 * The typed, frozen result of reading the inputs once (`parseInputs`). Nothing
 * below the parser reads inputs; everything takes a `JitConfig`.
 */
import type { CloudEndpoints } from './session';

/** Where the allowed source address comes from. */
export type SourceSpec =
  /** Resolve this agent's public IP through several providers and require agreement. */
  | { readonly kind: 'auto' }
  /** Omit `allowedSourceAddressPrefix`: JIT uses the IP the initiate call comes from. */
  | { readonly kind: 'azure' }
  /** An explicit IP or CIDR, sent verbatim (JIT matches prefixes verbatim), or `*` with the opt-in. */
  | { readonly kind: 'explicit'; readonly prefix: string };

/** A VM as the user named it. `subscriptionId` is filled from the session when only a name was given. */
export interface VmRef {
  /** The text the user wrote, for error messages. */
  readonly input: string;
  readonly name: string;
  readonly resourceGroup: string;
  /** Absent when the user gave a name: the session's subscription is used. */
  readonly subscriptionId?: string;
}

export type CloseOnPost = 'delete-rule' | 'none';

/**
 * Which targets get a TCP connect before ready is reported: `auto` those
 * reached through Azure Firewall (JIT's DNAT rule there is not observable, an
 * NSG rule on the path proves only half of it), `always` every one, `never` none.
 */
export type ProbeMode = 'auto' | 'always' | 'never';

export interface JitConfig {
  readonly vms: readonly VmRef[];
  /** Distinct, in the order given. */
  readonly ports: readonly number[];
  readonly durationMinutes: number;
  readonly source: SourceSpec;
  readonly allowAnySource: boolean;
  /** Undefined: build one from the run metadata. */
  readonly justification?: string;
  readonly waitTimeoutMs: number;
  /** A fixed poll interval, or 'auto' (adaptive). */
  readonly pollIntervalMs: number | 'auto';
  readonly probe: ProbeMode;
  readonly closeOnPost: CloseOnPost;
  readonly ipProviders: readonly string[];
  readonly cloud: CloudEndpoints;
  readonly dryRun: boolean;
}
