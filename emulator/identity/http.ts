/** Small HTTP helpers shared by the identity endpoints. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

/** Parses an `application/x-www-form-urlencoded` body (what every OAuth client sends). */
export function parseForm(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

/** The client's request id when it sent one (MSAL does), so errors correlate like Entra's. */
export function correlationId(req: IncomingMessage): string {
  const sent = req.headers['client-request-id'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && /^[0-9a-f-]{36}$/i.test(value) ? value : randomUUID();
}

/** Bearer token of an `Authorization` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
