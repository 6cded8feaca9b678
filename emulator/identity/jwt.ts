/**
 * JWT signing (jose) and the synchronous RS256 check `authenticate` needs: the
 * server calls it on every ARM request and the interface is synchronous, while
 * jose's verification is async, so our OWN tokens are checked with node:crypto.
 * Foreign JWTs (client assertions) are verified with jose, asynchronously.
 */
import { verify, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from './keys';

export async function signJwt(key: SigningKey, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: key.x5t, kid: key.kid })
    .sign(key.privateKey);
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Decodes without verifying; undefined when the token is not a JWS compact JWT with JSON parts. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(payload)) return undefined;
    return { header, payload };
  } catch {
    return undefined;
  }
}

/** True when `token` is an RS256 JWS whose signature `publicKey` verifies. */
export function hasValidRs256Signature(token: string, publicKey: KeyObject): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const decoded = decodeJwt(token);
  if (decoded?.header.alg !== 'RS256') return false;
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  return verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, signature);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringClaim(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberClaim(payload: Record<string, unknown>, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
