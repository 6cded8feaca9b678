/**
 * Whether the CLI may write ANSI escape codes: only to a terminal, and not when
 * the user asked for none (https://no-color.org: `NO_COLOR` set to anything
 * non-empty) or the terminal cannot take them (`TERM=dumb`). Files and CI logs
 * get plain text.
 */
export function ansiAllowed(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** Bold when ANSI is allowed, the text as it is otherwise. */
export function bold(text: string, ansi: boolean): string {
  return ansi ? `\u001b[1m${text}\u001b[0m` : text;
}
