/**
 * The JIT request's justification. Defender for Cloud shows it in the
 * activity log next to the requesting identity, so by default it says which
 * pipeline run asked: system, repository@commit, actor and the run URL.
 *
 * The API documents no maximum length; we keep the default under
 * MAX_DEFAULT_JUSTIFICATION characters and refuse user text over
 * MAX_JUSTIFICATION (checked by the input parser) rather than let Azure
 * truncate or reject it at initiate time.
 */
import type { RunMetadata } from './platform';

export const MAX_JUSTIFICATION = 1000;
export const MAX_DEFAULT_JUSTIFICATION = 256;

/** e.g. "GitHub Actions run contoso/webapp@abc1234 by octocat: https://github.com/contoso/webapp/actions/runs/1". */
export function defaultJustification(meta: RunMetadata): string {
  const where = meta.repository
    ? `${meta.repository}${meta.commit ? `@${meta.commit.slice(0, 7)}` : ''}`
    : meta.commit
      ? `@${meta.commit.slice(0, 7)}`
      : '';
  const parts = [`${meta.system} run`];
  if (meta.workflow) parts.push(`'${meta.workflow}'`);
  if (where) parts.push(where);
  if (meta.actor) parts.push(`by ${meta.actor}`);
  let text = parts.join(' ');
  if (meta.runUrl) text += `: ${meta.runUrl}`;
  const clean = text.replace(/[\r\n\t]+/g, ' ');
  return clean.length > MAX_DEFAULT_JUSTIFICATION
    ? `${clean.slice(0, MAX_DEFAULT_JUSTIFICATION - 1)}…`
    : clean;
}

/** The justification to send: the user's, else the default from the run metadata. */
export function resolveJustification(userText: string | undefined, meta: RunMetadata): string {
  return userText ?? defaultJustification(meta);
}
