/**
 * An explicit proxy for the run's HTTP calls, handed to each pipeline as options
 * rather than written into process.env: the Azure DevOps agent has a proxy of its
 * own that it does not put in HTTPS_PROXY, and changing the environment of the
 * whole process would also reach code that never asked for it.
 *
 * core-rest-pipeline's `proxyOptions` sends every host through the proxy except
 * those in the environment's NO_PROXY (read once per process); it has no option
 * for a list of its own. So the route's list is applied by the transport: for a
 * listed host it drops the proxy agent the pipeline attached, and the request goes
 * direct with the pipeline's TLS settings. A transport rather than a policy,
 * because some credentials (ManagedIdentityCredential) replace the caller's
 * `additionalPolicies` with their own but keep its `httpClient`.
 */
import { createDefaultHttpClient, type HttpClient, type ProxySettings } from '@azure/core-rest-pipeline';

export interface ProxyRoute {
  /** Where calls go: core-rest-pipeline's settings (host with scheme, port, URL-encoded credentials). */
  readonly settings: ProxySettings;
  /** Hosts reached directly, as NO_PROXY spells them: `.corp.local` is that domain and every host under it, `host` that host only. */
  readonly noProxy: readonly string[];
}

/** Whether `url`'s host is on the list, by core-rest-pipeline's own NO_PROXY rules. */
export function bypassesProxy(url: string, noProxy: readonly string[]): boolean {
  const host = new URL(url).hostname;
  return noProxy.some((entry) =>
    entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry,
  );
}

/** The options an SDK client or an @azure/identity credential takes for the route. */
export interface ProxyPipelineOptions {
  readonly proxyOptions: ProxySettings;
  readonly httpClient: HttpClient;
}

/** `transport`: the HTTP client underneath (tests); default: core-rest-pipeline's. */
export function proxyPipelineOptions(
  route: ProxyRoute,
  transport: HttpClient = createDefaultHttpClient(),
): ProxyPipelineOptions {
  return {
    proxyOptions: route.settings,
    httpClient: {
      sendRequest: (request) => {
        if (bypassesProxy(request.url, route.noProxy)) delete request.agent;
        return transport.sendRequest(request);
      },
    },
  };
}
