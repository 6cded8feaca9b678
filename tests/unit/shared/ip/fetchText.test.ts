/** The echo transport against a local HTTPS server that misbehaves in ways the emulator does not. */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTlsMaterial } from '../../../../emulator/tls';
import { EchoAborted, EchoTimeout, MAX_BODY, createEchoHttp } from '../../../../shared/ip/fetchText';

let server: Server;
let base = '';
let ca = '';

beforeAll(async () => {
  const tls = await createTlsMaterial();
  ca = tls.caPem;
  server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    if (req.url === '/stall-body') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('203.0.'); // ...and never the rest
      return;
    }
    if (req.url === '/huge') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && res.write(chunk)) {
          sent += 1;
        }
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', Connection: req.headers.connection ?? '' });
    res.end('203.0.113.10');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

it('reads a plain answer and asks the server to close the connection', async () => {
  const http = createEchoHttp({ tlsCa: ca });
  await expect(http.get(`${base}/ok`, 2_000, new AbortController().signal)).resolves.toEqual({
    status: 200,
    body: '203.0.113.10',
  });
});

it('times out a body that stalls after the headers', async () => {
  const http = createEchoHttp({ tlsCa: ca });
  await expect(http.get(`${base}/stall-body`, 300, new AbortController().signal)).rejects.toBeInstanceOf(
    EchoTimeout,
  );
});

it('reads at most MAX_BODY bytes of a huge answer', async () => {
  const http = createEchoHttp({ tlsCa: ca });
  const response = await http.get(`${base}/huge`, 5_000, new AbortController().signal);
  expect(response.body.length).toBe(MAX_BODY);
  expect(response.body).toBe('x'.repeat(MAX_BODY));
});

it('reports a caller abort as an abort, not as a timeout', async () => {
  const http = createEchoHttp({ tlsCa: ca });
  const controller = new AbortController();
  const pending = http.get(`${base}/stall-body`, 60_000, controller.signal);
  setTimeout(() => controller.abort(), 50);
  const error: unknown = await pending.catch((e: unknown) => e);
  // Settled by the abort itself, not by whatever (if anything) the transport reports for the cut stream.
  expect(error).not.toBeInstanceOf(EchoTimeout);
  expect(error).toBeInstanceOf(EchoAborted);
  expect((error as Error).name).toBe('AbortError');
});
