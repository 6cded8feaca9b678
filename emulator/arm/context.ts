/**
 * What a route handler gets: the parsed request, the caller and the emulator's
 * shared services. Kept in one place so routes stay small and testable.
 */
import type { EmulatorBehaviour } from '../behaviour';
import type { Clock } from '../clock';
import type { AuthenticatedPrincipal, PrincipalSpec } from '../identity/types';
import type { JitEngine } from '../jit/engine';
import { ArmError } from './errors';
import type { ArmResponse, Provider } from './respond';
import type { ArmState } from './state';

export interface ArmEnv {
  state: ArmState;
  clock: Clock;
  engine: JitEngine;
  /** Scenario principals by lower-cased object id (role assignments live there). */
  principalsByObjectId: Map<string, PrincipalSpec>;
  armUrl(): string;
  pageSize(): number;
  /** Seconds a client must wait once the Security read budget is spent, and whether it refills then. */
  securityThrottle(): { retryAfterSeconds: number; refill: boolean };
  /** Current delay of Network async operations (the JIT rule delay). */
  operationDelayMs(): number;
  /** The behaviour switches this instance plays. */
  behaviour: Readonly<EmulatorBehaviour>;
}

export interface ArmRequest {
  method: string;
  url: URL;
  path: string;
  body: Buffer;
  apiVersion: string;
  principal: AuthenticatedPrincipal;
  env: ArmEnv;
}

export type Params = Record<string, string>;

export interface Route {
  method: string;
  pattern: string;
  provider: Provider;
  /** `Namespace/type` for api-version errors. */
  resourceType: string;
  versions: readonly string[];
  /** RBAC: the ARM action and scope; omitted when ARM does not check one (e.g. GET /subscriptions). */
  authz?: (p: Params) => { action: string; scope: string };
  handle(req: ArmRequest, p: Params): ArmResponse;
}

export function jsonBody<T>(req: ArmRequest): T {
  const text = req.body.toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${(error as Error).message}'.`,
    );
  }
}

/** ARM paging: `$skipToken` offsets; nextLink is absolute and points back at the emulator. */
export function page<T>(
  req: ArmRequest,
  items: T[],
  map: (t: T) => unknown,
): { value: unknown[]; nextLink?: string } {
  const size = req.env.pageSize();
  const skip = Math.max(0, Number(req.url.searchParams.get('$skipToken') ?? '0') || 0);
  const slice = items.slice(skip, skip + size);
  const out: { value: unknown[]; nextLink?: string } = { value: slice.map(map) };
  if (skip + size < items.length) {
    const next = new URL(req.path, req.env.armUrl());
    next.searchParams.set('api-version', req.apiVersion);
    next.searchParams.set('$skipToken', String(skip + size));
    out.nextLink = next.toString();
  }
  return out;
}
