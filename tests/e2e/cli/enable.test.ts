/**
 * `enable` / `disable` through the built CLI, signed in as a principal that
 * holds exactly docs/roles/jit-policy-admin.json on two resource groups (not
 * the subscription). Outcomes are read back from the emulator: the stored
 * policy as Azure returns it, and the request log for writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, startEmulator, type Emulator, type Scenario } from '../../../emulator';
import { credentialFor, raw } from '../../integration/emulator/clients';
import { NODE_BINARIES } from '../../helpers/nodes';
import { cloudFlags, emulatorFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(90_000);

const ADMIN = 'role-admin';
const LONG_VM = `long-${'n'.repeat(45)}`;
const roleActions = (
  JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'docs', 'roles', 'jit-policy-admin.json'), 'utf8'),
  ) as {
    Actions: string[];
  }
).Actions;

/** The default scenario plus a resource group with a VM and no JIT policy, and the administrator. */
function scenario(): Scenario {
  const s = structuredClone(loadScenario(undefined));
  const prod = s.subscriptions.find((x) => x.id === PROD);
  if (!prod) throw new Error('no production subscription in the default scenario');
  prod.resourceGroups.push({
    name: 'rg-new',
    location: 'eastus',
    virtualNetworks: [
      {
        name: 'vnet-new',
        addressPrefixes: ['10.9.0.0/16'],
        subnets: [{ name: 'snet-new', addressPrefix: '10.9.1.0/24' }],
      },
    ],
    networkSecurityGroups: [{ name: 'app-01-nsg' }, { name: 'app-02-nsg' }],
    virtualMachines: [
      {
        name: 'app-01',
        osType: 'Linux',
        size: 'Standard_B2s',
        networkInterfaces: [
          {
            name: 'app-01-nic',
            privateIp: '10.9.1.4',
            subnet: 'vnet-new/snet-new',
            networkSecurityGroup: 'app-01-nsg',
          },
        ],
      },
      {
        name: 'app-02',
        osType: 'Windows',
        size: 'Standard_B2s',
        networkInterfaces: [
          {
            name: 'app-02-nic',
            privateIp: '10.9.1.5',
            subnet: 'vnet-new/snet-new',
            networkSecurityGroup: 'app-02-nsg',
          },
        ],
      },
    ],
  });
  // A VM whose name with the policy name 'web-jit' (7) makes 57 characters.
  const web = prod.resourceGroups.find((g) => g.name === 'rg-web');
  web?.virtualMachines?.push({
    name: LONG_VM,
    osType: 'Linux',
    size: 'Standard_B1s',
    networkInterfaces: [{ name: 'long-nic', privateIp: '10.1.1.9', subnet: 'vnet-web/snet-web1' }],
  });
  s.principals.push({
    name: ADMIN,
    type: 'ServicePrincipal',
    clientId: '33333333-aaaa-4bbb-8ccc-0000000000a1',
    objectId: '44444444-aaaa-4bbb-8ccc-0000000000a1',
    secret: 'secret-of-jit-admin',
    roleAssignments: ['rg-web', 'rg-new'].map((rg) => ({
      scope: `/subscriptions/${PROD}/resourceGroups/${rg}`,
      actions: roleActions,
    })),
  });
  return s;
}

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ scenario: scenario() });
});
afterAll(async () => {
  await emu?.stop();
});
afterEach(() => {
  emu.control.concurrentWriter.clear();
});

const policyPath = (rg: string, name: string): string =>
  `/subscriptions/${PROD}/resourceGroups/${rg}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${name}?api-version=2020-01-01`;

/** The policy's VM entries exactly as Azure returns them (undefined when there is no policy). */
async function storedEntries(rg: string, name: string): Promise<Record<string, unknown>[] | undefined> {
  const token = await credentialFor(emu, 'jit-readonly').getToken(`${emu.armUrl}/.default`);
  const res = await raw(emu, 'GET', policyPath(rg, name), { token: token?.token ?? '' });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (res.json() as { properties: { virtualMachines: Record<string, unknown>[] } }).properties
    .virtualMachines;
}

const entryOf = (entries: Record<string, unknown>[] | undefined, vm: string): string | undefined => {
  const e = entries?.find((x) => String(x.id).toLowerCase().endsWith(`/virtualmachines/${vm}`));
  return e === undefined ? undefined : JSON.stringify(e);
};

/** ARM writes (PUT/PATCH/DELETE/POST) to any provider, from the request log. */
const armWrites = (): number =>
  emu.control.requests().filter((r) => r.write && ['security', 'network', 'compute'].includes(r.provider))
    .length;

const admin = (args: string[], node?: string) =>
  runCli(emu, [...args, '--subscription', PROD, ...cloudFlags(emu)], {
    principal: ADMIN,
    ...(node ? { node } : {}),
  });

describe('enable', () => {
  it('enables a VM with no policy (a new `default` policy), and a request for it then succeeds', async () => {
    expect(await storedEntries('rg-new', 'default')).toBeUndefined();
    const run = await admin([
      'enable',
      '--vms',
      'app-01',
      '--resource-group',
      'rg-new',
      '--allowed-sources',
      '203.0.113.10',
    ]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("JIT policy 'default' (resource group rg-new, eastus): will be created");
    expect(run.stdout).toMatch(/app-01\s+22\s+added/);
    expect(run.stdout).toContain('Created');
    const entries = await storedEntries('rg-new', 'default');
    expect(entries).toEqual([
      {
        id: `/subscriptions/${PROD}/resourceGroups/rg-new/providers/Microsoft.Compute/virtualMachines/app-01`,
        ports: [
          {
            number: 22,
            protocol: '*',
            allowedSourceAddressPrefix: '203.0.113.10',
            maxRequestAccessDuration: 'PT3H',
          },
        ],
      },
    ]);

    // The pipeline's principal (not the administrator) requests access.
    const cwd = tempDir();
    const request = await runCli(
      emu,
      [
        'request',
        '--vms',
        'app-01',
        '--resource-group',
        'rg-new',
        '--subscription',
        PROD,
        '--ports',
        '22',
        '--duration',
        '10',
        ...emulatorFlags(emu),
      ],
      { cwd },
    );
    expect(request.stderr).toBe('');
    expect(request.code).toBe(0);
    expect(jitAllowRules(emu, 'app-01-nsg')).toHaveLength(1);
    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd })).code).toBe(0);
  });

  it("enabling a second VM merges into the group's policy: every other VM's entry stays byte-identical", async () => {
    const before = await storedEntries('rg-web', 'web-jit');
    const others = ['web-01', 'web-02', 'win-01'].map((vm) => entryOf(before, vm));
    expect(others.every((e) => e !== undefined)).toBe(true);
    expect(entryOf(before, 'legacy-01')).toBeUndefined();

    const run = await admin([
      'enable',
      '--vms',
      'legacy-01',
      '--resource-group',
      'rg-web',
      '--allowed-sources',
      '198.51.100.0/24,203.0.113.10',
      '--max-duration',
      'PT1H',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      policies: {
        name: string;
        action: string;
        written: boolean;
        changes: { vm: string; change: string }[];
      }[];
    };
    expect(doc.ok).toBe(true);
    expect(doc.policies).toHaveLength(1);
    expect(doc.policies[0]).toMatchObject({ name: 'web-jit', action: 'update', written: true });
    expect(doc.policies[0]?.changes.map((c) => [c.vm, c.change])).toEqual([
      ['web-01', 'unchanged'],
      ['web-02', 'unchanged'],
      ['win-01', 'unchanged'],
      ['legacy-01', 'added'],
    ]);

    const after = await storedEntries('rg-web', 'web-jit');
    expect(['web-01', 'web-02', 'win-01'].map((vm) => entryOf(after, vm))).toEqual(others);
    expect(JSON.parse(entryOf(after, 'legacy-01') ?? 'null')).toEqual({
      id: `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/legacy-01`,
      ports: [
        {
          number: 22,
          protocol: '*',
          allowedSourceAddressPrefixes: ['198.51.100.0/24', '203.0.113.10'],
          maxRequestAccessDuration: 'PT1H',
        },
      ],
    });
  });

  it('changes only the given port of a named VM and keeps its other ports', async () => {
    const before = await storedEntries('rg-web', 'web-jit');
    const win = JSON.parse(entryOf(before, 'win-01') ?? 'null') as { ports: Record<string, unknown>[] };
    const run = await admin([
      'enable',
      '--vms',
      'win-01',
      '--resource-group',
      'rg-web',
      '--ports',
      '5986',
      '--protocol',
      'TCP',
      '--max-duration',
      'PT2H',
      '--allowed-sources',
      '*',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/win-01\s+5986\s+changed.*max duration PT1H → PT2H/);
    expect(run.stdout).toMatch(/win-01\s+3389\s+unchanged/);
    const after = JSON.parse(entryOf(await storedEntries('rg-web', 'web-jit'), 'win-01') ?? 'null') as {
      ports: Record<string, unknown>[];
    };
    expect(JSON.stringify(after.ports[0])).toBe(JSON.stringify(win.ports[0]));
    expect(after.ports[1]).toEqual({ ...win.ports[1], maxRequestAccessDuration: 'PT2H' });
  });

  it('--dry-run shows the diff and makes zero ARM writes', async () => {
    const writes = armWrites();
    const before = await storedEntries('rg-new', 'default');
    const run = await admin([
      'enable',
      '--vms',
      'app-02',
      '--resource-group',
      'rg-new',
      '--allowed-sources',
      '*',
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/app-02\s+3389\s+added/); // Windows: RDP, from the VM's OS type
    expect(run.stdout).toMatch(/app-01\s+22\s+unchanged/);
    expect(run.stdout).toContain('Dry run: nothing was written');
    expect(armWrites()).toBe(writes);
    expect(await storedEntries('rg-new', 'default')).toEqual(before);
  });

  it('a change by another writer between our read and our write is detected; nothing is overwritten', async () => {
    // The other writer adds port 5985 to web-02 right after our first read of web-jit.
    const fired = emu.control.concurrentWriter.fired();
    emu.control.concurrentWriter.arm({
      policy: 'web-jit',
      resourceGroup: 'rg-web',
      principal: ADMIN,
      update: (policy) => {
        const vm = policy.virtualMachines.find((v) => v.id.toLowerCase().endsWith('/web-02'));
        vm?.ports.push({
          number: 5985,
          protocol: 'TCP',
          allowedSourceAddressPrefix: '*',
          maxRequestAccessDuration: 'PT1H',
        });
      },
    });
    const writes = armWrites();
    const run = await admin([
      'enable',
      '--vms',
      'web-01',
      '--resource-group',
      'rg-web',
      '--ports',
      '2222',
      '--allowed-sources',
      '203.0.113.10',
      '--json',
    ]);
    expect(emu.control.concurrentWriter.fired()).toBe(fired + 1);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'was changed by someone else after this command read it, so nothing was written',
    );
    expect(run.stderr).toContain('web-02 port 5985: added');
    expect(run.stderr).toContain('web-01 port 2222: added');
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      conflict: { stage: string; theirs: { vm: string }[] };
    };
    expect(doc.ok).toBe(false);
    expect(doc.conflict.stage).toBe('before-write');
    expect(doc.conflict.theirs.map((c) => c.vm)).toEqual(['web-02']);
    expect(armWrites()).toBe(writes);
    // Their change is there, ours is not.
    const after = await storedEntries('rg-web', 'web-jit');
    expect(entryOf(after, 'web-02')).toContain('5985');
    expect(entryOf(after, 'web-01')).not.toContain('2222');
  });

  it('a change landing right after our write is reported (exit 1), not hidden', async () => {
    // The other writer replaces the whole list right after our PUT, as a stale PUT of its own would.
    const before = await storedEntries('rg-web', 'web-jit');
    const fired = emu.control.concurrentWriter.fired();
    emu.control.concurrentWriter.arm({
      policy: 'web-jit',
      resourceGroup: 'rg-web',
      trigger: 'write',
      update: { virtualMachines: structuredClone(before ?? []) as never },
    });
    const run = await admin([
      'enable',
      '--vms',
      'web-02',
      '--resource-group',
      'rg-web',
      '--ports',
      '2222',
      '--allowed-sources',
      '203.0.113.10',
    ]);
    expect(emu.control.concurrentWriter.fired()).toBe(fired + 1);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('changed right after this command wrote it');
    expect(run.stderr).toContain('web-02 port 2222: removed');
  });
});

describe.each(NODE_BINARIES)('the bundle under $name', ({ path: node }) => {
  it('enable --dry-run --json: the Windows port by OS type, one JSON document, zero writes', async () => {
    const writes = armWrites();
    const run = await admin(
      [
        'enable',
        '--vms',
        'app-02',
        '--resource-group',
        'rg-new',
        '--allowed-sources',
        '*',
        '--dry-run',
        '--json',
      ],
      node,
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      dryRun: boolean;
      policies: { written: boolean; changes: { vm: string; change: string; ports: { port: number }[] }[] }[];
    };
    expect(doc.dryRun).toBe(true);
    expect(doc.policies[0]?.written).toBe(false);
    const app02 = doc.policies[0]?.changes.find((c) => c.vm === 'app-02');
    expect(app02).toMatchObject({ change: 'added', ports: [{ port: 3389 }] });
    expect(armWrites()).toBe(writes);
  });
});

describe('permissions', () => {
  it("the pipeline's principal cannot change a policy: exit 3, the administrator role named, policy unchanged", async () => {
    const before = await storedEntries('rg-web', 'web-jit');
    const run = await runCli(emu, [
      'enable',
      '--vms',
      'legacy-01',
      '--resource-group',
      'rg-web',
      '--allowed-sources',
      '*',
      '--subscription',
      PROD,
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('AuthorizationFailed');
    expect(run.stderr).toContain('docs/roles/jit-policy-admin.json');
    expect(await storedEntries('rg-web', 'web-jit')).toEqual(before);
  });
});

describe('disable', () => {
  it('removes only the named VM, then deletes the policy when it becomes empty (dry run first)', async () => {
    const writes = armWrites();
    const dry = await admin(['disable', '--vms', 'app-01', '--resource-group', 'rg-new', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/app-01\s+22\s+removed/);
    expect(armWrites()).toBe(writes);

    const web = await storedEntries('rg-web', 'web-jit');
    const removed = await admin(['disable', '--vms', 'legacy-01', '--resource-group', 'rg-web']);
    expect(removed.code).toBe(0);
    const after = await storedEntries('rg-web', 'web-jit');
    expect(entryOf(after, 'legacy-01')).toBeUndefined();
    for (const vm of ['web-01', 'web-02', 'win-01']) expect(entryOf(after, vm)).toBe(entryOf(web, vm));

    const gone = await admin(['disable', '--vms', 'app-01', '--resource-group', 'rg-new']);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain('will be deleted');
    expect(await storedEntries('rg-new', 'default')).toBeUndefined();
  });
});

describe('bad input: a clear error naming the flag, exit 2, zero ARM writes', () => {
  const base = ['enable', '--vms', 'legacy-01', '--resource-group', 'rg-web'];
  it.each([
    [
      'port out of range',
      ['--ports', '70000', '--allowed-sources', '*'],
      ["'ports'", '"70000"', '1 to 65535'],
    ],
    ['port not a number', ['--ports', 'ssh', '--allowed-sources', '*'], ["'ports'", '"ssh"']],
    ['duration too short', ['--max-duration', 'PT4M', '--allowed-sources', '*'], ["'max-duration'", 'PT5M']],
    ['duration too long', ['--max-duration', 'P2D', '--allowed-sources', '*'], ["'max-duration'", 'P1D']],
    [
      'duration not ISO 8601',
      ['--max-duration', '3 hours', '--allowed-sources', '*'],
      ["'max-duration'", 'ISO 8601'],
    ],
    ['protocol', ['--protocol', 'ICMP', '--allowed-sources', '*'], ["'protocol'", 'TCP, UDP or *']],
    ['CIDR', ['--allowed-sources', '203.0.113.0/33'], ["'allowed-sources'", 'IP address or CIDR']],
    ['CIDR with host bits', ['--allowed-sources', '203.0.113.7/24'], ["'allowed-sources'", '203.0.113.0/24']],
    ['no allowed sources', [], ["'allowed-sources'", 'is required', "'*'"]],
    [
      'policy name + VM name over 56 characters',
      ['--policy', 'p'.repeat(50), '--allowed-sources', '*'],
      ["'vms'", '59 characters', 'at most 56'],
    ],
  ])('%s', async (_name, extra, expected) => {
    const writes = armWrites();
    const run = await admin([...base, ...extra]);
    expect(run.code).toBe(2);
    for (const text of expected) expect(run.stderr).toContain(text);
    expect(armWrites()).toBe(writes);
  });

  it('an existing policy whose name makes the pair too long is refused before any write', async () => {
    const writes = armWrites();
    // web-jit (7) + a 50-character VM name: known only once the policy is read.
    const run = await admin([
      'enable',
      '--vms',
      LONG_VM,
      '--resource-group',
      'rg-web',
      '--allowed-sources',
      '*',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("with JIT policy 'web-jit' makes 57 characters");
    expect(armWrites()).toBe(writes);
  });
});
