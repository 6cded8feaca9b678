/**
 * Turns a failed token request into a sentence a user can act on.
 *
 * @azure/identity keeps only MSAL's `message` (it re-wraps every MSAL error in
 * an AuthenticationRequiredError without cause, status or body), and MSAL
 * builds that message from the body's `error` field: when Entra ID (or a proxy
 * in front of it) answers a 5xx with a non-OAuth body, the user reads
 * "[object Object]: Error(s): Not Available - Timestamp: Not Available …".
 * So the HTTP facts are taken where they still exist, from the credential's
 * own pipeline (TokenEndpointRecorder), and the message is only mined for an
 * AADSTS code.
 */
import { isRestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { tlsTrustCode, tlsTrustHint } from '../tlsTrust';
import type { Wording } from '../frontEnd';

/** What the last failed token-endpoint attempt looked like on the wire. */
export interface TokenEndpointFailure {
  /** Method and URL without query, e.g. `POST https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`. */
  readonly request: string;
  readonly status?: number;
  /** The OAuth `error` field when it is a string (e.g. `invalid_client`). */
  readonly error?: string;
  /** The first AADSTS code in the body, e.g. `AADSTS7000215`. */
  readonly aadsts?: string;
  /** Transport failure (reset, refused, DNS, timeout) instead of an answer. */
  readonly network?: string;
}

/**
 * Records the credential's failed HTTP attempts; pass `additionalPolicy` in the credential's
 * `additionalPolicies`, and the recorder itself as `AzureSession.recorder`.
 */
export class TokenEndpointRecorder {
  private failure: TokenEndpointFailure | undefined;

  get last(): TokenEndpointFailure | undefined {
    return this.failure;
  }

  /** Per retry, so the LAST attempt is what gets reported. */
  get additionalPolicy(): { readonly policy: PipelinePolicy; readonly position: 'perRetry' } {
    return { policy: this.policy(), position: 'perRetry' };
  }

  private policy(): PipelinePolicy {
    return {
      name: 'jitTokenEndpointRecorder',
      sendRequest: async (request, next) => {
        const where = `${request.method} ${withoutQuery(request.url)}`;
        try {
          const response = await next(request);
          this.failure =
            response.status >= 400
              ? { request: where, status: response.status, ...oauthFields(response.bodyAsText) }
              : undefined;
          return response;
        } catch (e) {
          if (isRestError(e) && e.response) {
            this.failure = {
              request: where,
              status: e.response.status,
              ...oauthFields(e.response.bodyAsText),
            };
          } else {
            this.failure = { request: where, network: networkReason(e) };
          }
          throw e;
        }
      },
    };
  }
}

export interface SignInFailure {
  /** Why, in one line: HTTP status / AADSTS code when there is one, never MSAL's filler. */
  readonly reason: string;
  /** Entra ID unavailable or unreachable (5xx, 429, network): re-running may help, the credential is not at fault. */
  readonly transient: boolean;
  /** A TLS trust failure (e.g. `SELF_SIGNED_CERT_IN_CHAIN`): not temporary, and not the credential's fault. */
  readonly tls?: string;
}

/**
 * The hint when the endpoint, not the credential, is at fault: what to trust for a TLS failure,
 * "usually temporary" for an outage; undefined when the credential's own checklist applies.
 */
export function endpointHint(failure: SignInFailure, authorityHost: string): Wording | undefined {
  if (failure.tls) return tlsTrustHint(failure.tls, authorityHost);
  return failure.transient ? transientSignInHint(authorityHost) : undefined;
}

/** What to do when the failure is the endpoint's, not the credential's. */
export function transientSignInHint(authorityHost: string): string {
  return (
    `The sign-in endpoint ${authorityHost} did not answer normally; this is usually temporary: re-run the job. ` +
    'If it persists, check https://status.azure.com, that the agent can reach that host (proxy, firewall), and that the configured cloud is the right one.'
  );
}

export function describeSignInFailure(e: unknown, recorder?: TokenEndpointRecorder): SignInFailure {
  const message = e instanceof Error ? e.message : String(e);
  const aadsts = /AADSTS\d+[^\r\n]*/.exec(message)?.[0];
  const wire = recorder?.last;
  const tls = tlsTrustCode(wire?.network) ?? tlsTrustCode(e);
  if (tls) {
    const where = wire?.request ?? 'the token endpoint';
    return {
      reason: `${where} presented a certificate this agent does not trust (${tls})`,
      transient: false,
      tls,
    };
  }
  if (aadsts) {
    // Entra ID's own words, e.g. "AADSTS7000215: Invalid client secret provided…", minus MSAL's trace fields.
    return {
      reason: `${trimMsalTail(aadsts)}${wire?.status !== undefined ? ` (HTTP ${wire.status})` : ''}`,
      transient: wire?.status !== undefined && isTransientStatus(wire.status),
    };
  }
  if (wire?.status !== undefined) {
    const detail = [wire.aadsts, wire.error].filter((x): x is string => !!x).join(', ');
    return {
      reason: `${wire.request} answered HTTP ${wire.status}${detail ? ` (${detail})` : ''}`,
      transient: isTransientStatus(wire.status),
    };
  }
  if (wire?.network !== undefined) {
    return { reason: `${wire.request} could not be reached (${wire.network})`, transient: true };
  }
  if (/network_error/i.test(message)) {
    return { reason: 'the token endpoint could not be reached (network error)', transient: true };
  }
  const cleaned = cleanMsalMessage(message);
  return {
    reason: cleaned || 'the token endpoint returned an error the identity library could not read',
    transient: false,
  };
}

function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Drops MSAL's "[object Object]:" prefix and its "Not Available" trace fields; keeps the first meaningful line. */
export function cleanMsalMessage(message: string): string {
  const line =
    message
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  const text = trimMsalTail(line.replace(/\[object Object\]:?\s*/g, ''))
    .replace(/Error\(s\):\s*Not Available/i, '')
    .replace(/^[\s:-]+|[\s:-]+$/g, '');
  return /^(Not Available|Error\(s\):?)?$/i.test(text) ? '' : text;
}

/** MSAL appends " - Timestamp: … - Trace ID: … - Correlation ID: …" and a doc link: noise in a one-line reason. */
function trimMsalTail(text: string): string {
  return text
    .replace(/\s*-?\s*(Timestamp|Description|Trace ID|Correlation ID|Error\(s\)):.*$/i, '')
    .replace(/\s*Trace ID:.*$/i, '')
    .trim();
}

function oauthFields(body: string | undefined | null): Pick<TokenEndpointFailure, 'error' | 'aadsts'> {
  if (!body) return {};
  const aadsts = /AADSTS\d+/.exec(body)?.[0];
  let error: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const field = (parsed as Record<string, unknown>).error;
      if (typeof field === 'string') error = field;
      else if (typeof field === 'object' && field !== null) {
        // ARM-style envelope from a gateway: { error: { code, message } }.
        const code = (field as Record<string, unknown>).code;
        if (typeof code === 'string') error = code;
      }
    }
  } catch {
    // Not JSON (an HTML error page from a proxy): the status says enough.
  }
  return { ...(error ? { error } : {}), ...(aadsts ? { aadsts } : {}) };
}

function networkReason(e: unknown): string {
  if (isRestError(e)) return e.code ?? e.message;
  if (e instanceof Error)
    return (e as { code?: unknown }).code !== undefined ? String((e as { code?: unknown }).code) : e.message;
  return String(e);
}

function withoutQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
