/**
 * The CLI's one aligned text table (summaries, `status`, `audit`, `close`).
 * Cells are shown as they are, control characters excepted: a name read from
 * Azure must not move the cursor or recolour the terminal.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text from outside (Azure, the user) with control characters blanked. */
export const printable = (text: string): string => text.replace(CONTROL, ' ');

export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [head, ...rows].map((r) => r.map(printable));
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [first = [], ...body] = all;
  return [line(first), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
