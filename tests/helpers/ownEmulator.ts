/**
 * An emulator for one test, stopped when the test ends: tests that each own a world can run
 * concurrently (`it.concurrent`) instead of one wait after another, and none sees another's
 * rules, faults or request log.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';

export async function withEmulator<T>(
  options: EmulatorOptions,
  fn: (emu: Emulator) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
  }
}
