/**
 * The built CLI's `close` when post's re-check meets a 403: the NSG cannot be
 * read again, or the rule came back and deleting it again is refused. Exit 3
 * (a missing permission, as for every other 403), the warning names the
 * permission, and the state file is kept so that a retry can finish.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { denyNext } from '../../integration/core/harness';
import { cloudFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

const NSG = 'snet-web2-nsg';
const NSG_GET = new RegExp(`networkSecurityGroups/${NSG}\\?`);
const RULE_PATH = new RegExp(`networkSecurityGroups/${NSG}/securityRules/`);

let emu: Emulator | undefined;
beforeAll(requireBuiltCli);
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

/** `request` for web-02 port 22, then `close` with `arm`'s faults in place. */
async function requestThenClose(arm: (e: Emulator) => void) {
  const e = (emu = await startEmulator());
  const cwd = tempDir();
  const request = [
    'request',
    ...['--vms', 'web-02', '--resource-group', 'rg-web', '--subscription', PROD, '--ports', '22'],
    ...['--ip-providers', e.ipEchoUrls.join(','), ...cloudFlags(e)],
  ];
  expect((await runCli(e, request, { cwd })).code).toBe(0);
  expect(jitAllowRules(e, NSG)).toHaveLength(1);
  arm(e);
  const closed = await runCli(e, ['close', ...cloudFlags(e)], { cwd });
  return { e, cwd, closed, stateFile: join(cwd, '.azure-jit-access', 'state.json') };
}

it('the re-check cannot read the NSG again (403): exit 3, the permission named, the state file kept', async () => {
  const { e, cwd, closed, stateFile } = await requestThenClose((x) => {
    // close's first read of the NSG (ownership) passes; the re-check's is refused.
    x.control.faults.add({ method: 'GET', path: NSG_GET, latencyMs: 1 });
    denyNext(x, 'GET', NSG_GET, 'Microsoft.Network/networkSecurityGroups/read');
  });
  expect(jitAllowRules(e, NSG)).toEqual([]);
  expect(closed.code).toBe(3);
  expect(closed.stderr).toContain('it needs Microsoft.Network/networkSecurityGroups/read');
  expect(existsSync(stateFile)).toBe(true);
  // With the permission back, a retry from the same state file finishes.
  expect((await runCli(e, ['close', ...cloudFlags(e)], { cwd })).code).toBe(0);
  expect(existsSync(stateFile)).toBe(false);
});

it('the rule came back and deleting it again is refused (403): exit 3, the permission named', async () => {
  const { e, closed, stateFile } = await requestThenClose((x) => {
    // The first delete is accepted and confirmed; the rule is there again at the re-check.
    x.control.faults.add({ method: 'DELETE', path: RULE_PATH, status: 202, body: '' });
    x.control.faults.add({ method: 'GET', path: RULE_PATH, status: 404 });
    denyNext(x, 'DELETE', RULE_PATH, 'Microsoft.Network/networkSecurityGroups/securityRules/delete');
  });
  expect(jitAllowRules(e, NSG)).toHaveLength(1);
  expect(closed.code).toBe(3);
  expect(closed.stderr).toContain('came back and could not be deleted again');
  expect(closed.stderr).toContain('it needs Microsoft.Network/networkSecurityGroups/securityRules/delete');
  expect(existsSync(stateFile)).toBe(true);
});
