/**
 * Which way the Action signs in, decided from the inputs and the job's environment alone
 * (no network), so the choice is testable and explainable:
 *
 *   1. a client secret, when one is given (client-secret or creds.clientSecret): the user
 *      supplied it on purpose, as azure/login also prefers it;
 *   2. OIDC (workload identity federation), when client-id + tenant-id are set and the job may
 *      request an ID token (`permissions: id-token: write` sets ACTIONS_ID_TOKEN_REQUEST_URL);
 *   3. an Azure CLI session, e.g. the one azure/login left behind.
 *
 * With `auth-type: IDENTITY` (as azure/login) none of these: the runner's managed identity
 * (system-assigned, or the user-assigned one whose client-id is given).
 *
 * Every method not taken leaves a note, so a final "nothing worked" error can list them.
 */
import type { AuthInputs } from './authInputs';

export type AuthPlan =
  | {
      readonly kind: 'secret';
      readonly clientId: string;
      readonly tenantId: string;
      readonly secret: string;
      readonly origin: 'input' | 'creds';
    }
  | { readonly kind: 'oidc'; readonly clientId: string; readonly tenantId: string; readonly audience: string }
  | { readonly kind: 'identity'; readonly clientId?: string }
  | {
      readonly kind: 'cli';
      readonly tenantId?: string;
      /** Why OIDC and the client secret were not used, one line each. */
      readonly skipped: readonly string[];
    };

export const ID_TOKEN_URL_VAR = 'ACTIONS_ID_TOKEN_REQUEST_URL';

export function planAuth(inputs: AuthInputs, env: Readonly<Record<string, string | undefined>>): AuthPlan {
  const { clientId, tenantId } = inputs;
  if (inputs.authType === 'IDENTITY') return { kind: 'identity', ...(clientId ? { clientId } : {}) };
  if (inputs.clientSecret && clientId && tenantId) {
    return {
      kind: 'secret',
      clientId,
      tenantId,
      secret: inputs.clientSecret.value,
      origin: inputs.clientSecret.origin,
    };
  }
  const canRequestIdToken = !!env[ID_TOKEN_URL_VAR];
  if (clientId && tenantId && canRequestIdToken) {
    return { kind: 'oidc', clientId, tenantId, audience: inputs.audience };
  }
  const oidcNote =
    clientId && tenantId
      ? `OIDC: client-id and tenant-id are set, but the job cannot request an ID token (${ID_TOKEN_URL_VAR} is not set): grant \`permissions: id-token: write\` to the job.`
      : 'OIDC: not configured (client-id and tenant-id are not set).';
  return {
    kind: 'cli',
    ...(tenantId ? { tenantId } : {}),
    skipped: [
      oidcNote,
      'Client secret: not configured (neither client-secret nor creds with a clientSecret).',
    ],
  };
}
