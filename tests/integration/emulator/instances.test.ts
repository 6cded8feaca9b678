/**
 * Start time (measured and printed, not asserted), 200 concurrent requests, and
 * two instances that share nothing: state, clock, faults, logs, budgets.
 */
import { startEmulator, generateScenario } from '../../../emulator';
import { PROD, all, clientsFor, credentialFor, raw, vmId } from './clients';

test('start time is printed; stop is idempotent', async () => {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = process.hrtime.bigint();
    const emu = await startEmulator();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    await Promise.all([emu.stop(), emu.stop()]);
  }
  console.log(
    `startEmulator: ${times.map((t) => `${t.toFixed(1)} ms`).join(', ')} (first includes per-process key generation)`,
  );
  expect(times).toHaveLength(3);
});

test('serves 200 concurrent SDK requests', async () => {
  const emu = await startEmulator();
  try {
    const c = clientsFor(emu, credentialFor(emu));
    await c.compute.virtualMachines.get('rg-web', 'web-01'); // one token for all
    emu.control.clearRequests();
    const calls = Array.from({ length: 200 }, (_, i) => {
      switch (i % 4) {
        case 0:
          return c.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit').then((p) => p.name);
        case 1:
          return c.network.networkSecurityGroups.get('rg-api', 'api-01-nsg').then((n) => n.name);
        case 2:
          return c.compute.virtualMachines.get('rg-web', 'web-02').then((v) => v.name);
        default:
          return c.network.networkInterfaces.get('rg-hub', 'fw-01-nic').then((n) => n.name);
      }
    });
    const names = await Promise.all(calls);
    expect(new Set(names)).toEqual(new Set(['web-jit', 'api-01-nsg', 'web-02', 'fw-01-nic']));
    const log = emu.control.requests();
    expect(log).toHaveLength(200);
    expect(log.every((r) => r.status === 200 && r.principal === 'jit-deployer')).toBe(true);
  } finally {
    await emu.stop();
  }
  // 200 TLS requests and a token: well under a second on an idle machine, but jest's 5 s
  // default failed on a loaded one. Generous, since what it proves is correctness, not speed.
}, 120_000);

test('two instances share no state', async () => {
  const [a, b] = await Promise.all([startEmulator(), startEmulator()]);
  try {
    expect(a.armUrl).not.toBe(b.armUrl);
    const ca = clientsFor(a, credentialFor(a), PROD, { maxRetries: 0 });
    const cb = clientsFor(b, credentialFor(b), PROD, { maxRetries: 0 });
    await ca.security.jitNetworkAccessPolicies.initiate('rg-web', 'eastus', 'web-jit', {
      virtualMachines: [
        {
          id: vmId('rg-web', 'web-01'),
          ports: [{ number: 22, endTimeUtc: new Date(Date.now() + 3600_000) }],
        },
      ],
    });
    const tokenA = await credentialFor(a).getToken(`${a.armUrl}/.default`);
    a.control.faults.add({ path: '/', status: 500, times: Infinity });
    a.control.setSecurityReadBudget(0);
    a.control.clock.advance(10 * 3600_000);
    a.scenario.subscriptions[0]!.displayName = 'mutated';

    const policy = await cb.security.jitNetworkAccessPolicies.get('rg-web', 'eastus', 'web-jit');
    expect(policy.requests).toEqual([]);
    expect(b.control.rules('web-01-nsg').filter((r) => r.jit === 'allow')).toEqual([]);
    expect(Math.abs(b.control.clock.now().getTime() - Date.now())).toBeLessThan(60_000);
    expect(b.control.requests().every((r) => r.status < 500)).toBe(true);
    expect(b.scenario.subscriptions[0]?.displayName).toBe('Contoso Production');
    expect(a.control.requests().filter((r) => r.path.endsWith('/initiate'))).toHaveLength(1);
    expect(b.control.requests().filter((r) => r.path.endsWith('/initiate'))).toHaveLength(0);
    // A token of one instance is not accepted by the other.
    const atB = await raw(b, 'GET', `/subscriptions/${PROD}/resourceGroups?api-version=2024-11-01`, {
      token: tokenA?.token ?? '',
    });
    expect(atB.status).toBe(401);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a generated bulk scenario serves its VMs and policies', async () => {
  const emu = await startEmulator({ scenario: generateScenario({ vms: 50, resourceGroups: 5 }) });
  try {
    const c = clientsFor(emu, credentialFor(emu));
    const policies = await all(c.security.jitNetworkAccessPolicies.list());
    expect(policies).toHaveLength(5);
    expect(policies.reduce((n, p) => n + p.virtualMachines.length, 0)).toBe(50);
    const vm = policies[0]?.virtualMachines[0]?.id ?? '';
    const rg = vm.split('/')[4] ?? '';
    await c.security.jitNetworkAccessPolicies.initiate(
      rg,
      policies[0]?.location ?? '',
      policies[0]?.name ?? '',
      {
        virtualMachines: [{ id: vm, ports: [{ number: 22, endTimeUtc: new Date(Date.now() + 600_000) }] }],
      },
    );
    expect(emu.control.rules().filter((r) => r.jit === 'allow').length).toBeGreaterThanOrEqual(1);
  } finally {
    await emu.stop();
  }
});
