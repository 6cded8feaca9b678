/**
 * Every SDK call goes through `azureCall`: it passes the run's abort signal
 * (cancellation and overall deadlines) and turns whatever the SDK throws into
 * the core's typed errors, naming what we were doing.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { AzureApiError, CancelledError, isJitError } from '../errors';
import { RetryAfterTooLongError } from './policies';

export interface CallOptions {
  readonly abortSignal?: AbortSignal;
}

/** A list as the SDKs return it: item by item, or page by page (one ARM call per page, nextLink followed). */
export interface PagedList<T> extends AsyncIterable<T> {
  byPage(): AsyncIterable<T[]>;
}

export async function azureCall<T>(
  operation: string,
  signal: AbortSignal | undefined,
  fn: (o: CallOptions) => Promise<T>,
): Promise<T> {
  try {
    return await fn(signal ? { abortSignal: signal } : {});
  } catch (e) {
    throw toAzureError(e, operation, signal);
  }
}

export function toAzureError(e: unknown, operation: string, signal?: AbortSignal): Error {
  if (isJitError(e)) return e;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (isJitError(reason)) return reason;
    return new CancelledError(`The run was cancelled while waiting for Azure (${operation}).`);
  }
  if (e instanceof RetryAfterTooLongError) {
    return new AzureApiError({
      status: e.status,
      code: 'SubscriptionRequestsThrottled',
      azureMessage: e.message,
      correlationId: e.correlationId,
      operation,
    });
  }
  if (isRestError(e) || e instanceof Error) return AzureApiError.fromRestError(e, operation);
  return AzureApiError.fromRestError(new Error(String(e)), operation);
}

/** True for a 403 from ARM (the identity lacks the action at that scope). */
export function isForbidden(e: unknown): boolean {
  if (e instanceof AzureApiError) return e.status === 403;
  return isRestError(e) && e.statusCode === 403;
}

/** True for a 404 from ARM (the resource, or its parent, does not exist). */
export function isNotFound(e: unknown): boolean {
  if (e instanceof AzureApiError) return e.status === 404;
  return isRestError(e) && e.statusCode === 404;
}
