/**
 * The public-IP echo services (emulator/ipEcho.ts) over HTTPS: the three provider
 * formats, the egress IP they report, and the faults tests steer per provider.
 */
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createIpEcho, DEFAULT_EGRESS_IP, type IpEcho } from '../../../emulator/ipEcho';
import { createTlsMaterial } from '../../../emulator/tls';

let server: Server;
let echo: IpEcho;
let urls: string[];
let ca: string;

beforeAll(async () => {
  const tls = await createTlsMaterial();
  ca = tls.caPem;
  echo = createIpEcho();
  server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
    if (!echo.handle(req, res, url)) res.writeHead(418).end('not an echo path');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  urls = echo.urls(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
afterEach(() => echo.reset());
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Reply {
  status: number;
  contentType: string | undefined;
  text: string;
}

function get(url: string, timeoutMs = 5_000, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

const at = (i: number): string => {
  const url = urls[i];
  if (!url) throw new Error(`no provider ${i}`);
  return url;
};

it('offers at least three providers: plain text, text with newline, JSON', async () => {
  expect(urls.length).toBeGreaterThanOrEqual(3);
  expect(new Set(urls).size).toBe(urls.length);
  const [plain, newline, json] = await Promise.all([get(at(0)), get(at(1)), get(at(2))]);
  expect(plain).toMatchObject({ status: 200, text: DEFAULT_EGRESS_IP });
  expect(newline).toMatchObject({ status: 200, text: `${DEFAULT_EGRESS_IP}\n` });
  expect(json.status).toBe(200);
  expect(json.contentType).toMatch(/^application\/json/);
  expect(JSON.parse(json.text)).toEqual({ ip: DEFAULT_EGRESS_IP });
});

it('reports the egress IP set for the agent, on every provider', async () => {
  echo.setEgressIp('198.51.100.7');
  expect(echo.egressIp()).toBe('198.51.100.7');
  const replies = await Promise.all(urls.map((u) => get(u)));
  expect(replies.map((r) => r.text.trim().replace(/^\{"ip":"(.*)"\}$/, '$1'))).toEqual(
    urls.map(() => '198.51.100.7'),
  );
});

it('lets one provider disagree, fail with a status, or answer a garbage body', async () => {
  echo.set(0, { ip: '192.0.2.1' });
  echo.set(1, { status: 503 });
  echo.set(2, { body: '<html>captive portal</html>' });
  const [a, b, c] = await Promise.all([get(at(0)), get(at(1)), get(at(2))]);
  expect(a.text).toBe('192.0.2.1');
  expect(b).toMatchObject({ status: 503, text: 'Service Unavailable' });
  expect(c).toMatchObject({ status: 200, text: '<html>captive portal</html>' });
});

it('delays by latencyMs, and a hanging provider leaves the client to its own timeout', async () => {
  echo.set(0, { latencyMs: 300 });
  const finished: string[] = [];
  const slow = get(at(0)).then((r) => finished.push(`slow:${r.text}`));
  const fast = get(at(2)).then(() => finished.push('fast'));
  await Promise.all([slow, fast]);
  // Asked first, answered last: the delayed provider still answers correctly.
  expect(finished).toEqual(['fast', `slow:${DEFAULT_EGRESS_IP}`]);
  echo.set(1, { hang: true });
  await expect(get(at(1), 200)).rejects.toThrow('client timeout');
});

it('reset() restores the defaults; bad indexes and other paths are refused', async () => {
  echo.setEgressIp('192.0.2.99');
  echo.set(0, { status: 500 });
  echo.reset();
  expect(await get(at(0))).toMatchObject({ status: 200, text: DEFAULT_EGRESS_IP });
  expect(() => echo.set(urls.length, { status: 500 })).toThrow(RangeError);
  const base = at(0).replace(/\/_ip\/.*$/, '');
  expect((await get(`${base}/_ip/nope`)).status).toBe(404);
  expect((await get(`${base}/other`)).status).toBe(418);
  expect((await get(at(0), 5_000, 'POST')).status).toBe(405);
});
