/**
 * Reads one IP echo service's answer. Services answer with the address as
 * plain text (often with a trailing newline) or as JSON (`{"ip": "…"}`).
 * Anything else (an HTML captive portal, an error page, a proxy's banner) is
 * refused, and so is an address that cannot be a public egress IP.
 */
import {
  canonicalAddress,
  familyOf,
  isIpAddress,
  nonPublicReason,
  sourceProblem,
  type IpFamily,
} from './address';
import { DEFAULT_FRONT_END, render } from '../frontEnd';

export type EchoAnswer =
  | { readonly ok: true; readonly address: string; readonly family: IpFamily }
  | { readonly ok: false; readonly problem: string };

/** Longest text we show from a refused answer. */
const SHOWN = 60;

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > SHOWN ? `${one.slice(0, SHOWN)}…` : one);
}

function fromJson(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') return parsed.trim();
    if (typeof parsed === 'object' && parsed !== null) {
      for (const key of ['ip', 'address', 'query', 'origin']) {
        const v: unknown = (parsed as Record<string, unknown>)[key];
        if (typeof v === 'string') return v.trim();
      }
    }
  } catch {
    // not JSON: handled by the caller as plain text
  }
  return undefined;
}

export function readEchoAnswer(body: string): EchoAnswer {
  const text = body.trim();
  if (text === '') return { ok: false, problem: 'empty answer' };
  const candidate = text.startsWith('{') || text.startsWith('"') ? (fromJson(text) ?? text) : text;
  if (!isIpAddress(candidate)) return { ok: false, problem: `not an IP address: ${shorten(text)}` };
  const address = canonicalAddress(candidate);
  // The same rule as the `source` input, then the ranges no egress address can be in.
  const never = sourceProblem(address, false);
  if (never) return { ok: false, problem: `${address} ${render(never, DEFAULT_FRONT_END)}` };
  const reason = nonPublicReason(address);
  if (reason) return { ok: false, problem: `${address} is a ${reason}` };
  return { ok: true, address, family: familyOf(address) };
}
