/**
 * The default scenario plus a test VM that `calibrate` accepts: `calib-01` in
 * rg-calib, behind a NIC NSG and a subnet NSG, with policy `calib-jit` listing
 * ports 22 (source `*`) and 3389 (exactly the probe's documentation sources),
 * and an Azure Firewall mapping (so the 202's `mappedPort` shows what it echoes).
 * `calib-02` shares the subnet NSG: the probe must never touch its rules.
 * `calib-closer` holds exactly docs/roles/jit-requester-closer.json on rg-calib
 * only (no subscription-wide read). A test scenario, not default.json: other
 * suites count the default's policies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, type Emulator, type Scenario } from '../../../emulator';
import { PROD } from './helpers';

export const CALIB = {
  rg: 'rg-calib',
  vm: 'calib-01',
  other: 'calib-02',
  policy: 'calib-jit',
  closer: 'calib-closer',
  nicNsg: 'calib-01-nsg',
  subnetNsg: 'snet-calib-nsg',
  vmIp: '10.9.1.4',
  otherIp: '10.9.1.5',
} as const;

export function calibrateScenario(): Scenario {
  const scenario = loadScenario(undefined);
  const sub = scenario.subscriptions.find((s) => s.id === PROD);
  if (!sub) throw new Error('default scenario without the production subscription');
  const port = (number: number, sources?: string[]) => ({
    number,
    protocol: 'TCP',
    ...(sources ? { allowedSourceAddressPrefixes: sources } : { allowedSourceAddressPrefix: '*' }),
    maxRequestAccessDuration: 'PT1H',
  });
  const closerActions = (
    JSON.parse(
      readFileSync(join(__dirname, '..', '..', '..', 'docs', 'roles', 'jit-requester-closer.json'), 'utf8'),
    ) as { Actions: string[] }
  ).Actions;
  scenario.principals.push({
    name: CALIB.closer,
    type: 'ServicePrincipal',
    clientId: '55555555-aaaa-4bbb-8ccc-000000000001',
    objectId: '66666666-aaaa-4bbb-8ccc-000000000001',
    secret: 'secret-of-calib-closer',
    roleAssignments: [{ scope: `/subscriptions/${PROD}/resourceGroups/${CALIB.rg}`, actions: closerActions }],
  });
  sub.resourceGroups.push({
    name: CALIB.rg,
    location: 'eastus',
    virtualNetworks: [
      {
        name: 'vnet-calib',
        addressPrefixes: ['10.9.0.0/16'],
        subnets: [
          { name: 'snet-calib', addressPrefix: '10.9.1.0/24', networkSecurityGroup: CALIB.subnetNsg },
        ],
      },
    ],
    networkSecurityGroups: [{ name: CALIB.nicNsg }, { name: CALIB.subnetNsg }],
    virtualMachines: [
      {
        name: CALIB.vm,
        osType: 'Linux',
        size: 'Standard_B2s',
        networkInterfaces: [
          {
            name: 'calib-01-nic',
            privateIp: CALIB.vmIp,
            subnet: 'vnet-calib/snet-calib',
            networkSecurityGroup: CALIB.nicNsg,
          },
        ],
      },
      {
        name: CALIB.other,
        osType: 'Linux',
        size: 'Standard_B2s',
        networkInterfaces: [
          { name: 'calib-02-nic', privateIp: CALIB.otherIp, subnet: 'vnet-calib/snet-calib' },
        ],
      },
    ],
    jitPolicies: [
      {
        name: CALIB.policy,
        location: 'eastus',
        kind: 'Basic',
        virtualMachines: [
          {
            vm: CALIB.vm,
            ports: [port(22), port(3389, ['192.0.2.10', '192.0.2.10/32', '198.51.100.10'])],
            publicIpAddress: '52.170.20.40',
            mappedPorts: { '22': 50022, '3389': 53389 },
          },
          { vm: CALIB.other, ports: [port(22)] },
        ],
      },
    ],
  } as Scenario['subscriptions'][number]['resourceGroups'][number]);
  return loadScenario(scenario);
}

/** The JIT allow rules for destination `ip` in the calibration VM's two NSGs. */
export function calibRulesFor(emu: Emulator, ip: string) {
  return [CALIB.nicNsg, CALIB.subnetNsg].flatMap((nsg) =>
    emu.control
      .rules(nsg)
      .filter((r) => r.jit === 'allow' && r.properties.destinationAddressPrefix === ip)
      .map((r) => ({ nsg, name: r.name, source: r.properties.sourceAddressPrefix })),
  );
}

/** Another principal's live access to the VM beside the test VM, from one of the probe's own sources. */
export async function neighbourAccess(emu: Emulator): Promise<void> {
  const res = await emu.control.initiateAs('jit-cert', {
    resourceGroup: CALIB.rg,
    location: 'eastus',
    policy: CALIB.policy,
    body: {
      virtualMachines: [
        {
          id: `/subscriptions/${PROD}/resourceGroups/${CALIB.rg}/providers/Microsoft.Compute/virtualMachines/${CALIB.other}`,
          ports: [
            {
              number: 22,
              allowedSourceAddressPrefix: '192.0.2.10',
              endTimeUtc: new Date(Date.now() + 30 * 60_000).toISOString(),
            },
          ],
        },
      ],
    },
  });
  if (res.status !== 202) throw new Error(`neighbour initiate answered ${res.status}`);
  for (let i = 0; i < 100 && calibRulesFor(emu, CALIB.otherIp).length === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  if (calibRulesFor(emu, CALIB.otherIp).length !== 1) throw new Error('the neighbour rule did not appear');
}
