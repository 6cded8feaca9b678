/**
 * TLS trust failures are not called temporary: they say what to trust. Against a real HTTPS
 * server with a certificate this process does not trust, through the same path as sign-in.
 */
import { createServer, type Server } from 'node:https';
import { ClientSecretCredential } from '@azure/identity';
import { createTlsMaterial } from '../../../emulator/tls';
import { AzureApiError } from '../../../shared/errors';
import {
  describeSignInFailure,
  endpointHint,
  TokenEndpointRecorder,
} from '../../../shared/azure/signInFailure';
import { ADO, CLI, GITHUB, render } from '../../../shared/frontEnd';
import { tlsTrustCode, tlsTrustHint } from '../../../shared/tlsTrust';

describe('tlsTrustCode', () => {
  it('finds the code on the error, in its message or its causes', () => {
    expect(tlsTrustCode(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe(
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    expect(tlsTrustCode(new Error('request failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    expect(tlsTrustCode(new Error('outer', { cause: { code: 'CERT_HAS_EXPIRED' } }))).toBe(
      'CERT_HAS_EXPIRED',
    );
    expect(tlsTrustCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBeUndefined();
  });

  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', /--ca-file.*NODE_EXTRA_CA_CERTS/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /another host name/],
    ['CERT_HAS_EXPIRED', /not valid now.*clock/],
  ])('%s has a hint that says what to do, not "temporary"', (code, says) => {
    const hint = render(tlsTrustHint(code, 'https://login.example'), CLI);
    expect(hint).toMatch(says);
    expect(hint).not.toMatch(/temporary/);
  });

  it('says what to trust, and which endpoint to check, as each front-end spells it', () => {
    const untrusted = tlsTrustHint('SELF_SIGNED_CERT_IN_CHAIN', 'https://login.example');
    expect(render(untrusted, CLI)).toContain('--ca-file <file>');
    expect(render(untrusted, GITHUB)).toContain('NODE_EXTRA_CA_CERTS');
    expect(render(untrusted, GITHUB)).not.toContain('--ca-file');
    expect(render(untrusted, ADO)).toMatch(/NODE_EXTRA_CA_CERTS.*self-hosted agent/);
    const wrongHost = tlsTrustHint('ERR_TLS_CERT_ALTNAME_INVALID', 'https://login.example');
    expect(render(wrongHost, CLI)).toContain('(--arm-endpoint / --authority-host / --ip-providers)');
    expect(render(wrongHost, GITHUB)).toContain('(arm-endpoint / authority-host / ip-providers)');
    // Azure DevOps shows no cloud inputs: the service connection holds the endpoints.
    expect(render(wrongHost, ADO)).toContain("(the service connection's endpoints / ipProviders)");
  });
});

describe('a server whose certificate is not trusted', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // The emulator's certificates: its CA is not in this process's trust store.
    const material = await createTlsMaterial();
    server = createServer({ key: material.keyPem, cert: material.certPem }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `https://127.0.0.1:${address.port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sign-in reports it with a trust hint', async () => {
    const recorder = new TokenEndpointRecorder();
    const credential = new ClientSecretCredential('tenant', 'client', 'secret', {
      authorityHost: url,
      disableInstanceDiscovery: true,
      additionalPolicies: [recorder.additionalPolicy],
      retryOptions: { maxRetries: 0 },
    });
    const error = await credential.getToken(`${url}/.default`).then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = describeSignInFailure(error, recorder);
    expect(failure.tls).toBeDefined();
    expect(failure.transient).toBe(false);
    expect(render(endpointHint(failure, url) ?? '', GITHUB)).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('an ARM call reports it with a trust hint', () => {
    const e = AzureApiError.fromRestError(
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      'read VM',
    );
    expect(e.hint).toContain('NODE_EXTRA_CA_CERTS');
  });
});
