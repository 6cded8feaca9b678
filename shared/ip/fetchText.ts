/**
 * One GET to an IP echo service through @azure/core-rest-pipeline, so
 * HTTPS_PROXY / NO_PROXY (or explicit proxy settings from the Azure DevOps
 * agent) and an extra CA are honoured the same way as for the Azure SDKs.
 *
 * Deliberately not the SDKs' default pipeline: no retries (other providers are
 * the redundancy) and no redirects (a redirect could downgrade to http). The
 * timeout covers the whole exchange, body included (the pipeline's own
 * `timeout` stops at the response headers), and at most MAX_BODY bytes are read.
 * Requests ask for `Connection: close`: one request per provider per run, and a
 * kept-alive socket would only hold the process open afterwards.
 */
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  proxyPolicy,
  tlsPolicy,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import type { ProxyRoute } from '../proxy';

export const MAX_BODY = 4096;

export interface EchoHttpOptions {
  /** Extra trusted CA certificate (PEM). Replaces the default CAs for these calls, as Node's `ca` does. */
  readonly tlsCa?: string;
  /** Explicit proxy and its bypass list; default: HTTPS_PROXY / NO_PROXY from the environment. */
  readonly proxy?: ProxyRoute;
  /** Transport (tests); default: core-rest-pipeline's Node client. */
  readonly client?: HttpClient;
}

export interface EchoResponse {
  readonly status: number;
  readonly body: string;
}

export interface EchoHttp {
  get(url: string, timeoutMs: number, signal: AbortSignal): Promise<EchoResponse>;
}

async function readCapped(stream: NodeJS.ReadableStream | undefined, max: number): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    size += buf.length;
    if (size >= max) break;
  }
  // Breaking out of for-await destroys the stream; the rest of a large page is never downloaded.
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

export function createEchoHttp(options: EchoHttpOptions = {}): EchoHttp {
  const pipeline: Pipeline = createEmptyPipeline();
  if (options.tlsCa) pipeline.addPolicy(tlsPolicy({ ca: options.tlsCa }));
  const { proxy } = options;
  pipeline.addPolicy(
    proxy ? proxyPolicy(proxy.settings, { customNoProxyList: [...proxy.noProxy] }) : proxyPolicy(),
  );
  const client: HttpClient = options.client ?? createDefaultHttpClient();

  const exchange = async (url: string, both: AbortSignal): Promise<EchoResponse> => {
    const request = createPipelineRequest({
      url,
      method: 'GET',
      abortSignal: both,
      // No `timeout` here: besides stopping at the headers, the HTTP client (1.24) leaves that timer
      // running when the request fails (e.g. ECONNREFUSED), keeping the process alive for its length.
      streamResponseStatusCodes: new Set([Number.POSITIVE_INFINITY]),
    });
    request.headers.set('Accept', 'text/plain, application/json;q=0.9, */*;q=0.1');
    request.headers.set('Connection', 'close');
    const response = await pipeline.sendRequest(client, request);
    const body = await readCapped(response.readableStreamBody, MAX_BODY);
    return { status: response.status, body };
  };

  return {
    async get(url, timeoutMs, signal) {
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), timeoutMs);
      // Only bounds this request: an open socket keeps the process alive while it matters, and
      // resolvePublicIp's own deadline bounds the whole resolution. It must never be what keeps
      // a finished run alive (exit would wait for the full timeoutMs).
      timeout.unref();
      const both = AbortSignal.any([signal, timer.signal]);
      // Settle the moment either signal fires, whether or not the transport ever settles the
      // aborted request: the losers cancelled after consensus must not linger with a live timer.
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new EchoAborted());
        if (both.aborted) onAbort();
        else both.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([exchange(url, both), aborted]);
      } catch (e) {
        if (timer.signal.aborted && !signal.aborted) throw new EchoTimeout(timeoutMs);
        throw e;
      } finally {
        clearTimeout(timeout);
        both.removeEventListener('abort', onAbort);
      }
    },
  };
}

/** The caller cancelled the request (consensus reached, run cancelled). */
export class EchoAborted extends Error {
  constructor() {
    super('The operation was aborted.');
    this.name = 'AbortError';
  }
}

export class EchoTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s`);
    this.name = 'EchoTimeout';
  }
}
