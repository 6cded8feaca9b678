/**
 * Text we echo from Azure or from users goes into runner logs, which parse
 * commands out of log lines: GitHub `::command::` at the start of a line, Azure
 * Pipelines `##vso[...]` and `##[...]`. A VM name, an Azure error message or a
 * justification must never be able to set a variable, mask, or fail the step,
 * so `sanitize` keeps it on one line and breaks the command markers.
 */

const DEFAULT_MAX = 1000;

export function sanitize(value: string, max = DEFAULT_MAX): string {
  const oneLine = value
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ⏎ ')
    // other control characters (ANSI escapes could hide or fake log text)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '�');
  const defused = oneLine.replace(/##(vso)?\[/gi, (m) => `#\u200b${m.slice(1)}`).replace(/^::/, ' ::');
  return defused.length > max ? `${defused.slice(0, max)}…` : defused;
}
