/**
 * Microsoft's own SDK clients pointed at an emulator instance over verified TLS:
 * the same wiring a user does (endpoint + ARM scope + the emulator's CA).
 */
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { SecurityCenter } from '@azure/arm-security';
import { request as httpsRequest } from 'node:https';
import { loadScenario, type Emulator, type Scenario } from '../../../emulator';

export const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const DATA = 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e';

export function credentialFor(emu: Emulator, principal = 'jit-deployer'): TokenCredential {
  const p = emu.principals[principal];
  if (!p?.secret) throw new Error(`principal ${principal} has no secret`);
  return new ClientSecretCredential(emu.tenantId, p.clientId, p.secret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caPem },
  });
}

export interface Clients {
  security: SecurityCenter;
  network: NetworkManagementClient;
  compute: ComputeManagementClient;
}

export function clientsFor(
  emu: Emulator,
  credential: TokenCredential,
  subscriptionId = PROD,
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number },
): Clients {
  const common = {
    endpoint: emu.armUrl,
    // arm-security 5 (classic) reads `credentialScopes`; arm-network 39 / arm-compute 24 (modular)
    // read `credentials.scopes`. Each ignores the other's name, so give both.
    credentialScopes: [`${emu.armUrl}/.default`],
    credentials: { scopes: [`${emu.armUrl}/.default`] },
    tlsOptions: { ca: emu.caPem },
    ...(retryOptions ? { retryOptions } : {}),
  };
  return {
    security: new SecurityCenter(credential, subscriptionId, common),
    network: new NetworkManagementClient(credential, subscriptionId, common),
    compute: new ComputeManagementClient(credential, subscriptionId, common),
  };
}

/** All items of a paged SDK iterator. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function vmId(rg: string, vm: string, sub = PROD): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/** A plain HTTPS call (CA verified) for what SDKs hide: exact bytes, headers, odd inputs. */
export function raw(
  emu: Emulator,
  method: string,
  path: string,
  options: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, emu.armUrl);
    const payload = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = httpsRequest(
      url,
      {
        method,
        ca: emu.caPem,
        timeout: 10_000,
        headers: {
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...(payload
            ? { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(payload.length) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`raw ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function armToken(emu: Emulator, principal = 'jit-deployer'): Promise<string> {
  const token = await credentialFor(emu, principal).getToken(`${emu.armUrl}/.default`);
  if (!token) throw new Error('no token');
  return token.token;
}

/**
 * The default scenario with `jit-admin` as an Owner-like principal that may write JIT policies
 * anywhere (in place of the scenario's own `jit-admin`, whose role covers two resource groups).
 */
export function scenarioWithAdmin(): Scenario {
  const s = loadScenario(undefined);
  s.principals = s.principals.filter((p) => p.name !== 'jit-admin');
  s.principals.push({
    name: 'jit-admin',
    type: 'ServicePrincipal',
    clientId: '11111111-aaaa-4bbb-8ccc-0000000000ad',
    objectId: '22222222-aaaa-4bbb-8ccc-0000000000ad',
    secret: 'emulator-secret-jit-admin',
    roleAssignments: [{ scope: '/', actions: ['*'] }],
  });
  return s;
}
