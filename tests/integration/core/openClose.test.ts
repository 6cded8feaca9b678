/**
 * Main and post end to end against the emulator: one VM, NSG layouts, many
 * VMs across resource groups/subscriptions/policies, the firewall VM, source
 * azure, and closing (once, twice, with missing state).
 */
import { startEmulator } from '../../../emulator';
import { STATE_KEY } from '../../../shared/state';
import {
  DATA_SUB,
  EGRESS_IP,
  allowRules,
  initiates,
  main,
  platformFor,
  post,
  requestCounts,
  savedState,
  vmId,
  writes,
  type Emulator,
} from './harness';
import { initiateAsOther } from '../../helpers/otherRequest';

// Real HTTPS, real OAuth, a shared 2-core machine: allow more than jest's 5 s default.
jest.setTimeout(30_000);

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

describe('main: one VM', () => {
  it('opens port 22 on web-01 (policy web-jit, NIC NSG), reports outputs and saves state', async () => {
    const platform = platformFor(emu);
    const ok = await main(emu, platform);
    expect(platform.failures).toEqual([]);
    expect(ok).toBe(true);

    const rules = allowRules(emu, 'web-01-nsg');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.properties).toMatchObject({
      sourceAddressPrefix: EGRESS_IP,
      destinationAddressPrefix: '10.1.1.4',
      access: 'Allow',
      direction: 'Inbound',
    });
    expect(rules[0]?.provisioningState).toBe('Succeeded');

    expect(platform.outputs.get('ip')).toBe(EGRESS_IP);
    expect(platform.outputs.get('host')).toBe('20.121.40.10');
    expect(platform.outputs.get('port')).toBe('22');
    const targets = JSON.parse(platform.outputs.get('targets') ?? '[]');
    expect(targets).toEqual([
      expect.objectContaining({
        vm: 'web-01',
        policy: 'web-jit',
        host: '20.121.40.10',
        port: 22,
        ports: [{ port: 22, connectPort: 22 }],
        privateIp: '10.1.1.4',
        fqdn: 'web-01.eastus.cloudapp.azure.com',
        source: EGRESS_IP,
        ruleNames: [rules[0]?.name],
      }),
    ]);
    expect(platform.outputs.get('expires-at')).toBe(targets[0].expiresAt);

    const state = savedState(platform);
    expect(state.source).toEqual({ kind: 'auto', prefix: EGRESS_IP });
    expect(state.requests).toHaveLength(1);
    expect(state.requests[0]).toMatchObject({
      policyName: 'web-jit',
      resourceGroup: 'rg-web',
      location: 'eastus',
    });
    expect(state.requests[0]?.vms[0]?.rules).toEqual([
      {
        nsgId: expect.stringMatching(/web-01-nsg$/),
        name: rules[0]?.name,
        port: 22,
        destination: '10.1.1.4',
        source: EGRESS_IP,
      },
    ]);
    // Saved first right after initiate (no rule names yet), then with the names.
    expect(platform.stateWrites.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(platform.stateWrites[0]?.value ?? '{}').requests[0].vms[0].rules).toEqual([]);
    // The requested duration (default 15 min) is what JIT recorded.
    const jit = emu.control.jitRequests('web-jit');
    const span =
      Date.parse(String(jit[0]?.request.virtualMachines[0]?.ports[0]?.endTimeUtc)) -
      Date.parse(String(jit[0]?.request.startTimeUtc));
    expect(Math.abs(span - 15 * 60_000)).toBeLessThan(10_000);
    expect(platform.summaries.join('\n')).toContain('web-01');
    expect(platform.messages('info').join('\n')).toContain('client secret');

    const counts = requestCounts(emu);
    expect(counts['security GET']).toBe(1); // ONE policy list for the subscription
    expect(counts['security POST']).toBe(1);
    console.log(`request counts for 1 VM: ${JSON.stringify(counts)}`);
  });

  it('subnet-only NSG (web-02): waits on the subnet NSG and falls back to the private IP as host', async () => {
    const platform = platformFor(emu, { vms: 'web-02' });
    expect(await main(emu, platform)).toBe(true);
    expect(allowRules(emu, 'snet-web2-nsg')).toHaveLength(1);
    expect(platform.outputs.get('host')).toBe('10.1.2.4');
    expect(savedState(platform).requests[0]?.vms[0]?.nsgIds).toEqual([
      expect.stringMatching(/snet-web2-nsg$/),
    ]);
  });

  it('NIC and subnet NSGs (api-01, policy default): the rule must be live in both', async () => {
    const platform = platformFor(emu, { vms: 'api-01', 'resource-group': 'rg-api' });
    expect(await main(emu, platform)).toBe(true);
    expect(allowRules(emu, 'api-01-nsg')).toHaveLength(1);
    expect(allowRules(emu, 'snet-api-nsg')).toHaveLength(1);
    const rules = savedState(platform).requests[0]?.vms[0]?.rules ?? [];
    expect(rules.map((r) => r.nsgId.split('/').pop()).sort()).toEqual(['api-01-nsg', 'snet-api-nsg']);
    expect(savedState(platform).requests[0]?.policyName).toBe('default');
  });
});

describe('main: many VMs', () => {
  it('sends ONE initiate per policy across resource groups and subscriptions, in parallel', async () => {
    const platform = platformFor(emu, {
      vms: ['web-01', 'web-02', vmId('api-01', 'rg-api'), vmId('db-01', 'rg-data', DATA_SUB)].join('\n'),
    });
    expect(await main(emu, platform)).toBe(true);
    expect(platform.failures).toEqual([]);
    const posts = initiates(emu);
    expect(posts).toHaveLength(3);
    expect(posts.map((p) => p.path.split('/').slice(-2)[0]).sort()).toEqual([
      'data-jit',
      'default',
      'web-jit',
    ]);
    // web-jit carried both of its VMs in one request
    const webJit = emu.control.jitRequests('web-jit');
    expect(webJit).toHaveLength(1);
    expect(webJit[0]?.request.virtualMachines.map((v) => v.id.split('/').pop()).sort()).toEqual([
      'web-01',
      'web-02',
    ]);
    // one policy list per resource group of the VMs, never at subscription scope
    const lists = emu.control.requests().filter((r) => r.provider === 'security' && r.method === 'GET');
    expect(lists.map((l) => l.path.split('/')[4]).sort()).toEqual(['rg-api', 'rg-data', 'rg-web']);
    const targets = JSON.parse(platform.outputs.get('targets') ?? '[]');
    expect(targets.map((t: { vm: string }) => t.vm).sort()).toEqual(['api-01', 'db-01', 'web-01', 'web-02']);
    expect(allowRules(emu, 'db-01-nsg')).toHaveLength(1);
    expect(savedState(platform).subscriptionIds.length).toBe(2);
  });
});

describe('read budget', () => {
  // Main lists once per resource group (rg-web, rg-api in one subscription), post reads each policy once to prove ownership.
  it('main + post for 4 VMs in 3 policies fit in 4 Security reads per subscription (budget ~750 in Azure)', async () => {
    emu.control.setSecurityReadBudget(4, { refill: false, retryAfterSeconds: 3600 });
    const platform = platformFor(emu, {
      vms: ['web-01', 'web-02', vmId('api-01', 'rg-api'), vmId('db-01', 'rg-data', DATA_SUB)].join('\n'),
    });
    expect(await main(emu, platform)).toBe(true);
    expect(await post(emu, platform)).toBe(true);
    expect(platform.failures).toEqual([]);
    expect(platform.messages('warning')).toEqual([]);
    expect(emu.control.requests().filter((r) => r.status === 429)).toHaveLength(0);
    for (const nsg of ['web-01-nsg', 'snet-web2-nsg', 'api-01-nsg', 'snet-api-nsg', 'db-01-nsg']) {
      expect(allowRules(emu, nsg)).toHaveLength(0);
    }
  });
});

describe('main: special targets and sources', () => {
  it('the Azure Firewall VM reports the firewall IP and the mapped port', async () => {
    // The firewall IP is unreachable here: probe off (tests/integration/core/firewallProbe.test.ts probes it).
    const platform = platformFor(emu, { vms: 'fw-01', 'resource-group': 'rg-hub', probe: 'false' });
    expect(await main(emu, platform)).toBe(true);
    expect(platform.outputs.get('host')).toBe('52.170.20.30');
    expect(platform.outputs.get('port')).toBe('50022');
    const [t] = JSON.parse(platform.outputs.get('targets') ?? '[]');
    expect(t).toMatchObject({
      firewallIp: '52.170.20.30',
      mappedPort: 50022,
      ports: [{ port: 22, connectPort: 50022, mappedPort: 50022 }],
    });
  });

  it('source azure sends no prefix and learns the address from the rule', async () => {
    const platform = platformFor(emu, { source: 'azure' });
    expect(await main(emu, platform)).toBe(true);
    expect(emu.control.requests().filter((r) => r.provider === 'ip')).toHaveLength(0);
    expect(platform.outputs.get('ip')).toBe(EGRESS_IP);
    expect(savedState(platform).source).toEqual({ kind: 'azure', prefix: EGRESS_IP });
    expect(allowRules(emu, 'web-01-nsg')[0]?.properties.sourceAddressPrefix).toBe(EGRESS_IP);
  });

  it('dry run validates and reports what it would request, writing nothing', async () => {
    const platform = platformFor(emu, { 'dry-run': 'true', vms: 'web-01\nweb-02' });
    expect(await main(emu, platform)).toBe(true);
    expect(writes(emu)).toHaveLength(0);
    expect(platform.getState(STATE_KEY)).toBe('');
    const notices = platform.messages('notice').join('\n');
    expect(notices).toContain("Would initiate JIT policy 'web-jit'");
    expect(notices).toContain('web-01 port(s) 22; web-02 port(s) 22');
    expect(platform.summaries.join('\n')).toContain('dry run');
  });
});

describe('post', () => {
  it('closes the rule main opened, confirms it is gone and clears the state', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    const name = allowRules(emu, 'web-01-nsg')[0]?.name;
    expect(name).toBeDefined();
    emu.control.clearRequests();

    expect(await post(emu, platform)).toBe(true);
    expect(platform.failures).toEqual([]);
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(0);
    const deletes = emu.control.requests().filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.path).toContain(String(name));
    expect(platform.getState(STATE_KEY)).toBe('');
    expect(platform.summaries.at(-1)).toContain('deleted');
    const counts = requestCounts(emu);
    expect(counts['security GET']).toBe(1); // one policy read to confirm ownership
    console.log(`request counts for post, 1 VM: ${JSON.stringify(counts)}`);
  });

  it('is harmless when run twice, even with the old state again', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    const state = platform.getState(STATE_KEY);
    expect(await post(emu, platform)).toBe(true);
    // Second post on the same runner: state cleared, nothing to do.
    emu.control.clearRequests();
    expect(await post(emu, platform)).toBe(true);
    expect(platform.messages('notice').join('\n')).toContain('Nothing to close');
    expect(emu.control.requests().filter((r) => r.provider !== 'identity')).toHaveLength(0);
    // Post with the original state again: the rule is already gone, no delete is sent.
    const again = platformFor(emu, {}, state);
    expect(await post(emu, again)).toBe(true);
    expect(again.failures).toEqual([]);
    expect(emu.control.requests().filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(again.summaries.at(-1)).toContain('already gone');
  });

  it('with no saved state logs a notice and succeeds without calling Azure', async () => {
    const platform = platformFor(emu);
    expect(await post(emu, platform)).toBe(true);
    expect(platform.messages('notice').join('\n')).toMatch(/Nothing to close/);
    expect(emu.control.requests()).toHaveLength(0);
  });

  it('with corrupt state warns and succeeds', async () => {
    const platform = platformFor(emu, {}, '{"version":1,"requests":');
    expect(await post(emu, platform)).toBe(true);
    expect(platform.messages('warning').join('\n')).toContain('closes by itself');
  });

  it('with close-on-post none leaves the rule and says until when', async () => {
    const platform = platformFor(emu, { 'close-on-post': 'none' });
    expect(await main(emu, platform)).toBe(true);
    expect(await post(emu, platform)).toBe(true);
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(1);
    expect(platform.messages('notice').join('\n')).toMatch(/stays open until \d{4}-/);
  });

  it('leaves a rule that now belongs to a newer request by someone else', async () => {
    const platform = platformFor(emu);
    expect(await main(emu, platform)).toBe(true);
    expect(
      await initiateAsOther(emu, {
        vm: 'web-01',
        resourceGroup: 'rg-web',
        policy: 'web-jit',
        source: EGRESS_IP,
        minutes: 10,
      }),
    ).toBe(202);
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(1);
    emu.control.clearRequests();
    expect(await post(emu, platform)).toBe(true);
    // The other job's rule (same source, same slot) survives our cleanup.
    expect(allowRules(emu, 'web-01-nsg')).toHaveLength(1);
    expect(emu.control.requests().filter((r) => r.method === 'DELETE')).toHaveLength(0);
    expect(writes(emu)).toHaveLength(0);
  });
});
