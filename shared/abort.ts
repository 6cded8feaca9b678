/** Abortable waits: a delay, a deadline combined with the run signal, and giving up on a call that ignores aborts. Rejections carry the signal's reason when it is a core error (deadline), else CancelledError. */
import { setMaxListeners } from 'node:events';
import { CancelledError, isJitError } from './errors';

/**
 * Marks a signal a whole run shares. Every Azure call in flight listens to it until it settles (and
 * then stops), so a run for 50 VMs has dozens of listeners on it at once: no leak, but over Node's
 * default of 10 Node prints "MaxListenersExceededWarning: Possible EventTarget memory leak" on
 * stderr, into the user's log.
 */
export function sharedByRun<T extends AbortSignal>(signal: T): T {
  setMaxListeners(0, signal);
  return signal;
}

export function abortReason(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  return isJitError(reason) ? reason : new CancelledError(`The run was cancelled while ${what}.`);
}

export function sleep(ms: number, signal: AbortSignal | undefined, what = 'waiting'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal, what));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal aborted by either input or after `ms` with `onTimeout()`'s error as reason. */
export function withDeadline(
  signal: AbortSignal | undefined,
  ms: number,
  onTimeout: () => Error,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(onTimeout()), ms);
  const signals = signal ? [signal, controller.signal] : [controller.signal];
  return { signal: sharedByRun(AbortSignal.any(signals)), dispose: () => clearTimeout(timer) };
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts (with `abortReason`).
 * For calls that ignore abort signals (MSAL's token requests): the step stops
 * waiting even though the call itself cannot be cancelled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  // The abandoned call may still fail later: that must not become an unhandled rejection.
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal, what));
      return;
    }
    const onAbort = (): void => reject(abortReason(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
