/**
 * Cancellation for entry files. Runners stop a step with SIGINT, then SIGTERM
 * (GitHub), or SIGINT/SIGTERM (Azure Pipelines). The first signal aborts the
 * run's AbortSignal so main can stop waiting while its state (saved right after
 * `initiate`) lets post close what was opened; a second signal exits at once,
 * as a runner that escalates expects.
 */
import { CancelledError } from './errors';

export interface ProcessCancellation {
  readonly signal: AbortSignal;
  /** Removes the signal handlers (call when the run is over). */
  dispose(): void;
}

type SignalName = 'SIGINT' | 'SIGTERM';

/** The process-like surface we need; injectable for tests. */
export interface SignalSource {
  on(event: SignalName, listener: () => void): unknown;
  off(event: SignalName, listener: () => void): unknown;
  exit(code: number): never;
}

const EXIT_CODES: Record<SignalName, number> = { SIGINT: 130, SIGTERM: 143 };

export function abortSignalFromProcess(
  source: SignalSource = process,
  onSignal: (name: SignalName) => void = () => undefined,
): ProcessCancellation {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      onSignal(name);
      if (controller.signal.aborted) source.exit(EXIT_CODES[name]);
      controller.abort(new CancelledError(`The run was cancelled (${name}).`));
    };
    source.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose() {
      for (const [name, handler] of handlers) source.off(name, handler);
    },
  };
}

/** Throws the signal's reason (a CancelledError unless the caller chose another) when aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof Error && reason.name !== 'AbortError' ? reason : new CancelledError();
}

/**
 * Ends an entry's process once stdout and stderr are flushed, with `process.exitCode`
 * (or `code`). The step is over when the core has its verdict; waiting for the event
 * loop to drain would also wait for idle keep-alive sockets and for any call the run
 * gave up on (a token request past its deadline cannot be cancelled), which could hold
 * the runner or agent for minutes. Flushing first matters: pipe writes are
 * asynchronous on some platforms.
 */
export function exitWhenFlushed(code?: number): void {
  // Not `process.exit(code)` with code undefined: an explicit undefined argument
  // replaces process.exitCode, so a failed step would exit 0.
  const exit = (): never => (code === undefined ? process.exit() : process.exit(code));
  process.stdout.write('', () => process.stderr.write('', exit));
}
