/**
 * Where real Azure's behaviour is unknown (reference §7), the emulator can play each
 * plausible version of it. Every switch defaults to the behaviour the emulator had
 * before switches existed; tests sweep the others so the core is right under all.
 * See emulator/README.md ("Behaviour switches") for what each plays and why.
 */
export interface EmulatorBehaviour {
  /**
   * A newer request for the same VM and port. `replace`: the older request's rule goes and
   * its port entry becomes `Revoked`/`NewerRequestInitiated`. `coexist`: the newer request
   * adds its own rule; the older stays `Initiated` with its rule until its end time.
   */
  supersede: 'replace' | 'coexist';
  /**
   * `per-port`: one allow rule per requested port. `combined`: one allow rule per request per
   * NSG carrying all its ports (`destinationPortRanges` when several, as real deny rules are).
   */
  ruleLayout: 'per-port' | 'combined';
  /**
   * How the allow rule's source is written. `verbatim`: as requested; `cidr`: a bare IP as
   * `a.b.c.d/32`; `prefixes`: in `sourceAddressPrefixes` (array), `sourceAddressPrefix` absent.
   */
  sourceForm: 'verbatim' | 'cidr' | 'prefixes';
  /** `minimal`: the initiate 202 carries no `mappedPort` and no inferred source (history still does). */
  echo: 'full' | 'minimal';
  /** `rounded`: the stored request's `startTimeUtc` is the 202's truncated to whole seconds. */
  startTime: 'same' | 'rounded';
  /**
   * `serialized`: a write on an NSG while another write on it is in flight gets 409
   * `AnotherOperationInProgress` with `Retry-After`, as the Network RP answers.
   */
  nsgWrites: 'parallel' | 'serialized';
  /**
   * What a policy read shows of the request history. `all`: every request the policy ever had.
   * `newest`: only the policy's newest request (an older run's entry is gone once another
   * request is made). The emulator itself still remembers every request (expiry, supersession).
   */
  history: 'all' | 'newest';
}

export const DEFAULT_BEHAVIOUR: Readonly<EmulatorBehaviour> = Object.freeze({
  supersede: 'replace',
  ruleLayout: 'per-port',
  sourceForm: 'verbatim',
  echo: 'full',
  startTime: 'same',
  nsgWrites: 'parallel',
  history: 'all',
});

/** Each switch: its CLI flag, its values (the first is the default) and one line of help. */
export const BEHAVIOUR_SWITCHES: readonly {
  field: keyof EmulatorBehaviour;
  flag: string;
  values: readonly string[];
  help: string;
}[] = [
  {
    field: 'supersede',
    flag: '--supersede',
    values: ['replace', 'coexist'],
    help: 'coexist: a newer request for a VM+port adds its own rule; the older stays until its end time',
  },
  {
    field: 'ruleLayout',
    flag: '--rule-layout',
    values: ['per-port', 'combined'],
    help: 'combined: one allow rule per request per NSG with all its ports',
  },
  {
    field: 'sourceForm',
    flag: '--source-form',
    values: ['verbatim', 'cidr', 'prefixes'],
    help: "allow rule's source: as requested; a.b.c.d/32; in sourceAddressPrefixes",
  },
  {
    field: 'echo',
    flag: '--echo',
    values: ['full', 'minimal'],
    help: 'minimal: the initiate 202 has no mappedPort and no inferred source',
  },
  {
    field: 'startTime',
    flag: '--start-time',
    values: ['same', 'rounded'],
    help: "rounded: the stored startTimeUtc is the 202's rounded to whole seconds",
  },
  {
    field: 'nsgWrites',
    flag: '--nsg-writes',
    values: ['parallel', 'serialized'],
    help: 'serialized: a write on an NSG with another in flight gets 409 AnotherOperationInProgress',
  },
  {
    field: 'history',
    flag: '--history',
    values: ['all', 'newest'],
    help: "newest: a policy read shows only the policy's newest request in its history",
  },
];

/** The full behaviour from a partial one; throws on an unknown field or value. */
export function resolveBehaviour(partial: Partial<EmulatorBehaviour> = {}): EmulatorBehaviour {
  const out: Record<string, string> = { ...DEFAULT_BEHAVIOUR };
  for (const [field, value] of Object.entries(partial) as [string, unknown][]) {
    if (value === undefined) continue;
    const sw = BEHAVIOUR_SWITCHES.find((s) => s.field === field);
    if (!sw) {
      throw new Error(
        `Unknown emulator behaviour '${field}'; known: ${BEHAVIOUR_SWITCHES.map((s) => s.field).join(', ')}.`,
      );
    }
    if (typeof value !== 'string' || !sw.values.includes(value)) {
      throw new Error(
        `behaviour.${field} must be one of ${sw.values.join(', ')}; got ${JSON.stringify(value)}.`,
      );
    }
    out[field] = value;
  }
  return Object.freeze(out) as unknown as EmulatorBehaviour;
}
