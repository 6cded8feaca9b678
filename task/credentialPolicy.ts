/**
 * A pipeline policy for the credential's own HTTP calls (Entra ID token requests,
 * the Azure DevOps OIDC request, managed-identity endpoints). It does two things
 * @azure/identity leaves to the caller:
 *  - masks every token in a response body (`access_token`, the pipeline's
 *    `oidcToken`) the moment it arrives, so even a debug log of the body is clean;
 *  - gives each attempt a timeout (the core's policy, whose timer is always
 *    cleared), so a silent endpoint cannot hang the step.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { timeoutPolicy } from '../shared';

/** core-client's AdditionalPolicyConfig (a credential option), without depending on core-client. */
export interface AdditionalPolicyConfig {
  readonly policy: PipelinePolicy;
  readonly position: 'perCall' | 'perRetry';
}

/** Per request; token endpoints answer in well under a second when healthy. */
export const CREDENTIAL_REQUEST_TIMEOUT_MS = 30_000;

const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token', 'oidcToken'] as const;

/** Token values found in a JSON body; [] when the body is not JSON or has none. */
export function tokensInBody(body: string | undefined | null): string[] {
  if (!body) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const record = parsed as Record<string, unknown>;
  return TOKEN_FIELDS.map((f) => record[f]).filter((v): v is string => typeof v === 'string' && v !== '');
}

export function credentialPolicy(setSecret: (value: string) => void): PipelinePolicy {
  return {
    name: 'adoCredentialPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      for (const token of tokensInBody(response.bodyAsText)) setSecret(token);
      return response;
    },
  };
}

/** For a credential's `additionalPolicies` option: once per call, before retries. */
export function credentialPolicies(setSecret: (value: string) => void): AdditionalPolicyConfig[] {
  return [
    { policy: credentialPolicy(setSecret), position: 'perCall' },
    { policy: timeoutPolicy(CREDENTIAL_REQUEST_TIMEOUT_MS), position: 'perRetry' },
  ];
}
