/** TLS material: a CA-signed server certificate valid for 127.0.0.1 and localhost, cached per process. */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTlsMaterial, writeCaFile } from '../../../emulator/tls';

it('issues a server certificate for 127.0.0.1 and localhost, signed by the CA', async () => {
  const { caPem, certPem, keyPem } = await createTlsMaterial();
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  expect(ca.ca).toBe(true);
  expect(cert.ca).toBe(false);
  expect(cert.verify(ca.publicKey)).toBe(true);
  expect(cert.checkIssued(ca)).toBe(true);
  expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(cert.checkHost('localhost')).toBe('localhost');
  expect(cert.checkHost('example.com')).toBeUndefined();
  expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
  expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
  expect(new Date(cert.validFrom).getTime()).toBeLessThan(Date.now());
});

it('returns the same material to every caller in the process', async () => {
  const [a, b] = await Promise.all([createTlsMaterial(), createTlsMaterial()]);
  expect(b).toBe(a);
});

it('writes the CA to a file for NODE_EXTRA_CA_CERTS', async () => {
  const { caPem } = await createTlsMaterial();
  const path = writeCaFile(caPem);
  expect(readFileSync(path, 'utf8')).toBe(caPem);
  expect(writeCaFile(caPem)).not.toBe(path);
});
