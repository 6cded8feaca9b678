import { startEmulator } from '../../../../emulator';
import { main, platformFor } from '../harness';
it('diag', async () => {
  const emu = await startEmulator();
  const p = platformFor(emu, { source: '203.0.113.10' });
  expect(await main(emu, p)).toBe(true);
  await emu.stop();
  await new Promise((r) => setTimeout(r, 200));
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  console.log(handles.map((h) => (h as object).constructor.name + ' ' + ((h as { remotePort?: number }).remotePort ?? '') + ' ' + ((h as {_idleTimeout?: number})._idleTimeout ?? '')));
});
