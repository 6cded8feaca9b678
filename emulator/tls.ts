/**
 * TLS material for the emulator: a throw-away CA and a server certificate for
 * 127.0.0.1 and localhost signed by it. The Azure SDKs refuse bearer tokens over
 * plain HTTP, so the emulator must speak HTTPS, and clients must really verify it
 * (in-process through `tlsOptions: { ca }`, child processes through NODE_EXTRA_CA_CERTS).
 *
 * ECDSA P-256 keeps generation to a few milliseconds; the result is cached per
 * process because startEmulator must stay fast and the material holds no state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface TlsMaterial {
  /** PEM of the CA certificate; the only thing clients need to trust. */
  caPem: string;
  /** PEM of the server certificate (SAN IP:127.0.0.1, DNS:localhost). */
  certPem: string;
  /** PKCS#8 PEM of the server key. */
  keyPem: string;
}

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

let cached: Promise<TlsMaterial> | undefined;

/** The same CA and server certificate for every emulator in this process. */
export function createTlsMaterial(): Promise<TlsMaterial> {
  cached ??= generate().catch((error: unknown) => {
    cached = undefined; // do not cache a failure
    throw error;
  });
  return cached;
}

async function generate(): Promise<TlsMaterial> {
  const subtle = webcrypto.subtle;
  x509.cryptoProvider.set(webcrypto);
  // Back-date by a day so clock skew between processes never makes the cert "not yet valid".
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + 365 * DAY_MS);

  const caKeys = await subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=azure-jit-access emulator test CA, O=azure-jit-access',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await subtle.generateKey(ecdsa, true, ['sign', 'verify']);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await subtle.exportKey('pkcs8', serverKeys.privateKey);
  return {
    caPem: ca.toString('pem'),
    certPem: server.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

/** Positive 16-byte serial (leading bit cleared, as DER INTEGERs are signed). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/**
 * Writes the CA to a fresh temp directory and returns its path, for
 * NODE_EXTRA_CA_CERTS in child processes (Node reads that variable only at start).
 */
export function writeCaFile(caPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'azure-jit-emulator-'));
  const path = join(dir, 'ca.pem');
  writeFileSync(path, caPem, { mode: 0o644 });
  // One file per process, shared by every emulator it starts (so not removed at stop): gone at exit.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}
