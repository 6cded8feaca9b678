/**
 * One factory for the three ARM SDK clients, per subscription, all sharing the
 * run's ONE credential (tokens are fetched once) and the same pipeline rules:
 * the cloud's endpoint AND token scope (the SDKs would otherwise ask for
 * `${endpoint}/.default` or the public-cloud scope), an extra CA when given,
 * the session's proxy when it names one (shared/proxy.ts), bounded retries
 * that honour Retry-After, a timeout on every attempt and the server clock
 * recorded from `Date`, and one HTTP client (their connections are reused across them).
 *
 * Each client is a narrow interface holding only the operations the core
 * calls (armSecurity.ts, armNetwork.ts, armCompute.ts), so the bundles carry
 * those operations and not every operation group of the three providers.
 */
import {
  createDefaultHttpClient,
  type PipelineOptions,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { proxyPipelineOptions, type ProxyRoute } from '../proxy';
import type { AzureSession } from '../session';
import { createComputeClient, type ComputeClient } from './armCompute';
import { createNetworkClient, type NetworkClient } from './armNetwork';
import { createSecurityClient, type SecurityClient } from './armSecurity';
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
  security(subscriptionId: string): SecurityClient;
  network(subscriptionId: string): NetworkClient;
  compute(subscriptionId: string): ComputeClient;
}

export type { ComputeClient, NetworkClient, SecurityClient };

export function createAzureClients(session: AzureSession, settings: AzureClientSettings = {}): AzureClients {
  const clock = new ServerClock(settings.now);
  const common = pipelineOptions(settings, clock, session.proxy);
  const endpoint = session.cloud.resourceManager;
  const scopes = [session.cloud.scope];
  // The two SDK generations name the token scope differently, and each
  // silently ignores the other's name: classic `credentialScopes`, modular
  // `credentials.scopes`.
  const classic = { ...common, endpoint, credentialScopes: scopes };
  const modular = { ...common, endpoint, credentials: { scopes } };
  const cache = new Map<string, SecurityClient | NetworkClient | ComputeClient>();

  function cached<T extends SecurityClient | NetworkClient | ComputeClient>(key: string, make: () => T): T {
    const hit = cache.get(key) as T | undefined;
    if (hit) return hit;
    const made = make();
    cache.set(key, made);
    return made;
  }

  return {
    session,
    clock,
    security: (sub) =>
      cached(`security:${sub}`, () => createSecurityClient(session.credential, sub, classic)),
    network: (sub) => cached(`network:${sub}`, () => createNetworkClient(session.credential, sub, modular)),
    compute: (sub) => cached(`compute:${sub}`, () => createComputeClient(session.credential, sub, modular)),
  };
}

/** The pipeline rules both SDK generations take the same way (core-rest-pipeline options). */
function pipelineOptions(
  settings: AzureClientSettings,
  clock: ServerClock,
  proxy: ProxyRoute | undefined,
): PipelineOptions & { additionalPolicies: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] } {
  const s = { ...DEFAULT_CLIENT_SETTINGS, ...stripUndefined(settings) };
  return {
    // One HTTP client (one keep-alive agent per TLS setting) for the three clients: left alone,
    // the classic Security client and the modular ones each keep their own, and a Security
    // call after Network calls to the same host opens a new TLS connection.
    httpClient: createDefaultHttpClient(),
    ...(settings.tlsCa ? { tlsOptions: { ca: settings.tlsCa } } : {}),
    ...(proxy ? proxyPipelineOptions(proxy) : {}),
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
