/**
 * One factory for the three ARM SDK clients, per subscription, all sharing the
 * run's ONE credential (tokens are fetched once) and the same pipeline rules:
 * the cloud's endpoint AND token scope (the classic SDKs would otherwise ask
 * for `${endpoint}/.default` or the public-cloud scope), an extra CA when
 * given, bounded retries that honour Retry-After, a timeout on every attempt
 * and the server clock recorded from `Date`.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { SecurityCenter } from '@azure/arm-security';
import type { CommonClientOptions } from '@azure/core-client';
import type { AzureSession } from '../session';
import { serverClockPolicy, throttleCapPolicy, timeoutPolicy } from './policies';
import { ServerClock } from './serverClock';

export interface AzureClientSettings {
  /** Extra trusted CA (PEM) for every HTTPS call. */
  readonly tlsCa?: string;
  /** Per-attempt timeout. */
  readonly requestTimeoutMs?: number;
  /** Retries per call (throttling, 5xx, connection errors, read timeouts). */
  readonly maxRetries?: number;
  /** Cap of the exponential back-off between retries. */
  readonly maxRetryDelayMs?: number;
  /** Longest Retry-After a throttled call may wait before it fails instead. */
  readonly maxThrottleWaitMs?: number;
  /** Local clock, injectable for tests. */
  readonly now?: () => Date;
}

export const DEFAULT_CLIENT_SETTINGS = {
  requestTimeoutMs: 30_000,
  maxRetries: 4,
  maxRetryDelayMs: 15_000,
  maxThrottleWaitMs: 60_000,
} as const;

export interface AzureClients {
  readonly session: AzureSession;
  /** Azure's clock as seen in response headers. */
  readonly clock: ServerClock;
  security(subscriptionId: string): SecurityCenter;
  network(subscriptionId: string): NetworkManagementClient;
  compute(subscriptionId: string): ComputeManagementClient;
}

export function createAzureClients(session: AzureSession, settings: AzureClientSettings = {}): AzureClients {
  const clock = new ServerClock(settings.now);
  const options = clientOptions(session, settings, clock);
  const cache = new Map<string, SecurityCenter | NetworkManagementClient | ComputeManagementClient>();

  function cached<T extends SecurityCenter | NetworkManagementClient | ComputeManagementClient>(
    key: string,
    make: () => T,
  ): T {
    const hit = cache.get(key) as T | undefined;
    if (hit) return hit;
    const made = make();
    cache.set(key, made);
    return made;
  }

  return {
    session,
    clock,
    security: (sub) => cached(`security:${sub}`, () => new SecurityCenter(session.credential, sub, options)),
    network: (sub) =>
      cached(`network:${sub}`, () => new NetworkManagementClient(session.credential, sub, options)),
    compute: (sub) =>
      cached(`compute:${sub}`, () => new ComputeManagementClient(session.credential, sub, options)),
  };
}

/**
 * Options valid for all three packages: arm-security 5, arm-network 36 and
 * arm-compute 23.3 are all classic core-client SDKs that honour `endpoint`
 * and `credentialScopes` (the modular generations use `credentials.scopes`
 * instead and silently ignore `credentialScopes`: do not mix them).
 */
function clientOptions(
  session: AzureSession,
  settings: AzureClientSettings,
  clock: ServerClock,
): CommonClientOptions & { endpoint: string; credentialScopes: string[] } {
  const s = { ...DEFAULT_CLIENT_SETTINGS, ...stripUndefined(settings) };
  return {
    endpoint: session.cloud.resourceManager,
    credentialScopes: [session.cloud.scope],
    ...(settings.tlsCa ? { tlsOptions: { ca: settings.tlsCa } } : {}),
    retryOptions: { maxRetries: s.maxRetries, maxRetryDelayInMs: s.maxRetryDelayMs },
    userAgentOptions: { userAgentPrefix: 'azure-jit-access' },
    additionalPolicies: [
      // perRetry: runs inside the retry loop, once per attempt.
      { policy: timeoutPolicy(s.requestTimeoutMs), position: 'perRetry' },
      { policy: throttleCapPolicy(s.maxThrottleWaitMs), position: 'perRetry' },
      { policy: serverClockPolicy(clock), position: 'perRetry' },
    ],
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
