/**
 * The exit code of a core run, from the typed outcome the core returns
 * (never from the failure text). A 401/403 from Azure is a permissions
 * problem for the user, so it exits as auth.
 */
import { AzureApiError, type JitError } from '../shared';
import { exitCodeForKind, EXIT, type ExitCode } from './exitCodes';

export function failureExitCode(error: JitError | undefined, signal?: AbortSignal): ExitCode {
  if (signal?.aborted === true || error?.kind === 'cancelled') return EXIT.cancelled;
  if (error instanceof AzureApiError && (error.status === 401 || error.status === 403)) return EXIT.auth;
  return exitCodeForKind(error?.kind);
}

/** 0 for a step that succeeded; else the documented code for its error. */
export function outcomeExitCode(
  outcome: { readonly ok: true } | { readonly ok: false; readonly error: JitError },
  signal?: AbortSignal,
): ExitCode {
  return outcome.ok ? EXIT.ok : failureExitCode(outcome.error, signal);
}
