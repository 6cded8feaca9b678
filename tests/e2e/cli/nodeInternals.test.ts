/**
 * What Node loads for a run of the shipped CLI. Some of Node's own modules are loaded on first touch
 * and cost start-up though our runs never use them: worker_threads and util.diff (Node 24 loads them
 * when a dependency copies all of `node:util` into an import namespace), and Web Crypto (the global
 * `crypto`, 0.6-0.8 ms, when a dependency makes its request IDs with it). scripts/startup-patches.mjs
 * edits those imports at build time; this runs `request` and `close` on each Node and reads the list
 * of loaded modules the process itself kept (`process.moduleLoadList`), written when it exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { NODE_BINARIES } from '../../helpers/nodes';
import { emulatorFlags, PROD, requireBuiltCli, runCli, spEnv, tempDir } from './helpers';

jest.setTimeout(60_000);

const UNUSED = [
  'NativeModule worker_threads',
  'NativeModule internal/util/diff',
  'NativeModule internal/crypto/webcrypto',
];

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ ruleDelayMs: 0 });
});
afterAll(() => emu.stop());

describe.each(NODE_BINARIES)('on $name', ({ path: node }) => {
  it("a request and its close load none of Node's modules the run never uses", async () => {
    const cwd = tempDir();
    const list = (step: string): string => join(cwd, `${step}.modules`);
    const recorder = join(cwd, 'record-modules.js');
    writeFileSync(
      recorder,
      "process.on('exit', () => require('fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));\n",
    );
    const env = (step: string) => ({
      ...spEnv(emu),
      NODE_OPTIONS: `--require ${recorder}`,
      MODULE_LIST: list(step),
    });
    const vm = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
    const request = await runCli(
      emu,
      ['request', '--vms', vm, '--subscription', PROD, '--ports', '22', ...emulatorFlags(emu)],
      {
        cwd,
        node,
        env: env('request'),
      },
    );
    expect(request.stderr).toBe('');
    expect(request.code).toBe(0);
    const close = await runCli(
      emu,
      ['close', '--cloud', 'Custom', '--arm-endpoint', emu.armUrl, '--authority-host', emu.authorityHost],
      {
        cwd,
        node,
        env: env('close'),
      },
    );
    expect(close.code).toBe(0);
    for (const step of ['request', 'close']) {
      const loaded = readFileSync(list(step), 'utf8').split('\n');
      // The run did make HTTPS requests (the list is the run's own, not an empty one).
      expect(loaded).toContain('NativeModule https');
      expect({ step, unused: loaded.filter((m) => UNUSED.includes(m)) }).toEqual({ step, unused: [] });
    }
  });
});
