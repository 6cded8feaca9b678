/**
 * Text from outside this process (Azure error messages, IP providers' answers,
 * other principals' JIT justifications, resource names) must never become a
 * runner command. Runners read every output line of a step for commands:
 * - GitHub: a line whose first non-blank characters are `::` (`::add-mask::`,
 *   `::set-output`), and the legacy `##[command]` anywhere in a line;
 * - Azure Pipelines: `##vso[` anywhere in a line, on stdout and stderr.
 * All three front-ends pass their log, error and JSON text through
 * `neutralizeCommands`; our own commands (setOutput, setSecret, groups,
 * annotations) are written by @actions/core / task-lib / the adapters
 * AFTER it, so they keep working.
 */

/** Zero width: the log reads the same, the runner no longer sees a command. */
const ZWSP = '\u200b';

/** `##[` and `##vso[`, anywhere, any case (the Azure Pipelines agent ignores case). */
const HASH_COMMAND = /##(vso)?\[/gi;

/** `::` as the first non-blank characters of a line. */
const COLON_COMMAND = /^([^\S\r\n]*)::/gm;

export interface NeutralizeOptions {
  /**
   * The text is a JSON document: `#` inside its strings becomes the `\u0023`
   * escape, so `JSON.parse` gives back the original value exactly, while no
   * line of the text carries `##[` or `##vso[` any more. (`::` cannot start a
   * line of JSON: new lines inside strings are escaped.)
   */
  readonly json?: boolean;
}

/** Makes `text` inert for GitHub's runner and the Azure Pipelines agent. */
export function neutralizeCommands(text: string, options: NeutralizeOptions = {}): string {
  if (options.json) {
    // `#` only occurs inside strings in JSON, where `\u0023` is the same character.
    return text.replace(HASH_COMMAND, (m) => `\\u0023${m.slice(1)}`);
  }
  return text.replace(HASH_COMMAND, (m) => `${m.slice(0, -1)}${ZWSP}[`).replace(COLON_COMMAND, `$1${ZWSP}::`);
}

/** Line breaks of every kind a terminal or a runner may honour, and the other C0/C1 controls but tab. */
const BREAKS = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/**
 * An outside value on one line: a justification such as "deploy\n::add-mask::x"
 * shows as `deploy ⏎ ::add-mask::x`, so it can neither start a line of its own
 * nor break the table it is shown in. Terminal control characters (ESC...) go too.
 */
export function oneLine(value: string): string {
  return value.replace(BREAKS, ' ⏎ ').replace(CONTROLS, '');
}
