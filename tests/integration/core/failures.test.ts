/**
 * What goes wrong, end to end against the emulator: local validation (no
 * write may reach Azure), missing VM or policy, permissions, throttling, slow
 * or missing rules, supersession, cancellation, clock skew.
 */
import { startEmulator } from '../../../emulator';
import { STATE_KEY } from '../../../shared/state';
import { policyReads } from '../../helpers/otherRequest';
import { withEmulator } from '../../helpers/ownEmulator';
import {
  EGRESS_IP,
  allowRules,
  denyNext,
  main,
  mainSupersededWhileWaiting,
  platformFor,
  post,
  savedState,
  until,
  writes,
  type Emulator,
} from './harness';

// Real HTTPS, real OAuth, a shared 2-core machine: allow more than jest's 5 s default.
jest.setTimeout(30_000);

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

describe('local validation: clear errors, zero writes', () => {
  it.each([
    [
      'a port not in the policy',
      { ports: '3389' },
      ["port 3389 is not in JIT policy 'web-jit' for VM web-01 (allowed: 22)"],
    ],
    [
      'a duration above the maximum',
      { duration: '240' },
      ['duration 240 minutes exceeds', 'PT3H (180 minutes)'],
    ],
    [
      'a source not listed verbatim (inside an allowed CIDR)',
      { vms: 'api-01', 'resource-group': 'rg-api', source: '198.51.100.7' },
      ['source 198.51.100.7 is not allowed', "'198.51.100.0/24' exactly", 'verbatim'],
    ],
    [
      'an IPv6 source for a VM without an IPv6 private address',
      { vms: 'api-01', 'resource-group': 'rg-api', source: '2001:db8::10' },
      ['input \'source\' = "2001:db8::10": is IPv6, but VM api-01 has no IPv6 private address'],
    ],
    [
      'several problems at once',
      { vms: 'web-01\nwin-01', ports: '22,3389', duration: '90' },
      ['port 3389 is not in', 'port 22 is not in', 'duration 90 minutes exceeds'],
    ],
  ])('%s', async (_, inputs, expected) => {
    const platform = platformFor(emu, inputs);
    expect(await main(emu, platform)).toBe(false);
    const failure = platform.failures.join('\n');
    for (const text of expected) expect(failure).toContain(text);
    expect(failure).toContain('What to do:');
    expect(writes(emu)).toHaveLength(0);
    expect(platform.getState(STATE_KEY)).toBe('');
  });
});

describe('Azure-side failures', () => {
  it('VM not found names the VM and the vms input', async () => {
    const platform = platformFor(emu, { vms: 'web-99' });
    expect(await main(emu, platform)).toBe(false);
    expect(platform.failures[0]).toContain('input \'vms\' = "web-99"');
    expect(platform.failures[0]).toContain("VM 'web-99' was not found in resource group 'rg-web'");
    expect(writes(emu)).toHaveLength(0);
  });

  it('a VM without a JIT policy says how to enable JIT', async () => {
    const platform = platformFor(emu, { vms: 'legacy-01' });
    expect(await main(emu, platform)).toBe(false);
    expect(platform.failures[0]).toContain('legacy-01');
    expect(platform.failures[0]).toContain('not covered by any JIT policy');
    expect(platform.failures[0]).toContain('Enable just-in-time VM access on legacy-01');
    expect(writes(emu)).toHaveLength(0);
  });

  it('403 on initiate shows the ARM code and what permission is missing, saves no state', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform, {}, 'jit-readonly')).toBe(false);
    expect(platform.failures[0]).toMatch(/HTTP 403 AuthorizationFailed/);
    expect(platform.failures[0]).toMatch(/correlation ID [0-9a-f-]{36}/);
    expect(platform.failures[0]).toContain('initiate/action');
    expect(platform.getState(STATE_KEY)).toBe('');
  });

  it('403 on the policy list names the list and the missing permission, and writes nothing', async () => {
    denyNext(
      emu,
      'GET',
      /Microsoft\.Security\/jitNetworkAccessPolicies\?/,
      'Microsoft.Security/locations/jitNetworkAccessPolicies/read',
    );
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(false);
    expect(platform.failures[0]).toContain("list JIT policies of resource group 'rg-web'");
    expect(platform.failures[0]).toMatch(/HTTP 403 AuthorizationFailed/);
    expect(platform.failures[0]).toContain('Microsoft.Security/locations/jitNetworkAccessPolicies/read');
    expect(writes(emu)).toHaveLength(0);
  });

  it.concurrent(
    'throttling (429 + Retry-After) on the policy list is retried after the delay and succeeds',
    () =>
      withEmulator({}, async (emu) => {
        emu.control.faults.add({
          method: 'GET',
          path: /jitNetworkAccessPolicies\?/,
          status: 429,
          retryAfter: 1,
          times: 1,
        });
        const platform = platformFor(emu);
        expect(await main(emu, platform)).toBe(true);
        const lists = emu.control.requests().filter((r) => r.provider === 'security' && r.method === 'GET');
        expect(lists.map((l) => l.status)).toEqual([429, 200]);
        // The retry waited for Retry-After (1 s, virtual time runs at real speed here).
        expect((lists[1]?.time.getTime() ?? 0) - (lists[0]?.time.getTime() ?? 0)).toBeGreaterThanOrEqual(900);
      }),
  );

  it('throttling with a Retry-After beyond the cap fails clearly instead of hanging', async () => {
    emu.control.faults.add({
      method: 'GET',
      path: /jitNetworkAccessPolicies\?/,
      status: 429,
      retryAfter: 3600,
      times: 1,
    });
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(false);
    expect(platform.failures[0]).toContain('HTTP 429');
    expect(platform.failures[0]).toContain('retry after 3600 s');
    expect(writes(emu)).toHaveLength(0);
  });
});

describe('waiting for the rule', () => {
  it.concurrent('a rule that appears late is waited for (and only then reported live)', () =>
    withEmulator({}, async (emu) => {
      emu.control.setRuleDelay(1500);
      const platform = platformFor(emu);
      expect(await main(emu, platform)).toBe(true);
      const nsgReads = emu.control
        .requests()
        .filter((r) => r.provider === 'network' && /networkSecurityGroups\/web-01-nsg$/.test(r.path));
      expect(nsgReads.length).toBeGreaterThan(2); // snapshot + several polls
      expect(savedState(platform).requests[0]?.vms[0]?.rules[0]?.name).toBe(
        allowRules(emu, 'web-01-nsg')[0]?.name,
      );
    }),
  );

  it.concurrent(
    'a rule that never appears times out naming the VM, NSG and what to check; state is kept for post',
    () =>
      withEmulator({}, async (emu) => {
        emu.control.setRuleDelay(60 * 60_000);
        const platform = platformFor(emu, { 'wait-timeout': '2' });
        expect(await main(emu, platform)).toBe(false);
        const failure = platform.failures[0] ?? '';
        expect(failure).toContain('not all live after 2 s');
        expect(failure).toContain('VM web-01 port 22: NSG web-01-nsg');
        expect(failure).toContain(`from ${EGRESS_IP} to 10.1.1.4`);
        expect(failure).toContain('wait-timeout');
        // State was saved before the wait: post knows what was requested.
        expect(savedState(platform).requests[0]?.policyName).toBe('web-jit');
        expect(platform.summaries.join('\n')).toContain('timed out');
      }),
  );

  it('supersession by another principal fails clearly with one policy read', async () => {
    const platform = platformFor(emu);
    expect(await mainSupersededWhileWaiting(emu, platform)).toBe(false);
    expect(platform.failures[0]).toContain('was superseded by a newer JIT request for source 198.51.100.7');
    expect(platform.failures[0]).toContain('web-01 port 22');
    expect(policyReads(emu, 'web-jit')).toBe(1);
    // Post must not delete the other principal's rule.
    expect(await post(emu, platform)).toBe(true);
    expect(allowRules(emu, 'web-01-nsg').map((r) => r.properties.sourceAddressPrefix)).toEqual([
      '198.51.100.7',
    ]);
  });

  it('supersession of a VM with two NSGs (api-01) still costs one policy read', async () => {
    const platform = platformFor(emu, { vms: 'api-01', 'resource-group': 'rg-api' });
    const other = { vm: 'api-01', resourceGroup: 'rg-api', policy: 'default', source: '198.51.100.0/24' };
    expect(await mainSupersededWhileWaiting(emu, platform, other)).toBe(false);
    expect(platform.failures[0]).toContain('api-01 port 22');
    expect(platform.failures[0]).toContain('superseded');
    expect(policyReads(emu, 'default')).toBe(1);
  });

  it.concurrent('cancelling mid-wait stops promptly; post then finds and removes the rule', () =>
    withEmulator({}, async (emu) => {
      emu.control.setRuleDelay(10_000);
      const platform = platformFor(emu);
      const controller = new AbortController();
      const running = main(emu, platform, { signal: controller.signal });
      await until(() => platform.stateWrites.length > 0, 'state saved after initiate (the wait has started)');
      // JIT's clock stops: the rule is written only once post waits for it, however slow the machine.
      emu.control.clock.freeze();
      controller.abort();
      expect(await running).toBe(false);
      expect(platform.failures[0]).toMatch(/cancelled/i);
      const state = savedState(platform);
      expect(state.requests[0]?.vms[0]?.rules).toEqual([]); // names never learnt
      // Post runs at once, as a runner does after a cancel: the rule is not written yet, post waits for it.
      expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
      const closing = post(emu, platform);
      await until(
        () =>
          platform
            .messages('info')
            .join('\n')
            .includes("Waiting up to 60 s for JIT to write this run's rule"),
        'post waiting for the rule',
      );
      emu.control.clock.advance(15_000);
      emu.control.clock.unfreeze();
      expect(await closing).toBe(true);
      expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
      expect(platform.getState(STATE_KEY)).toBe('');
    }),
  );

  it('cancelling while the initiate is in flight still saves what Azure accepted', async () => {
    emu.control.setRuleDelay(1000);
    emu.control.faults.add({ method: 'POST', path: /\/initiate/, latencyMs: 300 });
    const platform = platformFor(emu);
    const controller = new AbortController();
    const running = main(emu, platform, { signal: controller.signal });
    await until(() => emu.control.jitRequests('web-jit').length === 1, 'Azure accepting our initiate');
    controller.abort();
    expect(await running).toBe(false);
    expect(platform.failures[0]).toMatch(/cancelled/i);
    expect(savedState(platform).requests[0]?.policyName).toBe('web-jit');
  });

  it('a 403 on delete in post is a warning saying when access closes by itself', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    const end = savedState(platform).requests[0]?.endTimeUtc ?? '';
    expect(await post(emu, platform, {}, 'jit-readonly')).toBe(true);
    const warning = platform.messages('warning').join('\n');
    expect(warning).toContain(`closes by itself at ${end}`);
    expect(warning).toContain('securityRules/delete');
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(1);
    // State kept so a later post (with permission) can still close it.
    expect(platform.getState(STATE_KEY)).not.toBe('');
  });

  it("post never reads the delete's operation status (a subscription-scope read): the rule's own 404 is the proof", async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    const name = allowRules(emu, 'web-01-nsg')[0]?.name ?? '';
    emu.control.faults.add({
      method: 'GET',
      path: /\/operations\//,
      status: 200,
      body: {
        status: 'Failed',
        error: { code: 'InternalServerError', message: 'Deleting the rule failed.' },
      },
      times: Infinity,
    });
    emu.control.clearRequests();
    expect(await post(emu, platform)).toBe(true);
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
    expect(platform.messages('warning').join('\n')).not.toMatch(/stays open/);
    expect(platform.messages('info').join('\n')).toContain(
      `Closed: deleted ${name} from web-01-nsg (VM web-01 port(s) 22, source ${EGRESS_IP}).`,
    );
    expect(emu.control.requests().filter((r) => /\/operations|\/operationResults/.test(r.path))).toEqual([]);
    const reread = emu.control
      .requests()
      .filter((r) => r.method === 'GET' && r.path.includes(`/securityRules/${name}`));
    expect(reread.length).toBeGreaterThanOrEqual(1);
    expect(platform.getState(STATE_KEY)).toBe('');
  });

  it.concurrent(
    'a 409 AnotherOperationInProgress on delete is retried after Retry-After and the rule is closed',
    () =>
      withEmulator({}, async (emu) => {
        const platform = platformFor(emu);
        expect(await main(emu, platform)).toBe(true);
        emu.control.faults.add({
          method: 'DELETE',
          path: /securityRules\//,
          status: 409,
          retryAfter: 1,
          body: {
            error: {
              code: 'AnotherOperationInProgress',
              message: 'Another operation on this or dependent resource is in progress.',
            },
          },
          times: 2,
        });
        expect(await post(emu, platform)).toBe(true);
        expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
        expect(emu.control.requests().filter((r) => r.method === 'DELETE' && r.status === 409)).toHaveLength(
          2,
        );
        expect(platform.getState(STATE_KEY)).toBe('');
      }),
  );

  it('a refused delete (409 ScopeLocked: a resource lock) warns what remains and until when', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    const end = savedState(platform).requests[0]?.endTimeUtc ?? '';
    const name = allowRules(emu, 'web-01-nsg')[0]?.name ?? '';
    emu.control.faults.add({
      method: 'DELETE',
      path: /securityRules\//,
      status: 409,
      body: {
        error: {
          code: 'ScopeLocked',
          message: 'The scope cannot perform delete operation because of a lock.',
        },
      },
      times: Infinity,
    });
    expect(await post(emu, platform)).toBe(true);
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(1);
    const warning = platform.messages('warning').join('\n');
    expect(warning).toContain(`JIT access stays open: rule ${name} in NSG `);
    expect(warning).toContain('ScopeLocked');
    expect(warning).toContain(`closes by itself at ${end}`);
    expect(platform.getState(STATE_KEY)).not.toBe('');
  });

  it("an agent clock far from Azure's is reported and the duration still holds in Azure's time", async () => {
    emu.control.clock.advance(10 * 60_000);
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    expect(platform.messages('warning').join('\n')).toMatch(/clock is \d+ s behind Azure/);
    const jit = emu.control.jitRequests('web-jit')[0];
    const span =
      Date.parse(String(jit?.request.virtualMachines[0]?.ports[0]?.endTimeUtc)) -
      Date.parse(String(jit?.request.startTimeUtc));
    expect(Math.abs(span - 15 * 60_000)).toBeLessThan(10_000);
  });
});
