/**
 * The default scenario with hub-jit's fw-01 behind a "firewall" at 127.0.0.1: the scenario's
 * firewall IP is unreachable from here, so probe tests point it at a loopback listener standing
 * in for the firewall's DNAT port. Shared by the in-process and the CLI-bundle probe suites.
 */
import { loadScenario, type Scenario } from '../../emulator';

/** The default scenario, with fw-01's port 22 mapped to `port` on 127.0.0.1. */
export function firewallAtLoopback(port: number): Scenario {
  const scenario = loadScenario(undefined);
  const entry = scenario.subscriptions
    .flatMap((s) => s.resourceGroups)
    .flatMap((g) => g.jitPolicies ?? [])
    .find((p) => p.name === 'hub-jit')
    ?.virtualMachines.find((v) => v.vm === 'fw-01');
  if (!entry) throw new Error('the default scenario has no fw-01 in hub-jit');
  entry.publicIpAddress = '127.0.0.1';
  entry.mappedPorts = { '22': port };
  return scenario;
}
