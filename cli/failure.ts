/**
 * The exit code of a failed core run. The core reports a failure as text
 * (`Platform.setFailed(describeError(e))`, shared/errors.ts) and resolves to
 * `false`; the error's kind is not handed to the front-end, so the kind is
 * read back from the text `describeError` produces: each error class writes
 * a recognisable message or default hint. Unknown text maps to 1 (failure),
 * never to success.
 */
import type { ErrorKind } from '../shared/errors';
import { exitCodeForKind, EXIT, type ExitCode } from './exitCodes';

/** First match wins: the order matters (an Azure error may name a JIT policy). */
const PATTERNS: readonly (readonly [ErrorKind, RegExp])[] = [
  // One issue: "Invalid input 'x' = ...". Several: a header, then one "  - input 'x' = ..." line each.
  ['input', /^Invalid input '|^\s+- input '[^']+' = /m],
  ['auth', /^(Sign-in failed|No credential could sign in)|^Azure call failed: .*: HTTP (401|403)\b/m],
  ['azure', /^Azure call failed:/m],
  ['superseded', /superseded|NewerRequestInitiated/i],
  ['timeout', /not all live after|did not accept a TCP connection within|took longer than|wait-timeout/i],
  ['policy', /JIT polic(y|ies)|has no network security group/i],
  ['ip', /IP providers?\b|public IP/i],
];

export function failureKind(message: string): ErrorKind | undefined {
  return PATTERNS.find(([, re]) => re.test(message))?.[0];
}

export function failureExitCode(failures: readonly string[], signal?: AbortSignal): ExitCode {
  if (signal?.aborted) return EXIT.cancelled;
  const text = failures.join('\n');
  if (/^The run was cancelled/m.test(text)) return EXIT.cancelled;
  return exitCodeForKind(failureKind(text));
}
