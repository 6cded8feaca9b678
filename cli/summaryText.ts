/**
 * The run summary for a terminal: a title, an aligned text table, a few
 * plain lines. Text is shown exactly as Azure and the user wrote it (a VM
 * named `web_01` prints as `web_01`); control characters are dropped so a
 * name read from Azure cannot move the cursor or recolour the terminal.
 */
import {
  formatSeconds,
  formatUtc,
  relativeTo,
  shortRuleName,
  STATUS_TEXT,
  type MainSummary,
  type PostSummary,
  type Summary,
} from '../shared';
import { printable, textTable } from './textTable';

const clean = printable;

function titled(title: string): string[] {
  return [title, '-'.repeat(title.length)];
}

const MAIN_TITLE: Readonly<Record<MainSummary['outcome'], string>> = {
  live: 'JIT access is open',
  'dry-run': 'JIT access: dry run, nothing was requested',
  unfinished: 'JIT access was requested but is not confirmed',
  failed: 'JIT access was not requested',
};

function problemLines(summary: Summary): string[] {
  return (summary.problems ?? []).flatMap((p) => [
    '',
    `Problem: ${clean(p.what)}`,
    `Fix:     ${clean(p.fix)}`,
  ]);
}

export function mainText(summary: MainSummary): string {
  const lines = titled(MAIN_TITLE[summary.outcome]);
  lines.push(...problemLines(summary));
  if (summary.rows.length > 0) {
    lines.push(
      '',
      textTable(
        ['Status', 'VM', 'Policy', 'Source', 'Connect to', 'Expires', 'Live after'],
        summary.rows.map((r) => {
          const times = r.rules.map((x) => x.liveAfterMs).filter((t): t is number => t !== undefined);
          return [
            STATUS_TEXT[r.status],
            r.vm,
            r.policy,
            r.source,
            r.endpoints.join(', ') || '-',
            r.expiresAt ? `${formatUtc(r.expiresAt)} (${relativeTo(r.expiresAt, summary.at)})` : '-',
            times.length > 0 ? formatSeconds(Math.max(...times)) : '-',
          ];
        }),
      ),
    );
  }
  if (summary.durationMinutes !== undefined) lines.push('', `Duration: ${summary.durationMinutes} minutes`);
  if (summary.justification !== undefined) lines.push(`Justification: ${clean(summary.justification)}`);
  for (const n of summary.notes ?? []) lines.push(`- ${clean(n)}`);
  return lines.join('\n');
}

export function postText(summary: PostSummary): string {
  const lines = titled('JIT access closed');
  if (summary.nothingToDo) lines.push('', clean(summary.nothingToDo));
  lines.push(...problemLines(summary));
  if (summary.closed.length > 0) {
    lines.push(
      '',
      textTable(
        ['Result', 'VM', 'Port', 'NSG', 'Rule'],
        summary.closed.map((c) => [c.result, c.vm, String(c.port), c.nsg, shortRuleName(c.rule)]),
      ),
    );
  }
  if (summary.remaining.length > 0) {
    lines.push(
      '',
      'Still open (JIT closes it by itself at the time shown):',
      textTable(
        ['VM', 'Port', 'Open until', 'Why'],
        summary.remaining.map((r) => [
          r.vm,
          r.port === undefined ? 'all' : String(r.port),
          `${formatUtc(r.until)} (${relativeTo(r.until, summary.at)})`,
          r.reason,
        ]),
      ),
    );
  }
  if (!summary.nothingToDo && summary.closed.length === 0 && summary.remaining.length === 0)
    lines.push('', 'Nothing was open.');
  return lines.join('\n');
}

export function summaryText(summary: Summary): string {
  return summary.kind === 'main' ? mainText(summary) : postText(summary);
}
