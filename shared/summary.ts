/**
 * The Markdown the run adds to its summary page (GitHub step summary, Azure
 * Pipelines "Extensions" tab, the CLI prints it). Main reports one row per VM;
 * post reports what it closed and what is still open, and until when.
 * Every cell is escaped: VM names and Azure text must not break the table or
 * inject markup.
 */

export type TargetStatus = 'live' | 'requested' | 'would-request' | 'timed-out' | 'superseded' | 'failed';

const STATUS_TEXT: Record<TargetStatus, string> = {
  live: 'live',
  requested: 'requested, not confirmed yet',
  'would-request': 'dry run: would request',
  'timed-out': 'timed out waiting for the rule',
  superseded: 'superseded by a newer request',
  failed: 'failed',
};

export interface SummaryRow {
  readonly vm: string;
  readonly ports: readonly number[];
  readonly source: string;
  /** Where to connect: public IP, FQDN, firewall IP:mappedPort, or private IP. */
  readonly host: string;
  /** ISO 8601 UTC; absent for a dry run. */
  readonly expiresAt?: string;
  readonly status: TargetStatus;
}

export interface MainSummary {
  readonly rows: readonly SummaryRow[];
  readonly dryRun?: boolean;
  /** Extra lines under the table (e.g. the justification, warnings). */
  readonly notes?: readonly string[];
}

export type CloseResult = 'deleted' | 'already gone' | 'kept: belongs to a newer request' | 'failed';

export interface ClosedRow {
  readonly vm: string;
  readonly port: number;
  readonly nsg: string;
  readonly rule: string;
  readonly result: CloseResult;
}

export interface RemainingRow {
  readonly vm: string;
  readonly port?: number;
  /** ISO 8601 UTC: when JIT closes it by itself. */
  readonly until: string;
  /** Why it is still open, e.g. "close-on-post: none", "no permission to delete (403)". */
  readonly reason: string;
}

export interface PostSummary {
  readonly closed: readonly ClosedRow[];
  readonly remaining: readonly RemainingRow[];
  /** Set when post had nothing to do (e.g. no state: main opened nothing). */
  readonly nothingToDo?: string;
}

/** Escapes text for one Markdown table cell. */
export function escapeCell(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\|`*_[\]<>#~]/g, (c) => `\\${c}`)
    .trim();
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** `2026-11-22T01:15:00.000Z` → `2026-11-22 01:15 UTC`; other text is shown as given. */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function renderMainSummary(summary: MainSummary): string {
  const title = summary.dryRun ? '### JIT access: dry run (nothing was requested)' : '### JIT access';
  const rows = summary.rows.map((r) => [
    r.vm,
    r.ports.join(', '),
    r.source,
    r.host,
    r.expiresAt ? formatUtc(r.expiresAt) : '-',
    STATUS_TEXT[r.status],
  ]);
  const parts = [title, '', table(['VM', 'Ports', 'Source', 'Host', 'Expires', 'Status'], rows)];
  if (summary.notes && summary.notes.length > 0)
    parts.push('', ...summary.notes.map((n) => `- ${escapeCell(n)}`));
  return `${parts.join('\n')}\n`;
}

export function renderPostSummary(summary: PostSummary): string {
  const parts = ['### JIT access: closing'];
  if (summary.nothingToDo) parts.push('', escapeCell(summary.nothingToDo));
  if (summary.closed.length > 0) {
    parts.push(
      '',
      table(
        ['VM', 'Port', 'NSG', 'Rule', 'Result'],
        summary.closed.map((c) => [c.vm, String(c.port), c.nsg, c.rule, c.result]),
      ),
    );
  }
  if (summary.remaining.length > 0) {
    parts.push(
      '',
      'Still open (JIT closes it by itself at the time shown):',
      '',
      table(
        ['VM', 'Port', 'Open until', 'Why'],
        summary.remaining.map((r) => [
          r.vm,
          r.port === undefined ? 'all' : String(r.port),
          formatUtc(r.until),
          r.reason,
        ]),
      ),
    );
  }
  if (!summary.nothingToDo && summary.closed.length === 0 && summary.remaining.length === 0) {
    parts.push('', 'Nothing was open.');
  }
  return `${parts.join('\n')}\n`;
}
