/**
 * From observations to the emulator's switch values. Each function says which
 * value real Azure showed, `other` when it showed something none of the
 * emulator's values plays (the evidence then says what), or `undetermined`
 * when the run could not tell. Pure: the probe gathers, these decide.
 *
 * The switch names and values are the emulator's (emulator/behaviour.ts), written
 * out here because the core shares no code with the emulator; a test checks
 * that both lists agree.
 */
import type { ProbeRule } from './rules';

export const SWITCHES = {
  supersede: { flag: '--supersede', field: 'supersede', values: ['replace', 'coexist'] },
  'rule-layout': { flag: '--rule-layout', field: 'ruleLayout', values: ['per-port', 'combined'] },
  'source-form': { flag: '--source-form', field: 'sourceForm', values: ['verbatim', 'cidr', 'prefixes'] },
  echo: { flag: '--echo', field: 'echo', values: ['full', 'minimal'] },
  'start-time': { flag: '--start-time', field: 'startTime', values: ['same', 'rounded'] },
  'nsg-writes': { flag: '--nsg-writes', field: 'nsgWrites', values: ['parallel', 'serialized'] },
  history: { flag: '--history', field: 'history', values: ['all', 'newest'] },
} as const;

export type SwitchName = keyof typeof SWITCHES;
export const SWITCH_NAMES = Object.keys(SWITCHES) as SwitchName[];

export interface Finding {
  /** One of the switch's values, `other` or `undetermined`. */
  readonly value: string;
  /** What was seen, in a sentence. */
  readonly evidence: string;
}

const undetermined = (evidence: string): Finding => ({ value: 'undetermined', evidence });

/** Rule layout from step 1's rules (one request, two ports, one source), per NSG. */
export function classifyLayout(
  rules: readonly ProbeRule[],
  ports: readonly number[],
  nsgCount: number,
): Finding {
  if (rules.length === 0) return undetermined('step 1 left no allow rule to look at');
  const byNsg = new Map<string, ProbeRule[]>();
  for (const r of rules) byNsg.set(r.nsgId.toLowerCase(), [...(byNsg.get(r.nsgId.toLowerCase()) ?? []), r]);
  const shapes = [...byNsg.values()].map((rs) =>
    rs.length === 1 && ports.every((p) => rs[0]?.ports.includes(p))
      ? 'combined'
      : rs.length === ports.length && rs.every((r) => r.ports.length === 1)
        ? 'per-port'
        : 'other',
  );
  const text = [...byNsg.values()]
    .map((rs) => `${rs[0]?.nsgName ?? '?'}: ${rs.map((r) => `[${r.ports.join(',')}]`).join(' ')}`)
    .join('; ');
  const value = shapes.every((s) => s === shapes[0]) ? (shapes[0] ?? 'other') : 'other';
  const partial = byNsg.size < nsgCount ? ` (only ${byNsg.size} of ${nsgCount} NSGs had rules)` : '';
  return {
    value,
    evidence: `a request for ports ${ports.join(' and ')} gave ${rules.length} allow rule(s): ${text}${partial}`,
  };
}

function written(r: ProbeRule): string {
  return r.sourcePrefix !== undefined
    ? `sourceAddressPrefix '${r.sourcePrefix}'`
    : `sourceAddressPrefixes [${r.sourcePrefixes.map((s) => `'${s}'`).join(', ')}]`;
}

function formOf(r: ProbeRule, sent: string): 'verbatim' | 'cidr' | 'prefixes' | 'other' {
  const bare = sent.replace(/\/32$/, '');
  if (r.sourcePrefix !== undefined && r.sourcePrefixes.length === 0) {
    if (r.sourcePrefix === sent) return 'verbatim';
    if (r.sourcePrefix === `${bare}/32`) return 'cidr';
    return 'other';
  }
  if (r.sourcePrefix === undefined && r.sourcePrefixes.length === 1 && r.sourcePrefixes[0] === sent)
    return 'prefixes';
  return 'other';
}

/**
 * How the source is written, from a bare IP (step 1) and its /32 (step 3):
 * `verbatim` writes each as sent, `cidr` writes the IP as `/32`, `prefixes` puts
 * the value as sent in `sourceAddressPrefixes`.
 */
export function classifySourceForm(
  ipRules: readonly ProbeRule[],
  ip: string,
  cidrRules: readonly ProbeRule[],
  cidr: string,
): Finding {
  if (ipRules.length === 0) return undetermined(`no allow rule for source ${ip} to look at`);
  const ipForms = new Set(ipRules.map((r) => formOf(r, ip)));
  const cidrForms = new Set(cidrRules.map((r) => formOf(r, cidr)));
  const [ipForm] = ipForms;
  const evidence =
    `${ip} was written as ${written(ipRules[0] as ProbeRule)}` +
    (cidrRules[0] ? `; ${cidr} as ${written(cidrRules[0])}` : `; no rule for ${cidr} to compare`);
  if (ipForms.size !== 1 || ipForm === undefined || ipForm === 'other') return { value: 'other', evidence };
  // A /32 is written as sent under all three; anything else is a form the emulator lacks.
  const cidrAs = ipForm === 'prefixes' ? 'prefixes' : 'verbatim';
  if (cidrForms.size > 1 || (cidrForms.size === 1 && !cidrForms.has(cidrAs)))
    return { value: 'other', evidence };
  return { value: ipForm, evidence };
}

export interface SupersedeObservation {
  /** The older request's entry for the shared port in the stored history. */
  readonly olderStatus?: string;
  readonly olderReason?: string;
  /** Whether the older request's rule still covers the shared port once the newer one is live. */
  readonly olderRuleStays: boolean;
  readonly newerLive: boolean;
}

export function classifySupersede(o: SupersedeObservation): Finding {
  if (!o.newerLive) return undetermined("the second request's rule never went live");
  const entry = o.olderStatus
    ? `read ${o.olderStatus}${o.olderReason ? `/${o.olderReason}` : ''}`
    : 'was no longer listed';
  const evidence = `after a second request for the same VM and port from another source, the first request's entry ${entry} and its allow rule ${o.olderRuleStays ? 'stayed' : 'was gone'}`;
  const status = o.olderStatus?.toLowerCase();
  if (status === 'revoked' && o.olderReason === 'NewerRequestInitiated' && !o.olderRuleStays)
    return { value: 'replace', evidence };
  if (status === 'initiated' && o.olderRuleStays) return { value: 'coexist', evidence };
  // A history that lists only the newest request (see classifyHistory) leaves the rule to tell.
  if (status === undefined) return { value: o.olderRuleStays ? 'coexist' : 'replace', evidence };
  return { value: 'other', evidence };
}

/** Which of the probe's accepted requests (oldest first) the last read of the policy's history listed. */
export interface HistoryObservation {
  readonly listed: readonly boolean[];
}

export function classifyHistory(o: HistoryObservation | undefined): Finding {
  const listed = o?.listed ?? [];
  if (listed.length < 2)
    return undetermined("fewer than two of the probe's requests were accepted: nothing older to look for");
  const numbers = listed.flatMap((l, i) => (l ? [i + 1] : []));
  const evidence = `after ${listed.length} accepted requests the policy's history listed ${
    numbers.length === listed.length ? 'all of them' : `request(s) ${numbers.join(', ') || 'none'} of them`
  }`;
  if (numbers.length === listed.length) return { value: 'all', evidence };
  if (numbers.length === 1 && numbers[0] === listed.length) return { value: 'newest', evidence };
  return { value: 'other', evidence };
}

/** Per accepted request: the keys Azure stored per port and which of them the 202 carried. */
export interface EchoObservation {
  /** Keys we did not send that the stored request has (e.g. `mappedPort`). */
  readonly storedExtra: readonly string[];
  /** Those of them the 202 body also had. */
  readonly echoed: readonly string[];
}

export function classifyEcho(observations: readonly EchoObservation[]): Finding {
  const extra = [...new Set(observations.flatMap((o) => o.storedExtra))];
  if (extra.length === 0) {
    return undetermined(
      'the stored requests hold nothing beyond what was sent (no mappedPort: the VM is not behind an Azure Firewall JIT rule), ' +
        'and the probe never sends a request without a source (that would open the port to this machine)',
    );
  }
  const missing = observations.flatMap((o) => o.storedExtra.filter((k) => !o.echoed.includes(k)));
  if (missing.length === 0)
    return { value: 'full', evidence: `the 202 carried ${extra.join(', ')} as the stored request does` };
  if (observations.every((o) => o.echoed.length === 0))
    return { value: 'minimal', evidence: `the stored request has ${extra.join(', ')}; the 202 did not` };
  return { value: 'other', evidence: `the 202 carried some of ${extra.join(', ')} but not all` };
}

/** startTimeUtc as the 202 said it and as the stored request says it (raw text). */
export interface StartTimeObservation {
  readonly returned: string;
  readonly stored?: string;
}

const wholeSeconds = (t: string): string => `${t.slice(0, 19)}Z`;

export function classifyStartTime(observations: readonly StartTimeObservation[]): Finding {
  const pairs = observations.filter((o): o is Required<StartTimeObservation> => o.stored !== undefined);
  if (pairs.length === 0) return undetermined('no stored request to compare with the 202');
  const shown = pairs.map((p) => `${p.returned} -> ${p.stored}`).join('; ');
  if (pairs.every((p) => p.stored === p.returned))
    return { value: 'same', evidence: `stored startTimeUtc equals the 202's (${shown})` };
  if (pairs.every((p) => p.stored === wholeSeconds(p.returned) || p.stored === p.returned))
    return { value: 'rounded', evidence: `stored startTimeUtc is the 202's in whole seconds (${shown})` };
  return { value: 'other', evidence: `202 -> stored: ${shown}` };
}

export interface NsgWritesObservation {
  /** Whether two deletes on one NSG were sent at the same time. */
  readonly concurrentPair: boolean;
  /** 409 AnotherOperationInProgress answers to any of the probe's deletes. */
  readonly conflicts: number;
  readonly nsgName?: string;
}

export function classifyNsgWrites(o: NsgWritesObservation): Finding {
  if (o.conflicts > 0)
    return {
      value: 'serialized',
      evidence: `${o.conflicts} delete(s) got 409 AnotherOperationInProgress${o.nsgName ? ` on ${o.nsgName}` : ''}`,
    };
  if (!o.concurrentPair)
    return undetermined("there were never two of the probe's rules in one NSG to delete at once");
  return {
    value: 'parallel',
    evidence: `two concurrent deletes on ${o.nsgName ?? 'one NSG'} were both accepted`,
  };
}

export interface Stats {
  readonly samples: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

export function stats(samples: readonly number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return {
    samples: s.length,
    minMs: s[0] as number,
    medianMs: Math.round(median),
    maxMs: s[s.length - 1] as number,
  };
}

/** The emulator's command line (and startEmulator behaviour) that plays what was found. */
export function emulatorFlags(
  findings: Readonly<Record<SwitchName, Finding>>,
  delay: Stats | undefined,
): { args: string[]; behaviour: Record<string, string>; unmatched: SwitchName[]; command: string } {
  const args: string[] = [];
  const behaviour: Record<string, string> = {};
  const unmatched: SwitchName[] = [];
  for (const name of SWITCH_NAMES) {
    const sw = SWITCHES[name];
    const value = findings[name].value;
    if ((sw.values as readonly string[]).includes(value)) {
      args.push(sw.flag, value);
      behaviour[sw.field] = value;
    } else unmatched.push(name);
  }
  if (delay) {
    args.push(
      '--rule-delay-ms',
      String(delay.minMs),
      '--rule-delay-jitter-ms',
      String(delay.maxMs - delay.minMs),
    );
  }
  return { args, behaviour, unmatched, command: `npm run emulator -- ${args.join(' ')}` };
}
