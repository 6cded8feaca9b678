/**
 * The RSA key cache: a key generated once is reused by later processes (simulated by
 * reloading the module), and a damaged cache file is replaced rather than trusted.
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as RsaKeysModule from '../../../emulator/identity/rsaKeys';

type RsaKeys = typeof RsaKeysModule;

function freshModule(): RsaKeys {
  let mod: RsaKeys | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<RsaKeys>('../../../emulator/identity/rsaKeys');
  });
  if (!mod) throw new Error('module did not load');
  return mod;
}

async function spki(pair: webcrypto.CryptoKeyPair): Promise<string> {
  return Buffer.from(await webcrypto.subtle.exportKey('spki', pair.publicKey)).toString('base64');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rsa-cache-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reuses a key across processes through a private cache file, and keeps slots apart', async () => {
  const first = await freshModule().rsaKeyPair('slot-a', dir);
  const file = join(dir, 'rsa-keys-v1.json');
  // Owner-only; Windows has no POSIX modes (Node reports 0o666 for any writable file there).
  if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  const again = await freshModule().rsaKeyPair('slot-a', dir);
  expect(await spki(again)).toBe(await spki(first));

  // The reloaded pair still signs what the original verifies.
  const data = Buffer.from('payload');
  const signature = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', again.privateKey, data);
  expect(await webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', first.publicKey, signature, data)).toBe(true);

  const other = await freshModule().rsaKeyPair('slot-b', dir);
  expect(await spki(other)).not.toBe(await spki(first));
  expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { keys: object }).keys).sort()).toEqual([
    'slot-a',
    'slot-b',
  ]);
});

it('replaces a corrupt cache file', async () => {
  const file = join(dir, 'rsa-keys-v1.json');
  writeFileSync(file, '{"version":1,"keys":{"slot-a":{"pkcs8":"bm90IGEga2V5","spki":"bm90IGEga2V5"}}}');
  const pair = await freshModule().rsaKeyPair('slot-a', dir);
  expect(pair.privateKey.type).toBe('private');
  const stored = (JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, { spki: string }> }).keys[
    'slot-a'
  ];
  expect(stored?.spki).toBe(await spki(pair));
});
