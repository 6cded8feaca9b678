/**
 * Fault injection for the next N matching requests, on every route (ARM, identity,
 * OIDC, IP echo): a status with Retry-After, latency, a connection reset, or a hang.
 */
export interface FaultSpec {
  method?: string;
  /** RegExp tested against path+query; a string matches as a case-insensitive substring. */
  path: RegExp | string;
  status?: number;
  /** Seconds (number) or an HTTP date (string), sent verbatim as Retry-After. */
  retryAfter?: number | string;
  latencyMs?: number;
  reset?: true;
  hang?: true;
  /** How many matching requests get the fault; default 1, Infinity for all. */
  times?: number;
  /** Body for `status`: an object is sent as JSON, a string verbatim. Default: an ARM error envelope. */
  body?: unknown;
}

export interface Faults {
  add(spec: FaultSpec): void;
  clear(): void;
  /** The fault for this request, consuming one of its `times`. */
  take(method: string, pathAndQuery: string): FaultSpec | undefined;
  pending(): number;
}

interface Armed {
  spec: FaultSpec;
  left: number;
}

export function createFaults(): Faults {
  let armed: Armed[] = [];
  const matches = (spec: FaultSpec, method: string, path: string): boolean =>
    (spec.method === undefined || spec.method.toUpperCase() === method) &&
    (typeof spec.path === 'string'
      ? path.toLowerCase().includes(spec.path.toLowerCase())
      : spec.path.test(path));
  return {
    add(spec) {
      const times = spec.times ?? 1;
      if (!(times > 0)) throw new Error(`faults.add: times must be > 0, got ${times}`);
      if (spec.status === undefined && !spec.latencyMs && !spec.reset && !spec.hang) {
        throw new Error('faults.add: give at least one of status, latencyMs, reset or hang.');
      }
      armed.push({ spec, left: times });
    },
    clear() {
      armed = [];
    },
    take(method, path) {
      const hit = armed.find((a) => a.left > 0 && matches(a.spec, method, path));
      if (!hit) return undefined;
      hit.left -= 1;
      armed = armed.filter((a) => a.left > 0);
      return hit.spec;
    },
    pending: () => armed.length,
  };
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** The body a fault sends when the test gave none: what ARM sends for that status. */
export function defaultFaultBody(
  status: number,
  subscriptionId: string | undefined,
  retryAfter: number | string | undefined,
  objectId = '00000000-0000-0000-0000-000000000000',
): unknown {
  if (status === 429) {
    const seconds = typeof retryAfter === 'number' ? retryAfter : 10;
    return {
      error: {
        code: 'SubscriptionRequestsThrottled',
        message: `Number of 'read' requests for subscription '${subscriptionId ?? '00000000-0000-0000-0000-000000000000'}' actor '${objectId}' exceeded. Please try again after '${seconds}' seconds.`,
      },
    };
  }
  const code = DEFAULT_CODES[status] ?? 'InternalServerError';
  const message =
    status >= 500
      ? 'The server encountered an internal error. Please retry the request.'
      : `The request failed with status ${status}.`;
  return { error: { code, message } };
}
