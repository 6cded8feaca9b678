/** The optional TCP probe, against a local listener (loopback only). */
import { createServer, type Server } from 'node:net';
import { TimeoutError } from '../../../../shared/errors';
import { CLI } from '../../../../shared/frontEnd';
import { probeUntilOpen, tcpConnect } from '../../../../shared/jit/probe';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

it('connects to an open port', async () => {
  await expect(tcpConnect('127.0.0.1', port, 2000)).resolves.toBeUndefined();
});

it('gives up on a closed port with a TimeoutError that says what to check', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  const error = await probeUntilOpen('127.0.0.1', closedPort, 300).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TimeoutError);
  expect((error as TimeoutError).message).toContain(
    `127.0.0.1:${closedPort} did not accept a TCP connection`,
  );
  expect((error as TimeoutError).hint).toContain('turn the probe off with probe: false');
  expect((error as TimeoutError).hintFor(CLI)).toContain('turn the probe off with --probe false');
});
