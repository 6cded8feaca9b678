/**
 * Public IP consensus against the emulator's IP echo services: real HTTPS
 * (verified against the emulator's CA) through @azure/core-rest-pipeline.
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../../emulator';
import { CancelledError, IpResolutionError, describeError } from '../../../../shared/errors';
import { resolvePublicIp, type ResolvePublicIpOptions } from '../../../../shared/ip';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});
afterEach(() => {
  emu.control.ipEcho.reset();
});

// Generous: answers are local, but the machine may be busy; tests that need a timeout set their own.
const FAST = { providerTimeoutMs: 5_000, deadlineMs: 20_000 } as const;

function resolve(extra: Partial<ResolvePublicIpOptions> = {}): ReturnType<typeof resolvePublicIp> {
  return resolvePublicIp({ providers: emu.ipEchoUrls, tlsCa: emu.caPem, ...FAST, ...extra });
}

async function failure(extra: Partial<ResolvePublicIpOptions> = {}): Promise<IpResolutionError> {
  try {
    await resolve(extra);
  } catch (e) {
    if (e instanceof IpResolutionError) return e;
    throw e;
  }
  throw new Error('expected an IpResolutionError');
}

it('has at least three providers answering text, text with a newline and JSON', () => {
  expect(emu.ipEchoUrls.length).toBeGreaterThanOrEqual(3);
});

it('agrees on the egress IP when every provider answers (plain, newline, JSON)', async () => {
  const ip = await resolve();
  expect(ip.address).toBe('203.0.113.10');
  expect(ip.family).toBe('ipv4');
  expect(ip.agreedBy).toHaveLength(2);
});

it('follows the egress IP the providers see', async () => {
  emu.control.setEgressIp('198.51.100.77');
  try {
    expect((await resolve()).address).toBe('198.51.100.77');
  } finally {
    emu.control.setEgressIp('203.0.113.10');
  }
});

it('returns as soon as two agree, cancelling a provider that hangs', async () => {
  emu.control.ipEcho.set(0, { hang: true });
  // A long per-provider timeout: if we waited for the hung provider this would report its timeout instead.
  const ip = await resolve({ providerTimeoutMs: 60_000, deadlineMs: 120_000 });
  expect(ip.address).toBe('203.0.113.10');
  expect([...ip.agreedBy].sort()).toEqual([emu.ipEchoUrls[1], emu.ipEchoUrls[2]].sort());
  expect(ip.outcomes.find((o) => o.provider === emu.ipEchoUrls[0])?.problem).toMatch(/^cancelled/);
});

it('outvotes one provider answering HTML', async () => {
  emu.control.ipEcho.set(1, {
    body: '<!DOCTYPE html><html><body>Please log in to the hotel Wi-Fi</body></html>',
  });
  const ip = await resolve();
  expect(ip.address).toBe('203.0.113.10');
  expect(ip.agreedBy).not.toContain(emu.ipEchoUrls[1]);
});

it('reports a disagreement with what each provider answered', async () => {
  emu.control.ipEcho.set(0, { ip: '198.51.100.7' });
  emu.control.ipEcho.set(1, { ip: '192.0.2.44' });
  emu.control.ipEcho.set(2, { status: 503 });
  const e = await failure();
  expect(e.outcomes).toEqual([
    { provider: emu.ipEchoUrls[0], ip: '198.51.100.7' },
    { provider: emu.ipEchoUrls[1], ip: '192.0.2.44' },
    { provider: emu.ipEchoUrls[2], problem: 'HTTP 503' },
  ]);
  expect(e.message).toContain('did not agree');
  expect(describeError(e)).toContain('198.51.100.7');
});

it('reports garbage, a private address and a timeout', async () => {
  emu.control.ipEcho.set(0, { body: 'not-an-ip' });
  emu.control.ipEcho.set(1, { ip: '10.1.2.3' });
  emu.control.ipEcho.set(2, { hang: true });
  const e = await failure({ providerTimeoutMs: 1_500 });
  expect(e.outcomes).toEqual([
    { provider: emu.ipEchoUrls[0], problem: 'not an IP address: "not-an-ip"' },
    { provider: emu.ipEchoUrls[1], problem: '10.1.2.3 is a private address, not a public one' },
    { provider: emu.ipEchoUrls[2], problem: 'no answer within 1.5 s' },
  ]);
});

it('reports every provider down', async () => {
  for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { status: 500 + i });
  const e = await failure();
  expect(e.outcomes.map((o) => o.problem)).toEqual(['HTTP 500', 'HTTP 501', 'HTTP 502']);
});

it('reports unreachable providers', async () => {
  const closed = await unusedPort();
  const e = await failure({ providers: [`https://127.0.0.1:${closed}/a`, `https://127.0.0.1:${closed}/b`] });
  expect(e.outcomes.map((o) => o.problem)).toEqual([
    expect.stringMatching(/^request failed: .*ECONNREFUSED/),
    expect.stringMatching(/^request failed: .*ECONNREFUSED/),
  ]);
});

it('refuses a certificate it does not trust', async () => {
  // No tlsCa: the emulator's certificate is then not trusted.
  const e = await resolvePublicIp({ providers: emu.ipEchoUrls, ...FAST }).then(
    () => {
      throw new Error('expected an IpResolutionError');
    },
    (error: unknown) => error as IpResolutionError,
  );
  expect(e).toBeInstanceOf(IpResolutionError);
  expect(
    e.outcomes.every((o) => /^its TLS certificate is not trusted \([A-Z_]+\)$/.test(o.problem ?? '')),
  ).toBe(true);
  // Not temporary: the hint says what to trust, not "re-run".
  expect(e.hint).toContain('NODE_EXTRA_CA_CERTS');
});

it('bounds the whole resolution by the overall deadline', async () => {
  for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { hang: true });
  const e = await failure({ providerTimeoutMs: 60_000, deadlineMs: 300 });
  expect(e.message).toContain('within 0.3 s');
  expect(e.outcomes.map((o) => o.problem)).toEqual(Array(3).fill('no answer within the 0.3 s deadline'));
});

it('stops when the run is cancelled', async () => {
  for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { hang: true });
  const controller = new AbortController();
  const pending = resolve({ providerTimeoutMs: 60_000, deadlineMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await expect(pending).rejects.toBeInstanceOf(CancelledError);
});

describe('IPv6', () => {
  it('resolves an IPv6-only egress and says its family', async () => {
    for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { ip: '2001:DB8:0:0::10' });
    const ip = await resolve();
    expect(ip).toMatchObject({ address: '2001:db8::10', family: 'ipv6' });
  });

  it('names IPv6-only egress when only an IPv6 answer came back', async () => {
    emu.control.ipEcho.set(0, { ip: '2001:db8::10' });
    emu.control.ipEcho.set(1, { status: 502 });
    emu.control.ipEcho.set(2, { status: 502 });
    const e = await failure();
    expect(e.message).toContain('this agent seems to reach the internet over IPv6 only');
  });

  it('does not let an IPv4 and an IPv6 answer count as agreement', async () => {
    emu.control.ipEcho.set(0, { ip: '2001:db8::10' });
    emu.control.ipEcho.set(2, { status: 500 });
    await expect(resolve()).rejects.toBeInstanceOf(IpResolutionError);
  });

  it('treats an IPv4-mapped IPv6 answer as the IPv4 address', async () => {
    emu.control.ipEcho.set(0, { ip: '::ffff:203.0.113.10' });
    emu.control.ipEcho.set(1, { status: 500 });
    const ip = await resolve();
    expect(ip.address).toBe('203.0.113.10');
    expect(ip.agreedBy).toHaveLength(2);
  });
});

describe('fewer than three providers', () => {
  it('with one provider, takes its answer alone', async () => {
    const ip = await resolve({ providers: [emu.ipEchoUrls[0]!] });
    expect(ip.agreedBy).toEqual([emu.ipEchoUrls[0]]);
  });
  it('with two providers, requires both to agree', async () => {
    emu.control.ipEcho.set(1, { ip: '198.51.100.7' });
    await expect(resolve({ providers: emu.ipEchoUrls.slice(0, 2) })).rejects.toBeInstanceOf(
      IpResolutionError,
    );
  });
  it('counts a provider listed twice once', async () => {
    emu.control.ipEcho.set(1, { status: 500 });
    emu.control.ipEcho.set(2, { status: 500 });
    const e = await failure({ providers: [emu.ipEchoUrls[0]!, emu.ipEchoUrls[0]!, emu.ipEchoUrls[1]!] });
    expect(e.outcomes).toHaveLength(2);
  });
  it('refuses an empty list', async () => {
    await expect(resolve({ providers: [] })).rejects.toThrow('No IP providers are configured.');
  });
});

describe('proxy', () => {
  let proxy: Server;
  const tunnels: string[] = [];
  const sockets = new Set<{ destroy(): void }>();
  beforeAll(async () => {
    // A minimal HTTPS (CONNECT) proxy that records where it tunnels to.
    proxy = createServer();
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      sockets.add(client);
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    // CONNECT tunnels are detached from the server: close them by hand.
    for (const socket of sockets) socket.destroy();
    proxy.closeAllConnections();
    await new Promise((done) => proxy.close(done));
  });

  beforeEach(() => {
    tunnels.length = 0;
  });

  /** Runs the resolver in a child process with only the environment a real run has. */
  function resolveInChild(env: Record<string, string>): Promise<{ address?: string; error?: string }> {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(https?_proxy|no_proxy|all_proxy)$/i.test(k)),
    );
    return new Promise((done, fail) => {
      execFile(
        process.execPath,
        ['scripts/ts-run.mjs', 'tests/unit/shared/ip/fixtures/resolveMain.ts', ...emu.ipEchoUrls],
        { cwd: REPO_ROOT, env: { ...clean, NODE_EXTRA_CA_CERTS: emu.caPath, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const line = stdout.trim().split('\n').pop() ?? '';
          if (!line.startsWith('{')) fail(new Error(`child failed: ${error?.message ?? ''}\n${stderr}`));
          else done(JSON.parse(line) as { address?: string; error?: string });
        },
      );
    });
  }

  it('honours HTTPS_PROXY from the environment', async () => {
    const { port } = proxy.address() as AddressInfo;
    const result = await resolveInChild({ HTTPS_PROXY: `http://127.0.0.1:${port}` });
    expect(result).toEqual({ address: '203.0.113.10' });
    expect(tunnels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tunnels)).toEqual(new Set([new URL(emu.ipEchoUrls[0]!).host]));
  }, 60_000);

  it('honours NO_PROXY', async () => {
    const { port } = proxy.address() as AddressInfo;
    const result = await resolveInChild({ HTTPS_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '127.0.0.1' });
    expect(result).toEqual({ address: '203.0.113.10' });
    expect(tunnels).toEqual([]);
  }, 60_000);

  it('sends requests through an explicit proxy (Azure DevOps agent settings)', async () => {
    const { port } = proxy.address() as AddressInfo;
    // core-rest-pipeline ignores an in-process CA behind a proxy (it logs "TLS settings are not supported in
    // combination with custom Proxy"), so TLS fails here by design of the library; the tunnel shows the route.
    const e = await failure({ proxy: { settings: { host: 'http://127.0.0.1', port }, noProxy: [] } });
    expect(new Set(tunnels)).toEqual(new Set([new URL(emu.ipEchoUrls[0]!).host]));
    expect(e.outcomes).toHaveLength(3);
  });

  it("honours an explicit proxy's own bypass list, not only NO_PROXY", async () => {
    const { port } = proxy.address() as AddressInfo;
    const result = await resolve({
      providers: emu.ipEchoUrls,
      proxy: { settings: { host: 'http://127.0.0.1', port }, noProxy: ['.127.0.0.1'] },
    });
    expect(result.address).toBe('203.0.113.10');
    expect(tunnels).toEqual([]);
  });

  it('is really a proxy (sanity check of the test helper)', async () => {
    const { port } = proxy.address() as AddressInfo;
    const status = await new Promise<number>((done, fail) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'CONNECT', path: `127.0.0.1:${port}` });
      req.on('connect', (res, socket) => {
        socket.destroy();
        done(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end();
    });
    expect(status).toBe(200);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
