/**
 * Renders the summary data as GitHub-flavoured Markdown, for GitHub's job
 * summary and the Azure Pipelines summary tab (both render GFM with inline
 * HTML). VM names, justifications, rule names and Azure's text are outside
 * text: every such value goes through `escapeMarkdown` so it can neither
 * break a table nor inject links, images or HTML.
 */
import {
  formatSeconds,
  formatUtc,
  relativeTo,
  shortRuleName,
  STATUS_TEXT,
  type MainRow,
  type MainSummary,
  type PostSummary,
  type Summary,
  type TargetStatus,
  type CloseResult,
} from './summary';

/** Escapes plain text for Markdown inline context, table cells included (one line, no HTML, no markup). */
export function escapeMarkdown(text: string): string {
  return escapeInline(text).trim();
}

function escapeInline(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`);
}

/**
 * Our messages mark code with backticks (`auto`, `PT15M`): those become code spans, the rest is
 * escaped. A stray backtick (from a value) makes the whole text plain, escaped.
 */
export function escapeProse(text: string): string {
  const parts = text.replace(/\r\n|\r|\n/g, ' ').split('`');
  if (parts.length % 2 === 0) return escapeMarkdown(text);
  return parts
    .map((p, i) => (i % 2 === 0 ? escapeInline(p) : `\`${p.replace(/\|/g, '\\|')}\``))
    .join('')
    .trim();
}

/** A link whose URL cannot end the Markdown link early or carry a script URL. */
function link(text: string, url: string): string {
  if (!/^https:\/\//i.test(url)) return escapeMarkdown(text);
  // Only unreserved and path characters stay; `(`, `)`, spaces, quotes and the rest are percent-encoded.
  const safe = url.replace(/[^A-Za-z0-9\-._~:/?#@$&+,;=%]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `[${escapeMarkdown(text)}](${safe})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

const MAIN_MARK: Readonly<Record<TargetStatus, string>> = {
  live: '✅',
  requested: '⏳',
  'would-request': '🔍',
  'timed-out': '⌛',
  superseded: '⚠️',
  failed: '❌',
};

const CLOSE_MARK: Readonly<Record<CloseResult, string>> = {
  deleted: '✅',
  'already gone': '➖',
  'kept: belongs to a newer request': '⚠️',
  "kept: not this run's": '⚠️',
  failed: '❌',
};

const MAIN_TITLE: Readonly<Record<MainSummary['outcome'], string>> = {
  live: '✅ JIT access is open',
  'dry-run': '🔍 JIT access: dry run, nothing was requested',
  unfinished: '⚠️ JIT access was requested but is not confirmed',
  failed: '❌ JIT access was not requested',
};

function liveAfter(row: MainRow): string {
  const times = row.rules.map((r) => r.liveAfterMs).filter((t): t is number => t !== undefined);
  return times.length === 0 ? '–' : formatSeconds(Math.max(...times));
}

function mainRow(row: MainRow, at: string): string[] {
  const expires = row.expiresAt
    ? `${escapeMarkdown(formatUtc(row.expiresAt))}<br>${escapeMarkdown(relativeTo(row.expiresAt, at))}`
    : '–';
  return [
    `${MAIN_MARK[row.status]} ${escapeMarkdown(STATUS_TEXT[row.status])}`,
    row.portalUrl ? link(row.vm, row.portalUrl) : escapeMarkdown(row.vm),
    escapeMarkdown(row.policy),
    escapeMarkdown(row.source),
    row.endpoints.map((e) => `\`${e.replace(/`/g, "'")}\``).join('<br>') || '–',
    expires,
    liveAfter(row),
  ];
}

function problems(summary: { readonly problems?: MainSummary['problems'] }): string[] {
  const list = summary.problems ?? [];
  if (list.length === 0) return [];
  return [
    '',
    table(
      ['What was wrong', 'How to fix it'],
      list.map((p) => [escapeProse(p.what), escapeProse(p.fix)]),
    ),
  ];
}

export function mainMarkdown(summary: MainSummary): string {
  const parts = [`### ${MAIN_TITLE[summary.outcome]}`];
  parts.push(...problems(summary));
  if (summary.rows.length > 0) {
    parts.push(
      '',
      table(
        ['Status', 'VM', 'Policy', 'Source', 'Connect to', 'Expires (UTC)', 'Live after'],
        summary.rows.map((r) => mainRow(r, summary.at)),
      ),
    );
  }
  const facts: string[] = [];
  if (summary.durationMinutes !== undefined) facts.push(`**Duration:** ${summary.durationMinutes} minutes`);
  if (summary.justification !== undefined)
    facts.push(`**Justification:** ${escapeMarkdown(summary.justification)}`);
  if (facts.length > 0) parts.push('', facts.join('<br>\n'));
  if (summary.notes && summary.notes.length > 0)
    parts.push('', ...summary.notes.map((n) => `- ${escapeMarkdown(n)}`));
  return `${parts.join('\n')}\n`;
}

export function postMarkdown(summary: PostSummary): string {
  const parts = ['### 🔒 JIT access closed'];
  if (summary.nothingToDo) parts.push('', escapeMarkdown(summary.nothingToDo));
  parts.push(...problems(summary));
  if (summary.closed.length > 0) {
    parts.push(
      '',
      table(
        ['Result', 'VM', 'Port', 'NSG', 'Rule'],
        summary.closed.map((c) => [
          `${CLOSE_MARK[c.result]} ${escapeMarkdown(c.result)}`,
          escapeMarkdown(c.vm),
          String(c.port),
          escapeMarkdown(c.nsg),
          `\`${shortRuleName(c.rule).replace(/`/g, "'")}\``,
        ]),
      ),
      '',
      '<details><summary>Full rule names</summary>',
      '',
      ...summary.closed.map((c) => `- ${escapeMarkdown(c.nsg)}: \`${c.rule.replace(/`/g, "'")}\``),
      '',
      '</details>',
    );
  }
  if (summary.remaining.length > 0) {
    parts.push(
      '',
      '**Still open** (JIT closes it by itself at the time shown):',
      '',
      table(
        ['VM', 'Port', 'Open until (UTC)', 'Why'],
        summary.remaining.map((r) => [
          escapeMarkdown(r.vm),
          r.port === undefined ? 'all' : String(r.port),
          `${escapeMarkdown(formatUtc(r.until))}<br>${escapeMarkdown(relativeTo(r.until, summary.at))}`,
          escapeMarkdown(r.reason),
        ]),
      ),
    );
  }
  if (!summary.nothingToDo && summary.closed.length === 0 && summary.remaining.length === 0)
    parts.push('', 'Nothing was open.');
  return `${parts.join('\n')}\n`;
}

export function summaryMarkdown(summary: Summary): string {
  return summary.kind === 'main' ? mainMarkdown(summary) : postMarkdown(summary);
}
