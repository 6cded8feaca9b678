// A yardstick, not a product path: the HTTP calls one CLI `request` (1 VM, 1 port) makes, in the
// same order and with the same overlap, made with node:https alone. No SDK, no validation, no state,
// no output. What it takes is what Node itself takes for this chain on this machine (start-up, TLS
// handshakes, HTTP, JSON, the emulator's answers), so P1's ratios can be read against it: whatever
// P1 takes beyond it is our code and the Azure SDKs. bench/run.ts runs it interleaved with P1.
//
// Usage: node httpsChain.js <vm resource ID> <ip echo URL>... with AZURE_AUTHORITY_HOST,
// JIT_ACCESS_ARM_ENDPOINT, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and
// NODE_EXTRA_CA_CERTS (the emulator's CA) set as bench/run.ts sets them for the CLI.
'use strict';
const https = require('node:https');

const [vmId, ...ipUrls] = process.argv.slice(2);
const env = process.env;
const arm = env.JIT_ACCESS_ARM_ENDPOINT;
const authority = `${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}`;
// Keep-alive, as the SDKs' HTTP client: later calls reuse the connections.
const agent = new https.Agent({ keepAlive: true });

/** One call; rejects on an HTTP error, so a broken chain fails the bench instead of timing it. */
function call(method, url, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, timeout: 30_000, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`${method} ${url}: ${res.statusCode} ${text}`));
        else resolve(/json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text.trim());
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  // The echo services are asked while signing in (the CLI asks them all at once, too).
  const ips = Promise.all(ipUrls.map((u) => call('GET', u)));
  await call('GET', `${authority}/v2.0/.well-known/openid-configuration`);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: env.AZURE_CLIENT_ID,
    client_secret: env.AZURE_CLIENT_SECRET,
    scope: `${arm}/.default`,
  });
  const token = await call('POST', `${authority}/oauth2/v2.0/token`, {
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const auth = { authorization: `Bearer ${token.access_token}` };
  const get = (id, apiVersion) => call('GET', `${arm}${id}?api-version=${apiVersion}`, { headers: auth });
  const group = vmId.slice(0, vmId.indexOf('/providers/'));
  const [policies, vm] = await Promise.all([
    get(`${group}/providers/Microsoft.Security/jitNetworkAccessPolicies`, '2020-01-01'),
    get(vmId, '2025-11-01'),
  ]);
  const nic = await get(vm.properties.networkProfile.networkInterfaces[0].id, '2026-01-01');
  const config = nic.properties.ipConfigurations[0].properties;
  await Promise.all([get(config.subnet.id, '2026-01-01'), get(config.publicIPAddress.id, '2026-01-01')]);
  const nsgId = nic.properties.networkSecurityGroup.id;
  await get(nsgId, '2026-01-01');
  const [ip] = await ips;
  const policy = policies.value.find((p) =>
    p.properties.virtualMachines.some((v) => v.id.toLowerCase() === vmId.toLowerCase()),
  );
  const request = {
    virtualMachines: [
      { id: vmId, ports: [{ number: 22, duration: 'PT10M', allowedSourceAddressPrefix: ip }] },
    ],
  };
  await call('POST', `${arm}${policy.id}/initiate?api-version=2020-01-01`, {
    body: JSON.stringify(request),
    headers: { ...auth, 'content-type': 'application/json' },
  });
  await get(nsgId, '2026-01-01');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
