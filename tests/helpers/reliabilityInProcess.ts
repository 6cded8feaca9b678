/**
 * In-process runs of the core (runMain / runPost with the fake platform and a
 * real credential against the emulator), for the matrices where spawning a
 * bundle per run would be too slow: 1000 runs of parallel interleavings, 50
 * concurrent runs under throttling, an injected skewed clock.
 */
import type { Emulator } from '../../emulator';
import type { InputName } from '../../shared/inputs/table';
import type { OutputName } from '../../shared/outputs';
import { runMain, runPost } from '../../shared/run';
import type { Connect } from '../../shared/session';
import { emulatorConnect } from './emulatorSession';
import { FakePlatform, type FakePlatformOptions } from './fakePlatform';
import { EGRESS_IP } from './reliabilityRuns';

/** A FakePlatform that lets a test look at the emulator at the very moment an output is set. */
export class WatchedPlatform extends FakePlatform {
  constructor(
    options: FakePlatformOptions,
    private readonly onOutput?: (name: OutputName, value: string) => void,
  ) {
    super(options);
  }

  override setOutput(name: OutputName, value: string): void {
    super.setOutput(name, value);
    this.onOutput?.(name, value);
  }
}

export type CoreInputs = Partial<Record<InputName, string>>;

/** Core inputs (kebab names) opening SSH on web-01 from an explicit source. */
export function coreInputs(emu: Emulator, overrides: CoreInputs = {}): CoreInputs {
  return {
    vms: 'web-01',
    'resource-group': 'rg-web',
    ports: '22',
    duration: '15',
    source: EGRESS_IP,
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    'wait-timeout': '30',
    ...overrides,
  };
}

export interface InProcessOptions {
  readonly inputs?: CoreInputs;
  /** Shared across runs of one emulator to keep token requests out of the figures (default: a new one). */
  readonly connect?: Connect;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  readonly onOutput?: (name: OutputName, value: string) => void;
}

export interface InProcessRun {
  readonly platform: WatchedPlatform;
  readonly ok: boolean;
}

export async function mainInProcess(emu: Emulator, o: InProcessOptions = {}): Promise<InProcessRun> {
  const platform = new WatchedPlatform({ inputs: coreInputs(emu, o.inputs) }, o.onOutput);
  const { ok } = await runMain({
    platform,
    connect: o.connect ?? emulatorConnect(emu),
    tlsCa: emu.caPem,
    ...(o.now ? { now: o.now } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { platform, ok };
}

/** Post with the state main left (or `state` when given, e.g. garbage). */
export async function postInProcess(
  emu: Emulator,
  main: InProcessRun | undefined,
  o: InProcessOptions & { readonly state?: string } = {},
): Promise<InProcessRun> {
  const state = o.state ?? main?.platform.getState('jit-state') ?? '';
  const platform = new WatchedPlatform({ inputs: coreInputs(emu, o.inputs), state: { 'jit-state': state } });
  const { ok } = await runPost({
    platform,
    connect: o.connect ?? emulatorConnect(emu),
    tlsCa: emu.caPem,
    ...(o.now ? { now: o.now } : {}),
  });
  return { platform, ok };
}
