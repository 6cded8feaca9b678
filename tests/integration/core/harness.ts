/**
 * Shared set-up for the core integration tests: the real SDKs, the real OAuth
 * flow and the real HTTPS stack against the in-process emulator; only the
 * runner is faked (tests/helpers/fakePlatform).
 */
import type { Emulator } from '../../../emulator';
import type { InputName } from '../../../shared/inputs/table';
import { runMain, runPost, type RunOptions } from '../../../shared/run';
import { STATE_KEY, parseState, type JitState } from '../../../shared/state';
import { FakePlatform } from '../../helpers/fakePlatform';
import { emulatorConnect } from '../../helpers/emulatorSession';
import { initiateAsOther, type OtherRequest } from '../../helpers/otherRequest';

export type { Emulator };

export const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const DATA_SUB = 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e';
export const EGRESS_IP = '203.0.113.10';

export function vmId(name: string, rg: string, sub = SUB): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
}

/** Inputs of a typical run against the emulator; `over` wins. */
export function platformFor(
  emu: Emulator,
  over: Partial<Record<InputName, string>> = {},
  state?: string,
): FakePlatform {
  return new FakePlatform({
    inputs: {
      vms: 'web-01',
      'resource-group': 'rg-web',
      ports: '22',
      'ip-providers': emu.ipEchoUrls.join('\n'),
      cloud: 'Custom',
      'arm-endpoint': emu.armUrl,
      'authority-host': emu.authorityHost,
      'wait-timeout': '30',
      ...over,
    },
    ...(state !== undefined ? { state: { [STATE_KEY]: state } } : {}),
  });
}

export function options(
  emu: Emulator,
  platform: FakePlatform,
  extra: Partial<RunOptions> = {},
  principal = 'jit-deployer',
): RunOptions {
  return { platform, connect: emulatorConnect(emu, principal), tlsCa: emu.caPem, ...extra };
}

export function main(
  emu: Emulator,
  platform: FakePlatform,
  extra: Partial<RunOptions> = {},
  principal?: string,
): Promise<boolean> {
  return runMain(options(emu, platform, extra, principal)).then((o) => o.ok);
}

export function post(
  emu: Emulator,
  platform: FakePlatform,
  extra: Partial<RunOptions> = {},
  principal?: string,
): Promise<boolean> {
  return runPost(options(emu, platform, extra, principal)).then((o) => o.ok);
}

export function savedState(platform: FakePlatform): JitState {
  const parsed = parseState(platform.getState(STATE_KEY));
  if (!parsed.ok) throw new Error(`no usable state: ${parsed.detail}`);
  return parsed.state;
}

/** JIT allow rules currently in an NSG of the emulator. */
export function allowRules(emu: Emulator, nsgName: string) {
  return emu.control.rules(nsgName).filter((r) => r.jit === 'allow');
}

const ARM_PROVIDERS = new Set(['security', 'network', 'compute', 'resources']);

/** ARM write calls (the token POST to Entra ID is not one). */
export function writes(emu: Emulator) {
  return emu.control.requests().filter((r) => r.write && ARM_PROVIDERS.has(r.provider));
}

export function initiates(emu: Emulator) {
  return emu.control.requests().filter((r) => r.method === 'POST' && /\/initiate$/i.test(r.path));
}

/** Counts of the emulator's ARM log by provider and method, e.g. { 'security GET': 1 }. */
export function requestCounts(emu: Emulator): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of emu.control.requests()) {
    const k = `${r.provider} ${r.method}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** The next `method` on `path` is refused as ARM refuses an action the role lacks. */
export function denyNext(e: Emulator, method: string, path: RegExp, action: string): void {
  e.control.faults.add({
    method,
    path,
    status: 403,
    body: {
      error: {
        code: 'AuthorizationFailed',
        message: `The client 'x' with object id 'x' does not have authorization to perform action '${action}' over scope 'rg-web' or the scope is invalid.`,
      },
    },
  });
}

/** Resolves once `predicate` holds, polling the in-process emulator (no wall-clock assertion). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Runs main while another principal's request takes its VM port: our rule is held back for good,
 * the other request's rule is written at once. Resolves to main's outcome.
 */
export async function mainSupersededWhileWaiting(
  emu: Emulator,
  platform: FakePlatform,
  other: OtherRequest = { vm: 'web-01', resourceGroup: 'rg-web', policy: 'web-jit', source: '198.51.100.7' },
): Promise<boolean> {
  emu.control.setRuleDelay(60 * 60_000);
  const running = main(emu, platform);
  await until(() => initiates(emu).length === 1, 'our initiate');
  emu.control.setRuleDelay(0);
  const status = await initiateAsOther(emu, other);
  if (status !== 202) throw new Error(`the other request got HTTP ${status}, not 202`);
  return running;
}
