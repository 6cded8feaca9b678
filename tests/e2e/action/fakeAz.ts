/**
 * A stand-in `az` for the "session azure/login left behind" path: it answers the two commands the
 * Action runs (`az account get-access-token`, `az account show`) the way a logged-in Azure CLI
 * does, fetching a real token from the emulator's Entra ID with the principal's secret (as
 * `az login --service-principal` would have). Nothing else is on the step's PATH.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeAzOptions {
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly secret: string;
  readonly subscriptionId: string;
}

const SCRIPT = String.raw`
const https = require('node:https');
const cfg = JSON.parse(require('node:fs').readFileSync(__dirname + '/az.json', 'utf8'));
const args = process.argv.slice(2);
const arg = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1].replace(/^"|"$/g, '') : undefined; };
const command = args.slice(0, 2).join(' ');
if (command === 'account show') {
  process.stdout.write(cfg.subscriptionId + '\n');
} else if (command === 'account get-access-token') {
  const tenant = arg('--tenant') || cfg.tenantId;
  const body = new URLSearchParams({
    grant_type: 'client_credentials', client_id: cfg.clientId, client_secret: cfg.secret,
    scope: arg('--resource').replace(/\/$/, '') + '/.default',
  }).toString();
  const req = https.request(cfg.authorityHost + '/' + tenant + '/oauth2/v2.0/token', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, timeout: 10000,
  }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => {
      const t = JSON.parse(text);
      if (!t.access_token) { process.stderr.write('ERROR: ' + (t.error_description || text) + '\n'); process.exit(1); }
      const expires = Math.floor(Date.now() / 1000) + t.expires_in;
      process.stdout.write(JSON.stringify({ accessToken: t.access_token, expires_on: expires,
        expiresOn: new Date(expires * 1000).toISOString(), subscription: cfg.subscriptionId, tenant, tokenType: 'Bearer' }));
    });
  });
  req.on('error', (e) => { process.stderr.write('ERROR: ' + e.message + '\n'); process.exit(1); });
  req.end(body);
} else {
  process.stderr.write("ERROR: 'az " + command + "' is not supported by this stand-in\n");
  process.exit(2);
}
`;

/** Writes the stand-in and returns its Node script, for `StepOptions.tools` (`{ az: fakeAz(...) }`). */
export function fakeAz(options: FakeAzOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-az-'));
  writeFileSync(join(dir, 'az.js'), SCRIPT);
  writeFileSync(join(dir, 'az.json'), JSON.stringify(options));
  return join(dir, 'az.js');
}
