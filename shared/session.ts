/**
 * What a front-end hands the core: a credential and the cloud it belongs to.
 * Each front-end builds it its own way (GitHub: OIDC / secret / az session;
 * Azure DevOps: the service connection; CLI: @azure/identity's usual chain).
 * Building it fetches no token: the core's signIn (shared/azure/signIn.ts) does,
 * once, bounded, with the recorder and the words the front-end puts here.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { SignInFailure, TokenEndpointRecorder } from './azure/signInFailure';
import type { SignedInIdentity } from './azure/tokenIdentity';
import type { JitError } from './errors';
import type { ProxyRoute } from './proxy';

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
  /**
   * The credential's token-endpoint recorder, when the front-end gave it one: the identity
   * library drops the HTTP status and body, so a failed sign-in is described from the wire.
   */
  readonly recorder?: TokenEndpointRecorder;
  /**
   * The front-end's words for a failed first token request (its input names, its checklist).
   * Absent: "Could not sign in to Azure with <method> at <authority>: <reason>".
   */
  readonly signInError?: (failure: SignInFailure, cause: unknown) => JitError;
  /**
   * Asked by signIn once the first token is in: what only a working sign-in tells. The CLI's
   * chain learns which method answered, and only an Azure CLI session lends its subscription.
   */
  readonly afterSignIn?: () => Promise<SignedInDetails>;
  /** A proxy for every Azure call and IP lookup of the run (the Azure DevOps agent's); absent: HTTPS_PROXY. */
  readonly proxy?: ProxyRoute;
}

/** What `afterSignIn` may settle. */
export interface SignedInDetails {
  readonly method?: string;
  readonly subscriptionId?: string;
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
