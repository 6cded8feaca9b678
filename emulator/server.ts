/**
 * The emulator's HTTPS server. One port serves everything: identity first
 * (Entra ID, OIDC, managed identity), then the `/_ip/` echo services, then ARM.
 * Faults apply before any of them, so a test can break token acquisition as
 * easily as an ARM call; every request lands in the request log.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { providerOfPath, type ArmHandler } from './arm';
import { armHeaders } from './arm/respond';
import type { Clock } from './clock';
import { defaultFaultBody, type Faults, type FaultSpec } from './control/faults';
import type { LogProvider, RequestLog } from './control/requestLog';
import type { IdentityService } from './identity/types';
import type { IpEcho } from './ipEcho';

export interface ServerDeps {
  clock: Clock;
  faults: Faults;
  log: RequestLog;
  /** Resolved after listen: identity needs the URLs, which need the port. */
  identity(): IdentityService;
  ipEcho: IpEcho;
  arm(): ArmHandler;
  /** Exact paths of the GitHub and Azure DevOps OIDC token services (logged as 'oidc'). */
  oidcPaths(): string[];
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** ARM owns /subscriptions, /tenants and /providers; everything else is tried on identity first. */
function isArmPath(path: string): boolean {
  const p = path.toLowerCase();
  return /^\/(subscriptions|tenants|providers)(\/|$)/.test(p);
}

/**
 * The request target as a URL. Runs of slashes in the path collapse to one, as ARM's
 * front door does: the Azure CLI builds `<endpoint-resource-manager>/metadata/endpoints`
 * by concatenation, so a cloud registered with a trailing slash asks for
 * `//metadata/endpoints`. (A bare `new URL('//x/y', base)` would even read `x` as a host.)
 */
export function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  const q = raw.indexOf('?');
  const path = (q === -1 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
  return new URL(`https://127.0.0.1${path.startsWith('/') ? '' : '/'}${path}${q === -1 ? '' : raw.slice(q)}`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

interface Exchange {
  method: string;
  url: URL;
  provider: LogProvider;
  principal?: string;
  apiVersion?: string;
  write: boolean;
}

/** Answers a fault with a status: ARM's headers and envelope unless the test gave a body. */
function writeFault(
  deps: ServerDeps,
  ex: Exchange,
  res: ServerResponse,
  fault: FaultSpec & { status: number },
  objectId?: string,
): void {
  const sub = /\/subscriptions\/([^/]+)/i.exec(ex.url.pathname)?.[1];
  const payload = fault.body ?? defaultFaultBody(fault.status, sub, fault.retryAfter, objectId);
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const provider =
    ex.provider === 'security' || ex.provider === 'network' || ex.provider === 'compute'
      ? ex.provider
      : 'resources';
  const headers = armHeaders({ provider, method: ex.method, now: deps.clock.now(), rateLimit: {} });
  headers['Content-Type'] = 'application/json; charset=utf-8';
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  res.writeHead(fault.status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
}

export async function startServer(
  deps: ServerDeps,
  tls: { certPem: string; keyPem: string },
  port: number,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const time = deps.clock.now();
    const url = requestUrl(req.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const arm = isArmPath(url.pathname);
    const ex: Exchange = {
      method,
      url,
      provider: arm
        ? providerOfPath(url.pathname)
        : url.pathname.startsWith('/_ip/')
          ? 'ip'
          : deps.oidcPaths().includes(url.pathname)
            ? 'oidc'
            : 'identity',
      write: method !== 'GET' && method !== 'HEAD',
      ...(url.searchParams.get('api-version')
        ? { apiVersion: url.searchParams.get('api-version') as string }
        : {}),
    };
    let logged = false;
    const logOnce = (status: number): void => {
      if (logged) return;
      logged = true;
      deps.log.add({
        time,
        method,
        path: url.pathname,
        ...(ex.apiVersion !== undefined ? { apiVersion: ex.apiVersion } : {}),
        ...(ex.principal !== undefined ? { principal: ex.principal } : {}),
        status,
        durationMs: Date.now() - started,
        provider: ex.provider,
        write: ex.write,
      });
    };
    // Log when the handler ends the response, before a byte leaves: a client that
    // has its answer must already find the call in the log (tests count calls).
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (ex.principal === undefined && (ex.provider === 'identity' || ex.provider === 'oidc')) {
        const principal = deps.identity().principalOf(res);
        if (principal !== undefined) ex.principal = principal;
      }
      logOnce(res.statusCode);
      return end(...args);
    }) as ServerResponse['end'];
    res.on('close', () => logOnce(res.writableFinished ? res.statusCode : 0));

    const body = await readBody(req);
    deps.clock.runDue();
    const identity = deps.identity();

    const fault = deps.faults.take(method, url.pathname + url.search);
    if (fault) {
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.hang) return; // stop() tears the socket down
      if (fault.status !== undefined) {
        // Who was refused, for the log and for the throttling message's actor.
        const auth = arm ? identity.authenticate(req.headers.authorization) : undefined;
        if (auth?.ok) ex.principal = auth.principal.name;
        writeFault(
          deps,
          ex,
          res,
          { ...fault, status: fault.status },
          auth?.ok ? auth.principal.objectId : undefined,
        );
        return;
      }
    }

    if (!arm) {
      if (await identity.handle(req, res, url, body)) return;
      if (deps.ipEcho.handle(req, res, url)) return;
    }
    const out = deps.arm().handle({
      method,
      url,
      body,
      authorization: req.headers.authorization,
      correlationId: header(req, 'x-ms-correlation-request-id'),
    });
    ex.provider = out.provider;
    ex.write = out.write;
    if (out.principal !== undefined) ex.principal = out.principal;
    if (out.apiVersion !== undefined) ex.apiVersion = out.apiVersion;
    const bytes = Buffer.from(out.body, 'utf8');
    res.writeHead(out.status, { ...out.headers, 'Content-Length': String(bytes.length) });
    res.end(method === 'HEAD' ? undefined : bytes);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({ error: { code: 'InternalServerError', message: `Emulator error: ${message}` } }),
      );
    });
  };
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const listen = (host: string, p: number): Promise<Server | undefined> =>
    new Promise((resolve) => {
      const server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, onRequest);
      server.on('connection', track);
      server.once('error', () => resolve(undefined));
      server.listen(p, host, () => resolve(server));
    });

  const main = await listen('127.0.0.1', port);
  if (!main)
    throw new Error(`The emulator cannot listen on 127.0.0.1:${port} (in use?). Pick another --port or 0.`);
  const actual = (main.address() as AddressInfo).port;
  // `localhost` may resolve to ::1 first; serve it too when the host has IPv6 loopback.
  const v6 = await listen('::1', actual);
  const servers = [main, ...(v6 ? [v6] : [])];

  return {
    port: actual,
    async stop() {
      const closing = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      for (const s of sockets) s.destroy();
      for (const s of servers) s.closeAllConnections();
      await Promise.all(closing);
    },
  };
}
