/**
 * The exit code of a core run, from the typed outcome the core returns
 * (never from the failure text). A 401/403 from Azure is a permissions
 * problem for the user, so it exits as auth.
 */
import { AzureApiError, leftOpen, type JitError, type MainOutcome, type PostOutcome } from '../shared';
import { exitCodeForKind, EXIT, type ExitCode } from './exitCodes';

export function failureExitCode(error: JitError | undefined, signal?: AbortSignal): ExitCode {
  if (signal?.aborted === true || error?.kind === 'cancelled') return EXIT.cancelled;
  if (error instanceof AzureApiError && (error.status === 401 || error.status === 403)) return EXIT.auth;
  return exitCodeForKind(error?.kind);
}

/**
 * 0 for a step that succeeded; else the documented code for its error. A post
 * that left something of ours open exits as auth when Azure refused a
 * permission for any rule (its report says `forbidden`), else as a failure.
 */
export function outcomeExitCode(
  outcome:
    MainOutcome | PostOutcome | { readonly ok: true } | { readonly ok: false; readonly error: JitError },
  signal?: AbortSignal,
): ExitCode {
  if (!outcome.ok) return failureExitCode(outcome.error, signal);
  if (!('result' in outcome) || !leftOpen(outcome)) return EXIT.ok;
  return outcome.report?.rules.some((r) => r.outcome === 'forbidden') === true ? EXIT.auth : EXIT.failure;
}
