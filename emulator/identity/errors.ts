/**
 * Entra ID (AADSTS) error responses in the exact envelope the real token
 * endpoint returns, because clients surface `error_description` verbatim and
 * users search for the AADSTS code:
 *
 *   {"error":"invalid_client","error_description":"AADSTS7000215: ...\r\nTrace ID: ...\r\nCorrelation ID: ...\r\nTimestamp: 2026-11-22 01:02:03Z",
 *    "error_codes":[7000215],"timestamp":"2026-11-22 01:02:03Z","trace_id":"...","correlation_id":"...","error_uri":"https://.../error?code=7000215"}
 *
 * The texts are the public ones (docs and reported errors); where Entra inserts
 * the tenant's display name we insert the tenant id.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from './http';

export class AadError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly code: number,
    readonly text: string,
  ) {
    super(`AADSTS${code}: ${text}`);
    this.name = 'AadError';
  }
}

/** Entra's timestamp format: `2026-11-22 01:02:03Z`. */
export function aadTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function sendAadError(
  res: ServerResponse,
  err: AadError,
  correlationId: string,
  errorBase: string,
): void {
  const traceId = randomUUID();
  const timestamp = aadTimestamp(new Date());
  sendJson(
    res,
    err.status,
    {
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${errorBase}/error?code=${err.code}`,
    },
    { 'x-ms-request-id': traceId, 'client-request-id': correlationId },
  );
}

const CERT_DOCS =
  'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';

export const aad = {
  tenantNotFound: (tenant: string) =>
    new AadError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  postOnly: (method: string) =>
    new AadError(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST requests. Received a ${method} request.`,
    ),
  missingParameter: (name: string) =>
    new AadError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  unsupportedGrant: (grant: string) =>
    new AadError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grant}'.`,
    ),
  unknownClient: (clientId: string, tenant: string) =>
    new AadError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  noCredential: () =>
    new AadError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  invalidSecret: (clientId: string) =>
    new AadError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  badAssertionType: () =>
    new AadError(
      401,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    ),
  malformedAssertion: () => new AadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.'),
  keyNotFound: (thumbprint: string, clientId: string) =>
    new AadError(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployguide/graph-deployment-planning#graph-permissions for more information.]`,
    ),
  badSignature: (clientId: string) =>
    new AadError(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
    ),
  federatedSignature: () =>
    new AadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.'),
  assertionTime: (now: Date, nbf: Date | undefined, exp: Date | undefined) =>
    new AadError(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${nbf?.toISOString() ?? 'unknown'}, expiry time of assertion ${exp?.toISOString() ?? 'unknown'}. ${CERT_DOCS}`,
    ),
  assertionAudience: () =>
    new AadError(
      401,
      'invalid_client',
      700023,
      `Client assertion audience claim does not match Realm issuer. ${CERT_DOCS}`,
    ),
  assertionClientMismatch: () =>
    new AadError(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter. " + CERT_DOCS,
    ),
  noFederatedMatch: (issuer: string, subject: string, audience: string) =>
    new AadError(
      400,
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    ),
  badScope: (scope: string) =>
    new AadError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  unknownResource: (resource: string, tenant: string) =>
    new AadError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
};
