/**
 * The core writes its run summary as Markdown (for GitHub's step summary and
 * Azure DevOps' summary tab). A terminal shows it as text: headings
 * underlined, tables aligned, inline code and emphasis marks dropped.
 */

function plain(text: string): string {
  return text
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\\\|/g, '|');
}

function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  // Split on pipes that are not escaped (`\|` stays part of the cell).
  return inner.split(/(?<!\\)\|/).map((c) => plain(c.trim()));
}

const isSeparator = (row: string): boolean =>
  /^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(row.trim());

function renderTable(rows: string[]): string[] {
  const parsed = rows.filter((r) => !isSeparator(r)).map(cells);
  const widths: number[] = [];
  for (const row of parsed) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (row: string[]): string =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = parsed;
  if (!head) return [];
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

export function markdownToText(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim().startsWith('|')) {
      const table: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) table.push(lines[i++] ?? '');
      i--;
      out.push(...renderTable(table));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const title = plain(heading[2] ?? '');
      out.push(title, (heading[1] === '#' ? '=' : '-').repeat(title.length));
      continue;
    }
    out.push(plain(line.replace(/^\s*[-*]\s+/, '- ')));
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
