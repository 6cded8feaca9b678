/**
 * What real Azure leaves unknown, one behaviour at a time, through the core
 * in-process (the matrix tests the same through the shipped bundles): a flaky
 * NSG read while waiting, a 202 without mappedPort or inferred source, a
 * firewall-only VM, state saved before initiate, and post's re-check.
 */
import { startEmulator } from '../../../emulator';
import { STATE_KEY } from '../../../shared/state';
import { withEmulator } from '../../helpers/ownEmulator';
import {
  allowRules,
  main,
  platformFor,
  post,
  savedState,
  until,
  vmId,
  type Emulator,
  EGRESS_IP,
} from './harness';

jest.setTimeout(60_000);

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

// The cases that wait (retries, a rule delay, a timeout) own their emulators and run concurrently.
it.concurrent(
  'a transient NSG read failure while waiting (404, reset) is retried until wait-timeout, not fatal',
  () =>
    withEmulator({ ruleDelayMs: 1500 }, async (e) => {
      const platform = platformFor(e);
      const running = main(e, platform);
      // Once initiate is accepted (state saved twice: pending, accepted), the wait's NSG reads start failing.
      await until(() => platform.stateWrites.length >= 2, 'initiate accepted');
      e.control.faults.add({
        method: 'GET',
        path: /networkSecurityGroups\/web-01-nsg\?/,
        status: 404,
        times: 2,
      });
      e.control.faults.add({
        method: 'GET',
        path: /networkSecurityGroups\/web-01-nsg\?/,
        reset: true,
        times: 1,
      });
      expect(await running).toBe(true);
      expect(platform.messages('info').join('\n')).toMatch(
        /Reading NSG web-01-nsg failed .*retrying until the wait times out/,
      );
      expect(allowRules(e, 'web-01-nsg')).toHaveLength(1);
      expect(await post(e, platform)).toBe(true);
      expect(allowRules(e, 'web-01-nsg')).toHaveLength(0);
    }),
);

it('echo minimal: the firewall mappedPort is read back from the policy history, not taken from the VM', async () => {
  emu = await startEmulator({ behaviour: { echo: 'minimal' } });
  // The firewall IP is unreachable here: probe off (firewallProbe.test.ts probes it).
  const platform = platformFor(emu, { vms: 'fw-01', 'resource-group': 'rg-hub', probe: 'false' });
  expect(await main(emu, platform)).toBe(true);
  expect(platform.outputs.get('host')).toBe('52.170.20.30');
  expect(platform.outputs.get('port')).toBe('50022');
  expect(await post(emu, platform)).toBe(true);
});

it('a 202 whose mappedPort is no port number is not taken as the port to connect to', async () => {
  emu = await startEmulator({ ruleDelayMs: 0 });
  // What users are told to connect to must be a TCP port: this answer's is text, which the SDK reads as NaN.
  const end = new Date(emu.control.clock.now().getTime() + 60 * 60_000).toISOString();
  emu.control.faults.add({
    method: 'POST',
    path: /jitNetworkAccessPolicies\/hub-jit\/initiate/,
    status: 202,
    body: {
      virtualMachines: [
        {
          id: vmId('fw-01', 'rg-hub'),
          ports: [
            {
              number: 22,
              allowedSourceAddressPrefix: EGRESS_IP,
              endTimeUtc: end,
              status: 'Initiating',
              statusReason: 'UserRequested',
              mappedPort: 'port 50022',
            },
          ],
        },
      ],
      startTimeUtc: new Date().toISOString(),
      requestor: '',
    },
    times: 1,
  });
  const platform = platformFor(emu, {
    vms: 'fw-01',
    'resource-group': 'rg-hub',
    probe: 'false',
    'wait-timeout': '3',
  });
  expect(await main(emu, platform)).toBe(false);
  // Not in the 202, and (the answer was not Azure's: no request was stored) not in the history either.
  expect(platform.failures[0]).toContain(
    "neither Azure's answer nor the policy's request history gives the firewall port",
  );
  expect(platform.outputs.get('port')).toBeUndefined();
});

it('echo minimal + source azure: the address comes from this run’s own history entry', async () => {
  emu = await startEmulator({ behaviour: { echo: 'minimal', sourceForm: 'prefixes' } });
  const platform = platformFor(emu, { source: 'azure' });
  expect(await main(emu, platform)).toBe(true);
  expect(platform.outputs.get('ip')).toBe(EGRESS_IP);
  expect(platform.messages('info').join('\n')).toContain("read back from this run's own request");
  expect(savedState(platform).source).toEqual({ kind: 'azure', prefix: EGRESS_IP });
  expect(await post(emu, platform)).toBe(true);
  expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
});

it.concurrent(
  'a firewall-only VM (no NSG) is accepted, and probed by default since there is no rule to watch',
  () =>
    withEmulator({}, async (emu) => {
      const platform = platformFor(emu, { vms: 'fw-02', 'resource-group': 'rg-hub', 'wait-timeout': '3' });
      expect(await main(emu, platform)).toBe(false);
      // Accepted by local validation (no "has no network security group"), initiated, then the probe of the firewall port runs.
      expect(platform.failures.join('\n')).not.toMatch(/no network security group/);
      expect(emu.control.jitRequests('hub-jit')).toHaveLength(1);
      expect(platform.failures.join('\n')).toMatch(/52\.170\.20\.30:50122|50122/);
    }),
);

it.concurrent(
  'state is saved (pending) BEFORE initiate is sent: a lost answer still leaves post something to check',
  () =>
    withEmulator({}, async (emu) => {
      emu.control.faults.add({ method: 'POST', path: /\/initiate/, reset: true, times: 5 });
      const platform = platformFor(emu);
      expect(await main(emu, platform)).toBe(false);
      const first = platform.stateWrites[0]?.value ?? '';
      expect(JSON.parse(first)).toMatchObject({ requests: [{ policyName: 'web-jit', status: 'pending' }] });
      // Azure never got it: post finds no request of this run in the history and deletes nothing.
      expect(await post(emu, platform)).toBe(true);
      expect(emu.control.requests().filter((r) => r.method === 'DELETE')).toEqual([]);
      expect(platform.getState(STATE_KEY)).toBe('');
    }),
);

it('post re-checks once, after the delay, that the deleted rules stayed gone', async () => {
  emu = await startEmulator();
  const platform = platformFor(emu);
  expect(await main(emu, platform)).toBe(true);
  const old = process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS;
  process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS = '400';
  try {
    emu.control.clearRequests();
    expect(await post(emu, platform)).toBe(true);
  } finally {
    process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS = old;
  }
  expect(platform.messages('info').join('\n')).toContain(
    'Checking in 0 s that the deleted rules stayed gone',
  );
  const reads = emu.control
    .requests()
    .filter((r) => r.method === 'GET' && /networkSecurityGroups\/web-01-nsg$/.test(r.path));
  const deleteAt =
    emu.control
      .requests()
      .find((r) => r.method === 'DELETE')
      ?.time.getTime() ?? 0;
  expect(reads.some((r) => r.time.getTime() - deleteAt >= 350)).toBe(true);
});
