/**
 * Pipeline policies added to every SDK client: a per-attempt timeout, a cap on
 * how long a throttled call may wait, and recording of the server's clock.
 * Retries themselves are core-rest-pipeline's (they honour Retry-After).
 */
import { RestError, type PipelinePolicy, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { ServerClock } from './serverClock';

/**
 * A timeout on each attempt. A timed-out read or delete becomes a retriable
 * ETIMEDOUT error; a timed-out POST is not retried (initiate is not
 * idempotent: a repeat would supersede our own request), it fails with the
 * timeout.
 *
 * Why not `request.timeout`: core-rest-pipeline 1.24 leaves that timer running
 * when a request fails without a response (refused, reset, aborted), which
 * keeps the step's process alive for up to the whole timeout. Our own timer,
 * linked to the caller's signal, is always cleared.
 */
export function timeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'jitTimeoutPolicy',
    async sendRequest(request, next) {
      const callerSignal = request.abortSignal;
      const controller = new AbortController();
      const forwardAbort = (): void => controller.abort();
      if (callerSignal?.aborted) controller.abort();
      else callerSignal?.addEventListener('abort', forwardAbort);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (e) {
        if (timedOut && callerSignal?.aborted !== true) {
          const message = `${request.method} ${pathOf(request.url)} got no response within ${timeoutMs} ms`;
          throw new RestError(message, {
            code: request.method === 'POST' ? 'REQUEST_TIMEOUT' : 'ETIMEDOUT',
            request,
          });
        }
        throw e;
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', forwardAbort);
        // The retry policy re-sends this same request object: restore the caller's signal.
        if (callerSignal) request.abortSignal = callerSignal;
        else delete request.abortSignal;
      }
    },
  };
}

/** Retry-After in ms as core-rest-pipeline reads it (ms headers, seconds, or an HTTP date). */
export function retryAfterMs(
  response: { readonly headers: { get(name: string): string | undefined } },
  now: number = Date.now(),
): number | undefined {
  for (const [header, factor] of [
    ['retry-after-ms', 1],
    ['x-ms-retry-after-ms', 1],
    ['retry-after', 1000],
  ] as const) {
    const raw = response.headers.get(header);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(value)) return value * factor;
    const date = Date.parse(raw);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

/**
 * The SDK's throttling retry waits whatever Retry-After says, without bound.
 * Beyond `maxWaitMs` we stop and fail with the 429 so the run's deadline holds
 * and the user sees the throttling instead of a silent hang.
 */
export function throttleCapPolicy(maxWaitMs: number): PipelinePolicy {
  return {
    name: 'jitThrottleCapPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 || response.status === 503) {
        const wait = retryAfterMs(response);
        if (wait !== undefined && wait > maxWaitMs) {
          // Not a RestError: the retry policy re-throws anything else at once.
          throw new RetryAfterTooLongError(request.method, pathOf(request.url), response, wait, maxWaitMs);
        }
      }
      return response;
    },
  };
}

export class RetryAfterTooLongError extends Error {
  override readonly name = 'RetryAfterTooLongError';
  readonly status: number;
  readonly correlationId: string | undefined;

  constructor(method: string, path: string, response: PipelineResponse, waitMs: number, maxWaitMs: number) {
    super(
      `Azure throttled ${method} ${path} (HTTP ${response.status}) and asked to retry after ${Math.round(waitMs / 1000)} s, ` +
        `longer than the ${Math.round(maxWaitMs / 1000)} s this run may wait`,
    );
    this.status = response.status;
    this.correlationId = response.headers.get('x-ms-correlation-request-id');
  }
}

/** Feeds every response's `Date` header to the run's ServerClock. */
export function serverClockPolicy(clock: ServerClock): PipelinePolicy {
  return {
    name: 'jitServerClockPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      clock.observe(response.headers.get('date'));
      return response;
    },
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
