/** State one identity service instance shares between its endpoints. */
import type { IssuedTokens } from './issuedTokens';
import type { CertificateCredential, SigningKey } from './keys';
import type { IdentityOptions, PrincipalSpec } from './types';

export interface PrincipalRecord {
  spec: PrincipalSpec;
  certificate?: CertificateCredential;
}

export interface IdentityContext {
  opts: IdentityOptions;
  key: SigningKey;
  byName: Map<string, PrincipalRecord>;
  byClientId: Map<string, PrincipalRecord>;
  byObjectId: Map<string, PrincipalRecord>;
  /** Tokens THIS instance issued (see issuedTokens.ts). */
  issuedAccessTokens: IssuedTokens;
  issuedOidcTokens: IssuedTokens;
  /** Origins this server answers on (authority host and ARM URL); discovery documents echo the one asked. */
  origins: string[];
  /** Per-response principal name, for the server's request log. */
  responsePrincipal: WeakMap<object, string>;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export function adoIssuer(organizationId: string): string {
  return `https://vstoken.dev.azure.com/${organizationId}`;
}

export function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
