/**
 * A failure as rows for the summary: what was wrong and how to fix it, one
 * row per problem (every bad input, every policy mismatch), in the words of
 * the front-end that shows it.
 */
import { formatInputIssue, InputError, PolicyError, toJitError } from './errors';
import { quoteAny, render, type FrontEnd } from './frontEnd';
import type { SummaryProblem } from './summary';

/** What went wrong and its fix, one entry per problem (every bad input, every policy mismatch). */
export function problemsOf(e: unknown, fe: FrontEnd): SummaryProblem[] {
  const err = toJitError(e);
  if (err instanceof InputError)
    return err.issues.map(({ hint, ...issue }) => ({
      what: formatInputIssue(issue, fe),
      fix:
        hint !== undefined
          ? render(hint, fe)
          : `Change ${quoteAny(fe, issue.input)} in ${fe.inputsLive} as the rule says, and run again.`,
    }));
  if (err instanceof PolicyError)
    return [err, ...err.more].map((p) => ({ what: render(p.problem, fe), fix: render(p.problemHint, fe) }));
  return [{ what: err.messageFor(fe), fix: err.hintFor(fe) }];
}
