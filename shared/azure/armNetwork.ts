/**
 * The Network operations the core calls, from the modular @azure/arm-network:
 * each is Microsoft's generated per-operation function bound to one client
 * context, so the bundle holds these few operations and not the provider's
 * ~170 operation groups (see scripts/azure-api-paths.mjs for the imports).
 */
import type { TokenCredential } from '@azure/core-auth';
import type {
  NetworkInterface,
  NetworkSecurityGroup,
  PublicIPAddress,
  SecurityRule,
  Subnet,
} from '@azure/arm-network';
import { createNetworkManagement, type NetworkManagementClientOptionalParams } from '@azure/arm-network/api';
import { get as getNic, list as listNics } from '@azure/arm-network/api/networkInterfaces';
import { get as getNsg, list as listNsgs } from '@azure/arm-network/api/networkSecurityGroups';
import { get as getPublicIp, list as listPublicIps } from '@azure/arm-network/api/publicIPAddresses';
import { $delete as deleteRule, get as getRule } from '@azure/arm-network/api/securityRules';
import { get as getSubnet, list as listSubnets } from '@azure/arm-network/api/subnets';
import type { CallOptions, PagedList } from './call';

/** Options of a long-running delete: how often its operation status is polled. */
export interface DeleteOptions extends CallOptions {
  readonly updateIntervalInMs?: number;
}

/** One HTTP answer as ARM sent it: status, headers (Retry-After, correlation ID) and body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | undefined };
  /** The parsed JSON body (an ARM error object on failure), undefined when empty. */
  readonly body: unknown;
}

/** The api-version arm-network's own securityRules operations send. */
const SECURITY_RULES_API_VERSION = '2026-01-01';

/** An accepted long-running operation (core-lro's poller). */
export interface Poller<T> {
  pollUntilDone(): Promise<T>;
  readonly isDone: boolean;
}

export interface NetworkClient {
  readonly networkSecurityGroups: {
    get(resourceGroup: string, name: string, o?: CallOptions): Promise<NetworkSecurityGroup>;
    /** The NSGs of one resource group, with their rules, following nextLink pages. */
    list(resourceGroup: string, o?: CallOptions): PagedList<NetworkSecurityGroup>;
  };
  readonly securityRules: {
    get(resourceGroup: string, nsg: string, name: string, o?: CallOptions): Promise<SecurityRule>;
    /**
     * One DELETE and its answer, whatever the status: no long-running-operation
     * poller (it reads the operation's status at subscription scope, which an
     * identity scoped to a resource group may not read) and no throw on 409/429,
     * so the caller decides how to retry and confirms with `get`.
     */
    deleteOnce(resourceGroup: string, nsg: string, name: string, o?: CallOptions): Promise<RawResponse>;
    /** Resolves once Azure accepted the delete; the poller waits for its end. */
    beginDelete(resourceGroup: string, nsg: string, name: string, o?: DeleteOptions): Promise<Poller<void>>;
    /** Deletes and waits until the operation ended. */
    beginDeleteAndWait(resourceGroup: string, nsg: string, name: string, o?: DeleteOptions): Promise<void>;
  };
  readonly networkInterfaces: {
    get(resourceGroup: string, name: string, o?: CallOptions): Promise<NetworkInterface>;
    list(resourceGroup: string, o?: CallOptions): PagedList<NetworkInterface>;
  };
  readonly subnets: {
    get(resourceGroup: string, vnet: string, name: string, o?: CallOptions): Promise<Subnet>;
    /** The subnets of one VNet (what `virtualNetworks/subnets/read` allows; a VNet GET needs `virtualNetworks/read`). */
    list(resourceGroup: string, vnet: string, o?: CallOptions): PagedList<Subnet>;
  };
  readonly publicIPAddresses: {
    get(resourceGroup: string, name: string, o?: CallOptions): Promise<PublicIPAddress>;
    list(resourceGroup: string, o?: CallOptions): PagedList<PublicIPAddress>;
  };
}

export function createNetworkClient(
  credential: TokenCredential,
  subscriptionId: string,
  options: NetworkManagementClientOptionalParams,
): NetworkClient {
  const c = createNetworkManagement(credential, subscriptionId, options);
  return {
    networkSecurityGroups: {
      get: (rg, name, o) => getNsg(c, rg, name, o),
      list: (rg, o) => listNsgs(c, rg, o),
    },
    securityRules: {
      get: (rg, nsg, name, o) => getRule(c, rg, nsg, name, o),
      deleteOnce: async (rg, nsg, name, o) => {
        const r = await c
          .pathUnchecked(
            '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}',
            c.subscriptionId,
            rg,
            nsg,
            name,
          )
          .delete({
            queryParameters: { 'api-version': SECURITY_RULES_API_VERSION },
            ...(o?.abortSignal ? { abortSignal: o.abortSignal } : {}),
          });
        const headers: Record<string, string | undefined> = r.headers;
        return { status: Number(r.status), headers: { get: (h) => headers[h.toLowerCase()] }, body: r.body };
      },
      beginDelete: async (rg, nsg, name, o) => {
        const poller = deleteRule(c, rg, nsg, name, o);
        await poller.submitted();
        // Not the poller itself: it is a thenable, and returning it would wait for the end.
        return {
          pollUntilDone: () => poller.pollUntilDone(),
          get isDone() {
            return poller.isDone;
          },
        };
      },
      beginDeleteAndWait: async (rg, nsg, name, o) => {
        await deleteRule(c, rg, nsg, name, o);
      },
    },
    networkInterfaces: {
      get: (rg, name, o) => getNic(c, rg, name, o),
      list: (rg, o) => listNics(c, rg, o),
    },
    subnets: {
      get: (rg, vnet, name, o) => getSubnet(c, rg, vnet, name, o),
      list: (rg, vnet, o) => listSubnets(c, rg, vnet, o),
    },
    publicIPAddresses: {
      get: (rg, name, o) => getPublicIp(c, rg, name, o),
      list: (rg, o) => listPublicIps(c, rg, o),
    },
  };
}
