/**
 * The CLI's exit codes: a contract for scripts (documented in the README's CLI
 * section and in `--help`). A new code is added here, never renumbered.
 */
export const EXIT = {
  ok: 0,
  /** Azure refused or failed, the IP could not be resolved, state could not be read. */
  failure: 1,
  /** Bad flags or input values, or a request the JIT policy does not allow. Nothing was written. */
  usage: 2,
  /** No credential in the chain could get a token, or the principal lacks a permission. */
  auth: 3,
  /** The allow rule was not live before --wait-timeout. */
  timeout: 4,
  /** Another request for the same VM and port replaced ours (JIT `NewerRequestInitiated`). */
  superseded: 5,
  /** `audit --fail-on-findings` found VMs without JIT or with a policy open to any source. */
  findings: 6,
  /** Interrupted (Ctrl-C / SIGTERM); 128 + SIGINT, as shells report it. */
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The core's error kinds (shared/errors.ts) mapped to exit codes. */
const BY_KIND: Readonly<Record<string, ExitCode>> = {
  input: EXIT.usage,
  policy: EXIT.usage,
  auth: EXIT.auth,
  timeout: EXIT.timeout,
  superseded: EXIT.superseded,
  cancelled: EXIT.cancelled,
  azure: EXIT.failure,
  ip: EXIT.failure,
  state: EXIT.failure,
};

export function exitCodeForKind(kind: string | undefined): ExitCode {
  return (kind !== undefined ? BY_KIND[kind] : undefined) ?? EXIT.failure;
}

/** Rows for the README and `--help`: code, meaning. */
export const EXIT_CODE_TABLE: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'Success (access is live; or nothing to do).'],
  [
    EXIT.failure,
    'Azure refused or failed, the public IP could not be resolved, or the state file could not be used.',
  ],
  [
    EXIT.usage,
    'Bad flags or input values, or a request the JIT policy does not allow. Nothing was written to Azure.',
  ],
  [EXIT.auth, 'No credential could get a token, or the principal lacks a permission (403).'],
  [EXIT.timeout, 'The allow rule was not live in every NSG before `--wait-timeout`.'],
  [EXIT.superseded, 'Another request for the same VM and port replaced ours (`NewerRequestInitiated`).'],
  [EXIT.findings, '`audit --fail-on-findings` reported at least one finding.'],
  [
    EXIT.cancelled,
    'Interrupted (Ctrl-C / SIGTERM). What was already opened is in the state file; `close` closes it.',
  ],
];
