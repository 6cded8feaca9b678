/**
 * The agent's proxy settings (Agent.ProxyUrl / ProxyUsername / ProxyPassword /
 * ProxyBypassList) reach every Azure call of the bundled task: a local CONNECT
 * proxy sees the tunnels, the password is masked, and the bypass list is honoured.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { startEmulator, type Emulator } from '../../../emulator';
import { describeStep, runAdoStep } from '../../helpers/adoAgent';
import { NODE_BINARIES } from '../../helpers/nodes';
import { agentEnv, connection, linesBeforeMasking, targetInputs } from './fixture';

jest.setTimeout(120_000);

const USER = 'build-agent';
const PASSWORD = 'proxy-pa55word-9f2c';

interface Proxy {
  readonly url: string;
  readonly tunnels: string[];
  readonly rejected: string[];
  close(): Promise<void>;
}

/** A CONNECT proxy on loopback that requires Basic credentials and records each tunnel's target. */
async function startProxy(): Promise<Proxy> {
  const tunnels: string[] = [];
  const rejected: string[] = [];
  const sockets = new Set<Socket>();
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    if (req.headers['proxy-authorization'] !== expected) {
      rejected.push(req.url ?? '');
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.each(NODE_BINARIES.map((n) => [n.name, n.path] as const))('agent proxy on %s', (_name, node) => {
  let emu: Emulator;
  let proxy: Proxy;

  beforeAll(async () => {
    emu = await startEmulator({ ruleDelayMs: 0 });
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await emu.stop();
  });
  beforeEach(() => {
    proxy.tunnels.length = 0;
    proxy.rejected.length = 0;
  });

  const run = (
    entry: 'main' | 'post',
    bypass: string[],
    taskVariables?: Record<string, string>,
    jobEnv: Record<string, string> = {},
  ) =>
    runAdoStep({
      node,
      entry,
      inputs: targetInputs(emu),
      endpoints: [connection(emu, 'secret')],
      env: {
        ...jobEnv,
        ...agentEnv(emu, 'secret'),
        // How the agent passes its proxy configuration to tasks (the password as a secret variable).
        AGENT_PROXYURL: proxy.url,
        AGENT_PROXYUSERNAME: USER,
        SECRET_AGENT_PROXYPASSWORD: PASSWORD,
        AGENT_PROXYBYPASSLIST: JSON.stringify(bypass),
      },
      ...(taskVariables ? { taskVariables } : {}),
    });

  it('sends sign-in and ARM calls through the proxy with its credentials, and masks the password', async () => {
    const opened = await run('main', []);

    expect({ result: opened.result?.result, log: describeStep(opened) }).toMatchObject({
      result: 'Succeeded',
    });
    const port = new URL(emu.armUrl).port;
    // Entra ID is reached as localhost:<port>, Resource Manager as 127.0.0.1:<port>: both tunnelled.
    expect(proxy.tunnels).toEqual(expect.arrayContaining([`127.0.0.1:${port}`, `localhost:${port}`]));
    expect(proxy.rejected).toEqual([]);
    expect(opened.secrets).toContain(PASSWORD);
    expect(opened.stdout).toContain(`Azure calls go through the agent's proxy ${proxy.url}`);
    // Masked before task-lib loads: task-lib itself debug-logs the proxy password while loading,
    // so the password may appear only after its setsecret (the agent masks every later line).
    expect(linesBeforeMasking(opened, PASSWORD)).toEqual([]);
    expect(opened.stderr).not.toContain(PASSWORD);

    const closed = await run('post', [], opened.taskVariables);
    expect(closed.result?.result).toBe('Succeeded');
  });

  it("takes the agent's proxy over an HTTPS_PROXY in the job's environment", async () => {
    // Nothing listens on port 9 (discard): a call that went there would fail.
    const opened = await run('main', [], undefined, { HTTPS_PROXY: 'http://127.0.0.1:9' });

    expect({ result: opened.result?.result, log: describeStep(opened) }).toMatchObject({
      result: 'Succeeded',
    });
    const port = new URL(emu.armUrl).port;
    expect(proxy.tunnels).toEqual(expect.arrayContaining([`127.0.0.1:${port}`, `localhost:${port}`]));

    const closed = await run('post', [], opened.taskVariables);
    expect(closed.result?.result).toBe('Succeeded');
  });

  it('leaves hosts on the bypass list out of the proxy', async () => {
    const opened = await run('main', ['127\\.0\\.0\\.1', '^localhost$']);

    expect({ result: opened.result?.result, log: describeStep(opened) }).toMatchObject({
      result: 'Succeeded',
    });
    expect(proxy.tunnels).toEqual([]);

    const closed = await run('post', ['127\\.0\\.0\\.1', 'localhost'], opened.taskVariables);
    expect(closed.result?.result).toBe('Succeeded');
    expect(proxy.tunnels).toEqual([]);
  });
});
