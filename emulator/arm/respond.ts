/**
 * How each resource provider writes a response (reference §0.7-0.8, §4.5): the
 * Security RP answers compact JSON from Kestrel with an empty x-ms-request-id on
 * writes; Network and Compute answer CRLF pretty-printed JSON from HTTP.sys; every
 * ARM response carries the same caching/correlation/routing headers.
 */
import { randomUUID } from 'node:crypto';

export type Provider = 'security' | 'network' | 'compute' | 'resources';

export interface ArmResponse {
  status: number;
  /** JSON body; omitted for an empty body (Content-Length: 0). */
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

/** Network and Compute: `JSON.stringify(x, null, 2)` with CRLF line ends (byte-exact with recordings). */
export function prettyCrlf(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\r\n');
}

export function serialize(provider: Provider, body: unknown): string {
  return provider === 'network' || provider === 'compute' ? prettyCrlf(body) : JSON.stringify(body);
}

const ROUTING_REGION: Record<string, string> = {
  security: 'FRANCESOUTH',
  network: 'EASTUS',
  compute: 'EASTUS',
  resources: 'EASTUS',
};

function routingStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export interface HeaderInput {
  provider: Provider;
  method: string;
  now: Date;
  clientCorrelationId?: string;
  /** Rate-limit headers computed by the caller (name -> value). */
  rateLimit: Record<string, string>;
}

export function armHeaders(input: HeaderInput): Record<string, string | string[]> {
  const correlation = input.clientCorrelationId ?? randomUUID();
  const write = input.method !== 'GET' && input.method !== 'HEAD';
  const h: Record<string, string | string[]> = {
    'Cache-Control': 'no-cache',
    Pragma: 'no-cache',
    Expires: '-1',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    'X-Content-Type-Options': 'nosniff',
    'x-ms-correlation-request-id': correlation,
    'x-ms-routing-request-id': `${ROUTING_REGION[input.provider] ?? 'EASTUS'}:${routingStamp(input.now)}:${correlation}`,
    Date: input.now.toUTCString(),
    ...input.rateLimit,
  };
  switch (input.provider) {
    case 'security':
      h.Server = 'Kestrel';
      // Observed: empty on writes; equal to the correlation id on reads (PS-SUB23).
      h['x-ms-request-id'] = write ? '' : correlation;
      if (!write) h.Vary = 'Accept-Encoding';
      break;
    case 'network':
      h.Server = ['Microsoft-HTTPAPI/2.0', 'Microsoft-HTTPAPI/2.0'];
      h['x-ms-request-id'] = randomUUID();
      h['x-ms-arm-service-request-id'] = randomUUID();
      if (!write) h.Vary = 'Accept-Encoding';
      break;
    case 'compute':
      h.Server = ['Microsoft-HTTPAPI/2.0', 'Microsoft-HTTPAPI/2.0'];
      h['x-ms-request-id'] = randomUUID();
      h['x-ms-served-by'] = `${randomUUID()}_${133000000000000000 + Math.floor(Math.random() * 1e9)}`;
      if (!write) h.Vary = 'Accept-Encoding';
      break;
    case 'resources':
      h['x-ms-request-id'] = correlation;
      break;
  }
  return h;
}
