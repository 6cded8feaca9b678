/**
 * The exit code of a failed core run, from the typed error the core hands
 * over through `RunOptions.onFailure` (never from the failure text). A 401/403
 * from Azure is a permissions problem for the user, so it exits as auth.
 */
import { AzureApiError, type JitError } from '../shared/errors';
import { exitCodeForKind, EXIT, type ExitCode } from './exitCodes';

export function failureExitCode(error: JitError | undefined, signal?: AbortSignal): ExitCode {
  if (signal?.aborted === true || error?.kind === 'cancelled') return EXIT.cancelled;
  if (error instanceof AzureApiError && (error.status === 401 || error.status === 403)) return EXIT.auth;
  return exitCodeForKind(error?.kind);
}
