/**
 * RSA key pairs for the identity side, cached in memory AND on disk.
 *
 * Entra signs with RS256 and MSAL signs certificate assertions with RS256/PS256, so
 * the token-signing key and every principal certificate need RSA. Generating one
 * 2048-bit key takes 100-700 ms on a small, busy machine, which alone would break the
 * emulator's 300 ms start budget in every fresh process (each jest worker, each CLI
 * run). So the keys of this throw-away test identity are kept in a private file under
 * the OS temp directory (0700 dir, 0600 file) and reused; only the very first process
 * on a machine pays for generation. Nothing secret is protected by these keys.
 * Tokens stay bound to the emulator instance that issued them, so
 * sharing key material between processes shares no state (issuedTokens.ts).
 */
import { webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RSA_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

const CACHE_VERSION = 1;
const DEFAULT_DIR = join(tmpdir(), 'azure-jit-access-emulator');

interface StoredPair {
  pkcs8: string;
  spki: string;
}
interface CacheFile {
  version: number;
  keys: Record<string, StoredPair>;
}

const inMemory = new Map<string, Promise<webcrypto.CryptoKeyPair>>();

/** The key pair stored under `slot` (e.g. `token-signing`, `certificate:<client id>`). */
export function rsaKeyPair(slot: string, cacheDir: string = DEFAULT_DIR): Promise<webcrypto.CryptoKeyPair> {
  const memoKey = `${cacheDir}\0${slot}`;
  let pending = inMemory.get(memoKey);
  if (!pending) {
    pending = loadOrCreate(slot, cacheDir);
    pending.catch(() => inMemory.delete(memoKey));
    inMemory.set(memoKey, pending);
  }
  return pending;
}

async function loadOrCreate(slot: string, cacheDir: string): Promise<webcrypto.CryptoKeyPair> {
  const stored = readCache(cacheDir).keys[slot];
  if (stored) {
    try {
      return await importPair(stored);
    } catch {
      // Unreadable entry (truncated file, other format): fall through and replace it.
    }
  }
  const pair = await webcrypto.subtle.generateKey(RSA_ALGORITHM, true, ['sign', 'verify']);
  const [pkcs8, spki] = await Promise.all([
    webcrypto.subtle.exportKey('pkcs8', pair.privateKey),
    webcrypto.subtle.exportKey('spki', pair.publicKey),
  ]);
  writeCache(cacheDir, slot, {
    pkcs8: Buffer.from(pkcs8).toString('base64'),
    spki: Buffer.from(spki).toString('base64'),
  });
  return pair;
}

async function importPair(stored: StoredPair): Promise<webcrypto.CryptoKeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', Buffer.from(stored.pkcs8, 'base64'), RSA_ALGORITHM, true, ['sign']),
    webcrypto.subtle.importKey('spki', Buffer.from(stored.spki, 'base64'), RSA_ALGORITHM, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

function cachePath(cacheDir: string): string {
  return join(cacheDir, `rsa-keys-v${CACHE_VERSION}.json`);
}

function readCache(cacheDir: string): CacheFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(cachePath(cacheDir), 'utf8'));
    if (isCacheFile(parsed)) return parsed;
  } catch {
    // Missing or corrupt: start empty.
  }
  return { version: CACHE_VERSION, keys: {} };
}

/**
 * Merges one entry into the file: write to a unique temp file, then rename, so
 * processes starting together never read a half-written file (last writer wins;
 * a lost entry is simply generated again next time).
 */
function writeCache(cacheDir: string, slot: string, pair: StoredPair): void {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const current = readCache(cacheDir);
    current.keys[slot] = pair;
    const temp = `${cachePath(cacheDir)}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, JSON.stringify(current), { mode: 0o600 });
    renameSync(temp, cachePath(cacheDir));
  } catch {
    // A read-only temp dir only costs speed: the key is still used for this process.
  }
}

function isCacheFile(value: unknown): value is CacheFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { version?: unknown; keys?: unknown };
  if (v.version !== CACHE_VERSION || typeof v.keys !== 'object' || v.keys === null) return false;
  return Object.values(v.keys as Record<string, unknown>).every(
    (e) =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as StoredPair).pkcs8 === 'string' &&
      typeof (e as StoredPair).spki === 'string',
  );
}
