/**
 * What every matrix cell plants and checks, whatever the front-end: another
 * principal's older requests on the same VM (one from another address, one
 * from OUR address: an older rule with our source must never be adopted nor
 * deleted), then after open and close, which JIT allow rules are whose.
 */
import type { Emulator, RuleView } from '../../../emulator';
import { cloudFlags, PROD } from '../cli/helpers';
import { samePrefixForTest } from './prefix';

export const VM = 'win-01';
export const RG = 'rg-web';
export const PORTS = [3389, 5986] as const;
export const NSGS = ['win-01-nsg'] as const;
export const OTHER_SOURCE = '198.51.100.7';

/** The CLI's `request` for the matrix VM and ports, with the emulator's IP echo and cloud. */
export function requestArgs(emu: Emulator): string[] {
  return [
    'request',
    '--vms',
    VM,
    '--resource-group',
    RG,
    '--subscription',
    PROD,
    '--ports',
    PORTS.join(','),
    '--ip-providers',
    emu.ipEchoUrls.join(','),
    '--json',
    ...cloudFlags(emu),
  ];
}

export function jitAllow(emu: Emulator): RuleView[] {
  return NSGS.flatMap((n) => emu.control.rules(n)).filter((r) => r.jit === 'allow');
}

export function sourcesOf(r: RuleView): string[] {
  return [r.properties.sourceAddressPrefix, ...(r.properties.sourceAddressPrefixes ?? [])].filter(
    (s): s is string => !!s,
  );
}

export function portsOf(r: RuleView): number[] {
  return [r.properties.destinationPortRange, ...(r.properties.destinationPortRanges ?? [])]
    .filter((p): p is string => !!p)
    .map(Number);
}

/** Another principal's requests, sent before our run: port 3389 from another address, port 5986 from ours. */
export async function plantOthers(emu: Emulator, ourSource: string): Promise<void> {
  const id = `/subscriptions/${PROD}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${VM}`;
  const end = new Date(emu.control.clock.now().getTime() + 45 * 60_000).toISOString();
  for (const [port, source] of [
    [3389, OTHER_SOURCE],
    [5986, ourSource],
  ] as const) {
    const r = await emu.control.initiateAs('jit-cert', {
      resourceGroup: RG,
      location: 'eastus',
      policy: 'web-jit',
      body: {
        virtualMachines: [
          { id, ports: [{ number: port, allowedSourceAddressPrefix: source, endTimeUtc: end }] },
        ],
      },
    });
    if (r.status !== 202) throw new Error(`planting another principal's request failed: ${r.status}`);
  }
}

/** Waits until the emulator has written every planted rule (rule delay may be > 0). */
export async function settle(emu: Emulator, count: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (jitAllow(emu).filter((r) => r.provisioningState === 'Succeeded').length < count) {
    if (Date.now() > until) throw new Error('planted rules never appeared');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rules of this run: written after `before` (by name), allowing our source. */
export function oursAmong(
  rules: readonly RuleView[],
  before: ReadonlySet<string>,
  source: string,
): RuleView[] {
  return rules.filter((r) => !before.has(r.name) && sourcesOf(r).some((s) => samePrefixForTest(s, source)));
}

/** Per port of PORTS: how many of `ours` carry it and are live (`Succeeded`); ready means NSGS.length each. */
export function livePerPort(ours: readonly RuleView[]): number[] {
  return PORTS.map(
    (port) => ours.filter((r) => portsOf(r).includes(port) && r.provisioningState === 'Succeeded').length,
  );
}
