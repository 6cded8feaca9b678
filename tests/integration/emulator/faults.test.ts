/**
 * Fault injection (status + Retry-After, latency, reset, hang; next N requests, per
 * method and path, on every route) and ARM throttling: the real 429 body and the
 * Security read budget counting down from 749.
 */
import { startEmulator, type Emulator } from '../../../emulator';
import { PROD, armToken, clientsFor, credentialFor, raw, vmId } from './clients';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.stop());

const policyPath = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit?api-version=2020-01-01`;
const nsgPath = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg?api-version=2024-05-01`;

test('429 with Retry-After: the SDK waits, retries and succeeds; the log shows both', async () => {
  const c = clientsFor(emu, credentialFor(emu));
  emu.control.faults.add({
    method: 'GET',
    path: '/networkSecurityGroups/web-01-nsg',
    status: 429,
    retryAfter: 1,
  });
  const nsg = await c.network.networkSecurityGroups.get('rg-web', 'web-01-nsg');
  expect(nsg.name).toBe('web-01-nsg');
  const calls = emu.control.requests().filter((r) => r.path.endsWith('/web-01-nsg'));
  expect(calls.map((r) => r.status)).toEqual([429, 200]);
  expect(calls.map((r) => r.provider)).toEqual(['network', 'network']);
});

test('a 429 fault carries the real SubscriptionRequestsThrottled body; HTTP-date Retry-After is sent verbatim', async () => {
  const token = await armToken(emu);
  const date = new Date(Date.now() + 2000).toUTCString();
  emu.control.faults.add({ path: /jitNetworkAccessPolicies\/web-jit/, status: 429, retryAfter: 7, times: 2 });
  emu.control.faults.add({ path: 'networkSecurityGroups', status: 503, retryAfter: date });
  const first = await raw(emu, 'GET', policyPath, { token });
  expect(first.status).toBe(429);
  expect(first.headers['retry-after']).toBe('7');
  expect(first.json()).toEqual({
    error: {
      code: 'SubscriptionRequestsThrottled',
      message: `Number of 'read' requests for subscription '${PROD}' actor '${emu.principals['jit-deployer']?.objectId}' exceeded. Please try again after '7' seconds.`,
    },
  });
  expect((await raw(emu, 'GET', policyPath, { token })).status).toBe(429);
  expect((await raw(emu, 'GET', policyPath, { token })).status).toBe(200); // times: 2 used up
  const unavailable = await raw(emu, 'GET', nsgPath, { token });
  expect([unavailable.status, unavailable.headers['retry-after']]).toEqual([503, date]);
  expect((unavailable.json() as { error: { code: string } }).error.code).toBe('ServiceUnavailable');
});

test('faults match method and path, apply to identity routes too, and clear()', async () => {
  emu.control.faults.add({
    method: 'POST',
    path: '/oauth2/v2.0/token',
    status: 503,
    retryAfter: 1,
    body: { error: 'temporarily_unavailable' },
  });
  emu.control.faults.add({ method: 'DELETE', path: '/web-01-nsg', status: 500, times: Infinity });
  const tokenUrl = `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`;
  const failed = await raw(emu, 'POST', tokenUrl, { body: 'grant_type=client_credentials' });
  expect([failed.status, failed.headers['retry-after'], failed.text]).toEqual([
    503,
    '1',
    '{"error":"temporarily_unavailable"}',
  ]);
  const token = await armToken(emu); // the fault was for one request only
  expect((await raw(emu, 'GET', nsgPath, { token })).status).toBe(200); // GET is not DELETE
  const del = await raw(emu, 'DELETE', nsgPath.replace('?', '/securityRules/AllowHttpsInbound?'), { token });
  expect(del.status).toBe(500);
  expect((del.json() as { error: { code: string } }).error.code).toBe('InternalServerError');
  emu.control.faults.clear();
  expect(
    (await raw(emu, 'DELETE', nsgPath.replace('?', '/securityRules/AllowHttpsInbound?'), { token })).status,
  ).toBe(202);
  const log = emu.control.requests();
  expect(log[0]).toMatchObject({ method: 'POST', status: 503, provider: 'identity', write: true });
  expect(log.filter((r) => r.method === 'DELETE').map((r) => [r.status, r.provider, r.principal])).toEqual([
    [500, 'network', 'jit-deployer'],
    [202, 'network', 'jit-deployer'],
  ]);
});

test('latency delays the answer; reset drops the connection and the SDK retries', async () => {
  const c = clientsFor(emu, credentialFor(emu));
  emu.control.faults.add({ path: '/virtualMachines/web-01', latencyMs: 150 });
  await c.compute.virtualMachines.get('rg-web', 'web-01');
  const slow = emu.control.requests().find((r) => r.path.endsWith('/virtualMachines/web-01'));
  expect(slow?.status).toBe(200);
  expect(slow?.durationMs).toBeGreaterThanOrEqual(140);
  emu.control.clearRequests();
  emu.control.faults.add({ path: '/networkInterfaces/web-01-nic', reset: true });
  const nic = await c.network.networkInterfaces.get('rg-web', 'web-01-nic');
  expect(nic.name).toBe('web-01-nic');
  expect(
    emu.control
      .requests()
      .filter((r) => r.path.endsWith('/web-01-nic'))
      .map((r) => r.status),
  ).toEqual([0, 200]);
});

test('hang never answers: the client timeout fires', async () => {
  const c = clientsFor(emu, credentialFor(emu), PROD, { maxRetries: 0 });
  await c.compute.virtualMachines.get('rg-web', 'web-01'); // token first, so only the hang is timed
  emu.control.faults.add({ path: '/virtualMachines/web-02', hang: true });
  const signal = AbortSignal.timeout(300);
  await expect(
    c.compute.virtualMachines.get('rg-web', 'web-02', { abortSignal: signal }),
  ).rejects.toMatchObject({ name: 'AbortError' });
});

test('Security reads count down x-ms-ratelimit-remaining-subscription-resource-requests from 749, then 429', async () => {
  const token = await armToken(emu);
  emu.control.clock.freeze();
  const first = await raw(emu, 'GET', policyPath, { token });
  expect(first.headers['x-ms-ratelimit-remaining-subscription-resource-requests']).toBe('749');
  expect(first.headers['x-ms-ratelimit-remaining-subscription-reads']).toBeUndefined();
  expect(
    (await raw(emu, 'GET', policyPath, { token })).headers[
      'x-ms-ratelimit-remaining-subscription-resource-requests'
    ],
  ).toBe('748');
  emu.control.setSecurityReadBudget(1, { retryAfterSeconds: 3 });
  expect(
    (await raw(emu, 'GET', policyPath, { token })).headers[
      'x-ms-ratelimit-remaining-subscription-resource-requests'
    ],
  ).toBe('0');
  const throttled = await raw(emu, 'GET', policyPath, { token });
  expect(throttled.status).toBe(429);
  expect(throttled.headers['retry-after']).toBe('3');
  expect((throttled.json() as { error: { code: string; message: string } }).error).toMatchObject({
    code: 'SubscriptionRequestsThrottled',
    message: expect.stringContaining("Please try again after '3' seconds."),
  });
  // Network reads are a different budget.
  expect((await raw(emu, 'GET', nsgPath, { token })).status).toBe(200);
  emu.control.clock.advance(3000); // the window resets once Retry-After has passed
  const again = await raw(emu, 'GET', policyPath, { token });
  expect([again.status, again.headers['x-ms-ratelimit-remaining-subscription-resource-requests']]).toEqual([
    200,
    '749',
  ]);
});

test('the SDK honours the budget 429 and succeeds after the refill', async () => {
  const c = clientsFor(emu, credentialFor(emu));
  await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
  emu.control.setSecurityReadBudget(0, { retryAfterSeconds: 1 });
  const got = await c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
  expect(got.name).toBe('web-jit');
  const statuses = emu.control
    .requests()
    .filter((r) => r.path.endsWith('/web-jit'))
    .map((r) => r.status);
  expect(statuses).toEqual([200, 429, 200]);
  void vmId;
});
