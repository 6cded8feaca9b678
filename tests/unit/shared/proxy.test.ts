/**
 * The explicit proxy (shared/proxy.ts) through core-rest-pipeline's real pipeline: every host
 * gets the proxy agent except those on the route's own list, which go direct.
 */
import {
  createPipelineFromOptions,
  createPipelineRequest,
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';
import { bypassesProxy, proxyPipelineOptions, type ProxyRoute } from '../../../shared/proxy';

describe('bypassesProxy', () => {
  const list = ['.corp.local', 'localhost', '.10.0.0.5'];
  it.each([
    ['https://corp.local/x', true],
    ['https://vault.corp.local/x', true],
    ['https://localhost:8443/', true],
    ['https://10.0.0.5/', true],
    ['https://management.azure.com/', false],
    ['https://notcorp.local/', false],
    ['https://sub.localhost/', false],
  ])('%s -> %s', (url, bypassed) => {
    expect(bypassesProxy(url, list)).toBe(bypassed);
  });

  it('bypasses nothing with an empty list', () => {
    expect(bypassesProxy('https://localhost/', [])).toBe(false);
  });
});

describe('proxyPipelineOptions', () => {
  const route: ProxyRoute = {
    settings: { host: 'http://proxy.corp', port: 3128, username: 'u', password: 'p%40ss' },
    noProxy: ['.corp.local'],
  };

  /** Sends `url` through a pipeline built from the options; returns the agent the transport was handed. */
  async function agentFor(url: string): Promise<PipelineRequest['agent']> {
    let seen: PipelineRequest | undefined;
    const transport: HttpClient = {
      sendRequest: (request) => {
        seen = request;
        return Promise.resolve({ request, status: 200, headers: createHttpHeaders() });
      },
    };
    const options = proxyPipelineOptions(route, transport);
    const pipeline = createPipelineFromOptions({ proxyOptions: options.proxyOptions });
    await pipeline.sendRequest(options.httpClient, createPipelineRequest({ url }));
    if (!seen) throw new Error('the transport was never called');
    return seen.agent;
  }

  it('sends a host that is not on the list through the proxy, with its credentials', async () => {
    const agent = (await agentFor('https://management.azure.com/subscriptions')) as unknown as {
      proxy?: URL;
    };
    expect(agent).toBeDefined();
    expect(agent.proxy?.href).toBe('http://u:p%40ss@proxy.corp:3128/');
  });

  it('sends a listed host direct', async () => {
    expect(await agentFor('https://login.corp.local/tenant/oauth2/v2.0/token')).toBeUndefined();
  });
});
