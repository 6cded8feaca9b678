/**
 * Many VMs per resource group are read with one list per group (VMs, NICs,
 * NSGs; subnets per VNet) instead of one GET each, through the real SDKs over
 * HTTPS: the outcome is the same as with GETs (every NSG gets its rule, outputs
 * and state name every VM), pages are followed, a refused list falls back to
 * GETs once per run, and a VM that does not exist still names the input.
 */
import { generateScenario, startEmulator, type Emulator, type RequestLogEntry } from '../../../emulator';
import type { Scenario } from '../../../emulator';
import {
  EGRESS_IP,
  SUB,
  allowRules,
  initiates,
  main,
  platformFor,
  savedState,
  vmId,
  writes,
} from './harness';

jest.setTimeout(60_000);

/** 12 VMs in 2 resource groups (6 each, every third behind the subnet NSG too), one JIT policy per group. */
const RGS = ['rg-bench-001', 'rg-bench-002'];
function scenario(): Scenario {
  return withResourceScopedPrincipal(generateScenario({ vms: 12, resourceGroups: 2 }));
}
const vmsOf = (s: Scenario) =>
  (s.subscriptions[0]?.resourceGroups ?? []).flatMap((rg) =>
    (rg.virtualMachines ?? []).map((vm) => ({ rg: rg.name, name: vm.name })),
  );

/**
 * `vm-reader`: JIT rights on the two resource groups, but read rights on the
 * Compute and Network resources one by one (each VM, NIC, NSG, subnet), none
 * on the groups: ARM refuses it every list at resource-group (or VNet) scope.
 */
function withResourceScopedPrincipal(s: Scenario): Scenario {
  const base = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers`;
  const read = (scope: string, action: string) => ({ scope, actions: [action] });
  const assignments = (s.subscriptions[0]?.resourceGroups ?? []).flatMap((rg) => [
    {
      scope: `/subscriptions/${SUB}/resourceGroups/${rg.name}`,
      actions: [
        'Microsoft.Security/locations/jitNetworkAccessPolicies/read',
        'Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action',
      ],
    },
    ...(rg.virtualMachines ?? []).flatMap((vm) => [
      read(
        `${base(rg.name)}/Microsoft.Compute/virtualMachines/${vm.name}`,
        'Microsoft.Compute/virtualMachines/read',
      ),
      ...(vm.networkInterfaces ?? []).map((nic) =>
        read(
          `${base(rg.name)}/Microsoft.Network/networkInterfaces/${nic.name}`,
          'Microsoft.Network/networkInterfaces/read',
        ),
      ),
    ]),
    ...(rg.networkSecurityGroups ?? []).map((nsg) =>
      read(
        `${base(rg.name)}/Microsoft.Network/networkSecurityGroups/${nsg.name}`,
        'Microsoft.Network/networkSecurityGroups/read',
      ),
    ),
    ...(rg.virtualNetworks ?? []).flatMap((vnet) =>
      (vnet.subnets ?? []).map((subnet) =>
        read(
          `${base(rg.name)}/Microsoft.Network/virtualNetworks/${vnet.name}/subnets/${subnet.name}`,
          'Microsoft.Network/virtualNetworks/subnets/read',
        ),
      ),
    ),
  ]);
  s.principals.push({
    name: 'vm-reader',
    type: 'ServicePrincipal',
    clientId: '55555555-aaaa-4bbb-8ccc-000000000001',
    objectId: '66666666-aaaa-4bbb-8ccc-000000000001',
    secret: 'secret-of-vm-reader',
    roleAssignments: assignments,
  });
  return s;
}

/** Which read a logged ARM call is: `VM list`, `NIC GET`, `subnet list`, `NSG GET`, ... */
function readKind(e: RequestLogEntry): string | undefined {
  if (e.method !== 'GET') return undefined;
  const m =
    /\/(virtualMachines|networkInterfaces|subnets|networkSecurityGroups|publicIPAddresses)(\/[^/]+)?$/i.exec(
      e.path,
    );
  if (!m) return undefined;
  const names: Record<string, string> = {
    virtualmachines: 'VM',
    networkinterfaces: 'NIC',
    subnets: 'subnet',
    networksecuritygroups: 'NSG',
    publicipaddresses: 'public IP',
  };
  return `${names[(m[1] as string).toLowerCase()]} ${m[2] ? 'GET' : 'list'}`;
}

function readCounts(emu: Emulator, status?: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of emu.control.requests()) {
    const k = readKind(e);
    if (k && (status === undefined || e.status === status)) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Main for all 12 VMs (by resource ID), as `principal`; asserts the outcome a user sees. */
async function openAll(emu: Emulator, principal?: string) {
  const vms = vmsOf(emu.scenario);
  const platform = platformFor(emu, { vms: vms.map((v) => vmId(v.name, v.rg)).join('\n') });
  const ok = await main(emu, platform, {}, principal);
  expect(platform.failures).toEqual([]);
  expect(ok).toBe(true);
  // Every VM's NIC NSG, and the guarded subnets' NSG, hold a live allow rule for this agent.
  for (const vm of vms) {
    const rules = allowRules(emu, `${vm.name}-nsg`);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.properties.sourceAddressPrefix).toBe(EGRESS_IP);
    expect(rules[0]?.provisioningState).toBe('Succeeded');
  }
  expect(allowRules(emu, 'snet-guarded-nsg').length).toBeGreaterThanOrEqual(2);
  const targets = JSON.parse(platform.outputs.get('targets') ?? '[]') as { vm: string; privateIp: string }[];
  expect(targets.map((t) => t.vm).sort()).toEqual(vms.map((v) => v.name).sort());
  expect(targets.every((t) => /^10\.[01]\.0\.\d+$/.test(t.privateIp))).toBe(true);
  const state = savedState(platform);
  expect(state.requests.flatMap((r) => r.vms.flatMap((v) => v.rules)).length).toBe(12 + 4);
  expect(initiates(emu)).toHaveLength(2);
  return platform;
}

let emu: Emulator;
afterEach(async () => {
  await emu?.stop();
});

it('12 VMs in 2 resource groups: one list per group for VMs, NICs and each NSG read round, one subnet list per VNet', async () => {
  emu = await startEmulator({ scenario: scenario() });
  await openAll(emu);
  const counts = readCounts(emu);
  // Per item this run read 12 VMs, 12 NICs, 4 subnets and 14 NSGs before initiate and per poll round.
  expect(counts['VM list']).toBe(2);
  expect(counts['NIC list']).toBe(2);
  expect(counts['subnet list']).toBe(2);
  expect(counts['NSG list']).toBeGreaterThanOrEqual(4); // snapshot + at least one poll round
  expect((counts['NSG list'] ?? 0) % 2).toBe(0); // one per resource group per round
  for (const perItem of ['VM GET', 'NIC GET', 'subnet GET', 'NSG GET'])
    expect(counts[perItem]).toBeUndefined();
});

it('page size 2: every page of each list is read (nextLink), with the same outcome', async () => {
  emu = await startEmulator({ scenario: scenario(), pageSize: 2 });
  await openAll(emu);
  const counts = readCounts(emu);
  // 6 VMs and 6 NICs per group: 3 pages each; 2 subnets per VNet: 1 page; 7 NSGs per group: 4 pages a round.
  expect(counts['VM list']).toBe(2 * 3);
  expect(counts['NIC list']).toBe(2 * 3);
  expect(counts['subnet list']).toBe(2);
  expect((counts['NSG list'] ?? 0) % (2 * 4)).toBe(0);
  expect(counts['NSG list']).toBeGreaterThanOrEqual(2 * 2 * 4);
  for (const perItem of ['VM GET', 'NIC GET', 'subnet GET', 'NSG GET'])
    expect(counts[perItem]).toBeUndefined();
});

it('a list that costs as many calls as the GETs it replaces is not repeated: the wait polls those NSGs by GET', async () => {
  // Page size 1: the NSG list of a group takes 7 calls for its 7 NSGs.
  emu = await startEmulator({ scenario: scenario(), pageSize: 1, ruleDelayMs: 1500 });
  await openAll(emu);
  const counts = readCounts(emu);
  expect(counts['NSG list']).toBe(2 * 7); // the snapshot's lists only
  expect(counts['NSG GET']).toBeGreaterThanOrEqual(14); // every poll round, per NSG
});

it('an identity that may read only the resources themselves gets 403 on each list: once per group and kind, then per-item GETs, and the run succeeds', async () => {
  emu = await startEmulator({ scenario: scenario() });
  await openAll(emu, 'vm-reader');
  const refused = readCounts(emu, 403);
  // One refused list per resource group (VNet) and kind, remembered for the run: the wait's rounds send none.
  expect(refused).toEqual({ 'VM list': 2, 'NIC list': 2, 'subnet list': 2, 'NSG list': 2 });
  const counts = readCounts(emu, 200);
  expect(counts['VM GET']).toBe(12);
  expect(counts['NIC GET']).toBe(12);
  expect(counts['subnet GET']).toBe(4);
  expect(counts['NSG GET']).toBeGreaterThanOrEqual(2 * 14);
  expect(counts['VM list']).toBeUndefined();
});

it('a VM missing from its group list fails as an input error naming it, before any write', async () => {
  emu = await startEmulator({ scenario: scenario() });
  const vms = vmsOf(emu.scenario).map((v) => vmId(v.name, v.rg));
  const missing = vmId('vm-00099', RGS[0] as string);
  const platform = platformFor(emu, { vms: [...vms, missing].join('\n') });
  expect(await main(emu, platform)).toBe(false);
  expect(platform.failures.join('\n')).toContain(
    `Invalid input 'vms' = "${missing}": VM 'vm-00099' was not found in resource group '${RGS[0]}'`,
  );
  expect(readCounts(emu)['VM list']).toBe(2);
  expect(writes(emu)).toEqual([]);
  expect(initiates(emu)).toEqual([]);
});
