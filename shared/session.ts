/**
 * What a front-end hands the core: a credential and the cloud it belongs to.
 * Each front-end builds it its own way (GitHub: OIDC / secret / az session;
 * Azure DevOps: the service connection; CLI: @azure/identity's usual chain).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { SignedInIdentity } from './azure/tokenIdentity';

export interface CloudEndpoints {
  /** `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`, `AzureStack` or `Custom`. */
  readonly name: string;
  /** Resource Manager base URL without a trailing slash, e.g. https://management.azure.com */
  readonly resourceManager: string;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com */
  readonly authorityHost: string;
  /** Token scope for ARM, e.g. https://management.azure.com/.default */
  readonly scope: string;
}

export interface AzureSession {
  /** One credential for the whole run: SDK clients share it so tokens are fetched once. */
  readonly credential: TokenCredential;
  /** Subscription for VMs given by name (from the service connection / subscription-id input). */
  readonly subscriptionId?: string;
  /** The cloud actually used. ADO takes it from the service connection, overriding the `cloud` input. */
  readonly cloud: CloudEndpoints;
  /** Logged, so users see which auth path was taken, e.g. "OIDC (workload identity federation)". */
  readonly method: string;
  /** Who signed in, from the first access token's claims (set by the core's signIn). */
  readonly identity?: SignedInIdentity;
}

/**
 * Builds the session. Main and post both call it with the cloud their inputs name
 * (never one read from saved state: state must not choose where credentials go).
 * Errors it throws should be `AuthError`s.
 */
export type Connect = ((cloud: CloudEndpoints) => Promise<AzureSession>) & {
  /**
   * The cloud a call with `requested` would sign in to, found without signing in:
   * a front-end whose connection decides the cloud (Azure DevOps: the service
   * connection) says so here, so post can compare it with the state's before any
   * credential leaves the process. Absent: `requested` itself.
   */
  readonly cloudFor?: (requested: CloudEndpoints) => CloudEndpoints;
};
