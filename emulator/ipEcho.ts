/**
 * Public-IP echo services, modelled on the ones pipelines really call: ipify
 * (plain text, no newline), icanhazip (text with a trailing newline) and ipify's
 * JSON form (`{"ip":"..."}`). Everything here runs on loopback, so the address
 * they "see" is the configurable egress IP, not the socket's peer address.
 * Tests steer each provider's answer and faults to exercise the core's IP resolution.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

export const DEFAULT_EGRESS_IP = '203.0.113.10';

export interface IpEchoBehaviour {
  /** Answer this IP instead of the egress IP (providers disagreeing, or a bogus value). */
  ip?: string;
  /** Answer with this status; non-2xx gets the reason phrase as body unless `body` is set. */
  status?: number;
  /** Raw body to send instead of the provider's normal rendering. */
  body?: string;
  /** Wait this long before answering. */
  latencyMs?: number;
  /** Accept the request and never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface IpEcho {
  /** Serves `/_ip/...`; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** The providers' URLs on a server whose origin is `baseUrl`, in index order. */
  urls(baseUrl: string): string[];
  setEgressIp(ip: string): void;
  egressIp(): string;
  /** Changes provider `index`'s behaviour until `reset()`. */
  set(index: number, behaviour: IpEchoBehaviour): void;
  /** Clears every behaviour and restores the default egress IP. */
  reset(): void;
}

interface Provider {
  path: string;
  contentType: string;
  render(ip: string): string;
}

const PREFIX = '/_ip/';

const PROVIDERS: readonly Provider[] = [
  { path: 'ipify', contentType: 'text/plain', render: (ip) => ip },
  { path: 'icanhazip', contentType: 'text/plain; charset=utf-8', render: (ip) => `${ip}\n` },
  { path: 'ipify-json', contentType: 'application/json', render: (ip) => JSON.stringify({ ip }) },
];

export function createIpEcho(): IpEcho {
  let egress = DEFAULT_EGRESS_IP;
  let behaviours = new Map<number, IpEchoBehaviour>();

  function respond(res: ServerResponse, provider: Provider, behaviour: IpEchoBehaviour): void {
    const status = behaviour.status ?? 200;
    const ok = status >= 200 && status < 300;
    const body =
      behaviour.body ?? (ok ? provider.render(behaviour.ip ?? egress) : (STATUS_CODES[status] ?? 'Error'));
    res.writeHead(status, {
      'Content-Type': ok && behaviour.body === undefined ? provider.contentType : 'text/plain',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  return {
    handle(req, res, url) {
      if (!url.pathname.startsWith(PREFIX)) return false;
      const index = PROVIDERS.findIndex((p) => url.pathname === PREFIX + p.path);
      const provider = PROVIDERS[index];
      if (!provider) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
        return true;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' }).end('Method Not Allowed');
        return true;
      }
      // Snapshot now: a behaviour changed while this request waits must not affect it.
      const behaviour = { ...(behaviours.get(index) ?? {}) };
      if (behaviour.hang) return true; // the server's stop() tears the socket down
      const latency = behaviour.latencyMs ?? 0;
      if (latency <= 0) {
        respond(res, provider, behaviour);
        return true;
      }
      const timer = setTimeout(() => respond(res, provider, behaviour), latency);
      res.on('close', () => clearTimeout(timer));
      return true;
    },
    urls(baseUrl) {
      const origin = baseUrl.replace(/\/+$/, '');
      return PROVIDERS.map((p) => `${origin}${PREFIX}${p.path}`);
    },
    setEgressIp(ip) {
      egress = ip;
    },
    egressIp() {
      return egress;
    },
    set(index, behaviour) {
      if (!Number.isInteger(index) || index < 0 || index >= PROVIDERS.length) {
        throw new RangeError(
          `ipEcho.set: index ${index} is out of range; there are ${PROVIDERS.length} providers (0-${PROVIDERS.length - 1}).`,
        );
      }
      behaviours.set(index, { ...behaviour });
    },
    reset() {
      egress = DEFAULT_EGRESS_IP;
      behaviours = new Map();
    },
  };
}
