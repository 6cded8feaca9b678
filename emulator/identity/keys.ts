/**
 * Key material for the identity side: the key that signs every token the emulator
 * issues (Entra access tokens and the GitHub / Azure DevOps OIDC tokens), and the
 * certificates of principals that authenticate with one. RSA throughout, as Entra
 * (RS256) and MSAL's certificate assertions (RS256/PS256) require; the slow RSA key
 * generation is cached across processes by rsaKeys.ts, the certificates per process.
 * Instances stay isolated because each one only accepts tokens it issued itself
 * (issuedTokens.ts).
 */
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { RSA_ALGORITHM, rsaKeyPair } from './rsaKeys';

export interface SigningKey {
  kid: string;
  /** base64url SHA-1 thumbprint of the key's certificate, as Entra puts in `x5t`. */
  x5t: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK as published by the discovery `keys` endpoints (kty, n, e, kid, x5t, x5c, use). */
  jwk: JWK;
}

export interface CertificateCredential {
  /** Certificate followed by its PKCS#8 private key, the PEM ClientCertificateCredential accepts. */
  pem: string;
  certificatePem: string;
  /** Upper-case hex thumbprints, the form the Azure portal shows. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  publicKey: KeyObject;
}

const DAY_MS = 24 * 60 * 60 * 1000;

let signingKeyPromise: Promise<SigningKey> | undefined;
const certificates = new Map<string, Promise<CertificateCredential>>();

/** The process-wide token signing key. */
export function signingKey(): Promise<SigningKey> {
  signingKeyPromise ??= createSigningKey().catch((error: unknown) => {
    signingKeyPromise = undefined;
    throw error;
  });
  return signingKeyPromise;
}

/** The certificate credential of the principal with this client id (same for every instance in the process). */
export function certificateCredential(clientId: string, displayName: string): Promise<CertificateCredential> {
  let pending = certificates.get(clientId);
  if (!pending) {
    pending = createCertificate(`certificate:${clientId}`, `CN=${displayName}`).then(
      async ({ cert, keys }) => {
        const der = Buffer.from(cert.rawData);
        const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
        const certificatePem = cert.toString('pem');
        return {
          pem: `${certificatePem}\n${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
          certificatePem,
          thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
          thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
          publicKey: KeyObject.from(keys.publicKey),
        };
      },
    );
    pending.catch(() => certificates.delete(clientId));
    certificates.set(clientId, pending);
  }
  return pending;
}

async function createSigningKey(): Promise<SigningKey> {
  const { cert, keys } = await createCertificate('token-signing', 'CN=accounts.accesscontrol.windows.net');
  const der = Buffer.from(cert.rawData);
  const x5t = createHash('sha1').update(der).digest('base64url');
  const publicKey = KeyObject.from(keys.publicKey);
  const jwk = await exportJWK(publicKey);
  // Entra uses the certificate thumbprint as both kid and x5t.
  return {
    kid: x5t,
    x5t,
    privateKey: KeyObject.from(keys.privateKey),
    publicKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      kid: x5t,
      x5t,
      ...(jwk.n === undefined ? {} : { n: jwk.n }),
      ...(jwk.e === undefined ? {} : { e: jwk.e }),
      x5c: [der.toString('base64')],
    },
  };
}

async function createCertificate(
  slot: string,
  subject: string,
): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  x509.cryptoProvider.set(webcrypto);
  const keys = await rsaKeyPair(slot);
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(serial).toString('hex'),
    name: subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 2 * 365 * DAY_MS),
    keys,
    signingAlgorithm: RSA_ALGORITHM,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return { cert, keys };
}
