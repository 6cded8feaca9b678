/**
 * The JIT operations of @azure/arm-security (classic generation: the only
 * one published), behind the narrow interface the core calls.
 *
 * The package's `SecurityCenter` constructs all ~50 of its operation groups,
 * so importing it bundles (and evaluates, at every start) every operation of
 * the Security provider. We take its generated JIT operation group alone and
 * give it the service client it expects: `JitClient` is what SecurityCenter's
 * own constructor sets up (same options, scope, user agent and `$host`).
 */
import type { SecurityCenter, SecurityCenterOptionalParams } from '@azure/arm-security';
import { JitNetworkAccessPoliciesImpl } from '@azure/arm-security/dist-esm/src/operations/jitNetworkAccessPolicies';
import { ServiceClient, type RawResponseCallback } from '@azure/core-client';
import type {
  JitNetworkAccessPolicy,
  JitNetworkAccessPolicyInitiateRequest,
  JitNetworkAccessRequest,
} from '@azure/arm-security';
import type { TokenCredential } from '@azure/core-auth';
import type { CallOptions as BaseCallOptions } from './call';
import {
  getWithRawHistory,
  listByResourceGroupNextWithoutHistory,
  listByResourceGroupWithoutHistory,
  type PolicyWithRawHistory,
} from './policyReadSpecs';

/** Security calls may also watch the raw response (the admin and calibration paths read status and headers). */
type CallOptions = BaseCallOptions & { readonly onResponse?: RawResponseCallback };

export interface SecurityClient {
  readonly jitNetworkAccessPolicies: {
    get(
      resourceGroup: string,
      location: string,
      name: string,
      o?: CallOptions,
    ): Promise<JitNetworkAccessPolicy>;
    /** The same, its request history as the JSON Azure sent (see policyReadSpecs.ts). */
    getWithRawHistory(
      resourceGroup: string,
      location: string,
      name: string,
      o?: CallOptions,
    ): Promise<PolicyWithRawHistory>;
    /** Every JIT policy of the subscription, following nextLink pages. */
    list(o?: CallOptions): AsyncIterable<JitNetworkAccessPolicy>;
    /** The JIT policies of one resource group (what a role at resource-group scope may read). */
    listByResourceGroup(resourceGroup: string, o?: CallOptions): AsyncIterable<JitNetworkAccessPolicy>;
    /** The same, without each policy's request history (`requests` absent): see policyReadSpecs.ts. */
    listByResourceGroupWithoutHistory(
      resourceGroup: string,
      o?: CallOptions,
    ): AsyncIterable<JitNetworkAccessPolicy>;
    listByResourceGroupAndRegion(
      resourceGroup: string,
      location: string,
      o?: CallOptions,
    ): AsyncIterable<JitNetworkAccessPolicy>;
    initiate(
      resourceGroup: string,
      location: string,
      name: string,
      body: JitNetworkAccessPolicyInitiateRequest,
      o?: CallOptions,
    ): Promise<JitNetworkAccessRequest>;
    createOrUpdate(
      resourceGroup: string,
      location: string,
      name: string,
      body: JitNetworkAccessPolicy,
      o?: CallOptions,
    ): Promise<JitNetworkAccessPolicy>;
    delete(resourceGroup: string, location: string, name: string, o?: CallOptions): Promise<void>;
  };
}

export function createSecurityClient(
  credential: TokenCredential,
  subscriptionId: string,
  options: SecurityCenterOptionalParams,
): SecurityClient {
  const client = new JitClient(credential, subscriptionId, options);
  const jit = new JitNetworkAccessPoliciesImpl(client as SecurityCenter);
  return {
    jitNetworkAccessPolicies: {
      get: (rg, location, name, o) => jit.get(rg, location, name, o),
      getWithRawHistory: (rg, location, name, o = {}) =>
        client.sendOperationRequest<PolicyWithRawHistory>(
          { resourceGroupName: rg, ascLocation: location, jitNetworkAccessPolicyName: name, options: o },
          getWithRawHistory,
        ),
      list: (o) => jit.list(o),
      listByResourceGroup: (rg, o) => jit.listByResourceGroup(rg, o),
      listByResourceGroupWithoutHistory: (rg, o) => listWithoutHistory(client, rg, o),
      listByResourceGroupAndRegion: (rg, location, o) => jit.listByResourceGroupAndRegion(rg, location, o),
      initiate: (rg, location, name, body, o) => jit.initiate(rg, location, name, body, o),
      createOrUpdate: (rg, location, name, body, o) => jit.createOrUpdate(rg, location, name, body, o),
      delete: (rg, location, name, o) => jit.delete(rg, location, name, o),
    },
  };
}

/** Every page's policies, following nextLink as the generated pager does. */
async function* listWithoutHistory(
  client: ServiceClient,
  resourceGroupName: string,
  options: CallOptions = {},
): AsyncIterable<JitNetworkAccessPolicy> {
  type Page = { value?: JitNetworkAccessPolicy[]; nextLink?: string };
  let page = await client.sendOperationRequest<Page>(
    { resourceGroupName, options },
    listByResourceGroupWithoutHistory,
  );
  yield* page.value ?? [];
  while (page.nextLink) {
    page = await client.sendOperationRequest<Page>(
      { resourceGroupName, nextLink: page.nextLink, options },
      listByResourceGroupNextWithoutHistory,
    );
    yield* page.value ?? [];
  }
}

const ARM = 'https://management.azure.com';

/** SecurityCenter's constructor (arm-security 5.0.0) without its operation groups. */
class JitClient extends ServiceClient {
  readonly subscriptionId: string;
  readonly $host: string;

  constructor(credential: TokenCredential, subscriptionId: string, options: SecurityCenterOptionalParams) {
    const packageDetails = 'azsdk-js-arm-security/5.0.0';
    const prefix = options.userAgentOptions?.userAgentPrefix;
    super({
      requestContentType: 'application/json; charset=utf-8',
      credential,
      ...options,
      credentialScopes: options.credentialScopes ?? [`${ARM}/.default`],
      userAgentOptions: { userAgentPrefix: prefix ? `${prefix} ${packageDetails}` : packageDetails },
      baseUri: options.endpoint ?? options.baseUri ?? ARM,
    });
    this.subscriptionId = subscriptionId;
    this.$host = options.$host ?? ARM;
  }
}
