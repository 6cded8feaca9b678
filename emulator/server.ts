/**
 * The emulator's HTTPS server. One port serves everything: identity first
 * (Entra ID, OIDC, managed identity), then the `/_ip/` echo services, then ARM.
 * Faults apply before any of them, so a test can break token acquisition as
 * easily as an ARM call; every request lands in the request log.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ArmHandler } from './arm';
import { providerOfPath } from './arm';
import { armHeaders } from './arm/respond';
import type { Clock } from './clock';
import { defaultFaultBody, type Faults } from './control/faults';
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

export async function startServer(
  deps: ServerDeps,
  tls: { certPem: string; keyPem: string },
  port: number,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const time = deps.clock.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    let provider: LogProvider = url.pathname.startsWith('/_ip/') ? 'ip' : 'identity';
    let principal: string | undefined;
    let apiVersion = url.searchParams.get('api-version') ?? undefined;
    let write = method !== 'GET' && method !== 'HEAD';
    let logged = false;
    const logOnce = (status: number): void => {
      if (logged) return;
      logged = true;
      deps.log.add({
        time,
        method,
        path: url.pathname,
        ...(apiVersion !== undefined ? { apiVersion } : {}),
        ...(principal !== undefined ? { principal } : {}),
        status,
        durationMs: Date.now() - started,
        provider,
        write,
      });
    };
    res.on('finish', () => logOnce(res.statusCode));
    res.on('close', () => logOnce(res.writableFinished ? res.statusCode : 0));

    const body = await readBody(req);
    deps.clock.runDue();
    const identity = deps.identity();
    const isArm = !url.pathname.startsWith('/_ip/') && !isIdentityPath(url.pathname, deps.oidcPaths());
    if (deps.oidcPaths().includes(url.pathname)) provider = 'oidc';
    if (isArm) provider = providerOfPath(url.pathname);

    const fault = deps.faults.take(method, url.pathname + url.search);
    if (fault) {
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.hang) return; // stop() tears the socket down
      if (fault.status !== undefined) {
        const sub = /\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1];
        const payload = fault.body ?? defaultFaultBody(fault.status, sub, fault.retryAfter);
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const headers = armHeaders({ provider: isArm ? providerOfPath(url.pathname) : 'resources', method, now: deps.clock.now(), rateLimit: {} });
        headers['Content-Type'] = 'application/json; charset=utf-8';
        if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
        res.writeHead(fault.status, headers).end(text);
        return;
      }
    }

    if (!isArm || url.pathname.startsWith('/_ip/')) {
      if (await identity.handle(req, res, url, body)) {
        principal = identity.principalOf(res);
        return;
      }
      if (deps.ipEcho.handle(req, res, url)) {
        provider = 'ip';
        return;
      }
    }
    const out = deps.arm().handle({
      method,
      url,
      body,
      authorization: req.headers.authorization,
      correlationId: header(req, 'x-ms-correlation-request-id'),
    });
    provider = out.provider;
    principal = out.principal;
    apiVersion = out.apiVersion ?? apiVersion;
    write = out.write;
    const bytes = Buffer.from(out.body, 'utf8');
    res.writeHead(out.status, { ...out.headers, 'Content-Length': String(bytes.length) });
    res.end(method === 'HEAD' ? undefined : bytes);
  }

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'InternalServerError', message: `Emulator error: ${message}` } }));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  // `localhost` may resolve to ::1 first; serve it too when the host has IPv6 loopback.
  const v6: Server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, server.listeners('request')[0] as never);
  v6.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const v6Listening = await new Promise<boolean>((resolve) => {
    v6.once('error', () => resolve(false));
    v6.listen(actual, '::1', () => resolve(true));
  });

  return {
    port: actual,
    async stop() {
      const closing = [new Promise<void>((r) => server.close(() => r()))];
      if (v6Listening) closing.push(new Promise<void>((r) => v6.close(() => r())));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      if (v6Listening) v6.closeAllConnections();
      await Promise.all(closing);
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Paths the identity side serves (Entra, AD FS, metadata, OIDC, managed identity), never ARM. */
function isIdentityPath(path: string, oidcPaths: string[]): boolean {
  if (oidcPaths.includes(path)) return true;
  const p = path.toLowerCase();
  return !(p === '/subscriptions' || p.startsWith('/subscriptions/') || p === '/tenants' || p.startsWith('/tenants/') || p.startsWith('/providers/'));
}
