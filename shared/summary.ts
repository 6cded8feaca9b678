/**
 * The run's summary as data. The core fills these objects; each front-end
 * renders them its own way (`Platform.appendSummary`): Markdown for GitHub's
 * job summary and the Azure Pipelines summary tab (`summaryMarkdown.ts`), an
 * aligned text table for a terminal (`cli/summaryText.ts`), the object itself
 * for `--json`. Text in here is plain, never Markdown: renderers escape it.
 */

export type TargetStatus = 'live' | 'requested' | 'would-request' | 'timed-out' | 'superseded' | 'failed';

/** One JIT allow rule main waited for. */
export interface LiveRule {
  readonly nsg: string;
  readonly rule: string;
  readonly port: number;
  /** How long after the request was accepted the rule was seen live (ms). */
  readonly liveAfterMs?: number;
}

export interface MainRow {
  readonly vm: string;
  /** The JIT policy covering the VM. */
  readonly policy: string;
  readonly ports: readonly number[];
  readonly source: string;
  /** Where to connect: host:port (public IP, FQDN, firewall IP:mappedPort, or private IP). */
  readonly endpoints: readonly string[];
  /** ISO 8601 UTC; absent for a dry run. */
  readonly expiresAt?: string;
  readonly status: TargetStatus;
  readonly rules: readonly LiveRule[];
  /** The VM's page in the portal of its cloud (absent for a custom cloud). */
  readonly portalUrl?: string;
}

/** A problem that stopped the run, and what fixes it. */
export interface SummaryProblem {
  readonly what: string;
  readonly fix: string;
}

export interface MainSummary {
  readonly kind: 'main';
  /** live: access is open; dry-run: nothing requested; unfinished: requested, not confirmed; failed: nothing requested. */
  readonly outcome: 'live' | 'dry-run' | 'unfinished' | 'failed';
  /** When the summary was made (ISO 8601), for "in 15 min". */
  readonly at: string;
  readonly rows: readonly MainRow[];
  readonly justification?: string;
  readonly durationMinutes?: number;
  readonly problems?: readonly SummaryProblem[];
  /** Plain sentences under the table. */
  readonly notes?: readonly string[];
}

export type CloseResult =
  'deleted' | 'already gone' | 'kept: belongs to a newer request' | "kept: not this run's" | 'failed';

export interface ClosedRow {
  readonly vm: string;
  readonly port: number;
  readonly nsg: string;
  /** Full rule name (`SecurityCenter-JITRule-…`). */
  readonly rule: string;
  readonly result: CloseResult;
}

export interface RemainingRow {
  readonly vm: string;
  readonly port?: number;
  /** ISO 8601 UTC: when JIT closes it by itself. */
  readonly until: string;
  /** Why it is still open, e.g. "close-on-post is none", "no permission to delete (403)". */
  readonly reason: string;
}

export interface PostSummary {
  readonly kind: 'post';
  readonly at: string;
  readonly closed: readonly ClosedRow[];
  readonly remaining: readonly RemainingRow[];
  /** Set when post had nothing to do (e.g. no state: main opened nothing). */
  readonly nothingToDo?: string;
  readonly problems?: readonly SummaryProblem[];
}

export type Summary = MainSummary | PostSummary;

export const STATUS_TEXT: Readonly<Record<TargetStatus, string>> = {
  live: 'live',
  requested: 'requested, not confirmed yet',
  'would-request': 'dry run: would request',
  'timed-out': 'timed out waiting for the rule',
  superseded: 'superseded by a newer request',
  failed: 'failed',
};

/** One helper each for the UTC and the relative form of a time (shared/time.ts), re-exported where the summaries always took them. */
export { formatUtc, relativeTo } from './time';

/** `4.1 s`, `1 min 5 s`. */
export function formatSeconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `SecurityCenter-JITRule-1149946736-1FD2B2C1B6E1A0A7E3B37AD0B7B9B1E2` → `JITRule-…B9B1E2`. */
export function shortRuleName(name: string): string {
  const m = /^SecurityCenter-JITRule-(?:[^-]*-)?(.+)$/i.exec(name);
  if (!m) return name.length > 24 ? `${name.slice(0, 12)}…${name.slice(-8)}` : name;
  const tail = m[1] ?? '';
  return `JITRule-…${tail.slice(-6)}`;
}

/** The VM's page in the portal of the cloud whose Resource Manager is `resourceManager`. */
export function portalUrl(resourceManager: string, vmId: string): string | undefined {
  const portal = PORTALS[resourceManager.replace(/\/+$/, '').toLowerCase()];
  return portal ? `${portal}/#@/resource${vmId}/configuration` : undefined;
}

const PORTALS: Readonly<Record<string, string>> = {
  'https://management.azure.com': 'https://portal.azure.com',
  'https://management.usgovcloudapi.net': 'https://portal.azure.us',
  'https://management.chinacloudapi.cn': 'https://portal.azure.cn',
};
