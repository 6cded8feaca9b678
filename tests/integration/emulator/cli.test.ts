/**
 * The standalone emulator (`npm run emulator`): prints what a client needs, and a
 * child process that trusts only NODE_EXTRA_CA_CERTS can call it over verified TLS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { killTree, OWN_PROCESS_GROUP } from '../../helpers/childProcess';

const root = join(__dirname, '..', '..', '..');
let child: ChildProcess | undefined;

afterEach(() => {
  // Our own child and the real server ts-run spawns under it.
  killTree(child);
  child = undefined;
});

function startCli(args: string[]): Promise<string> {
  child = spawn(process.execPath, ['scripts/ts-run.mjs', 'emulator/cli.ts', ...args], {
    cwd: root,
    ...OWN_PROCESS_GROUP,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${out}`)), 30_000);
    child?.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('export JIT_ACCESS_ARM_ENDPOINT=')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child?.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child?.on('exit', (code) => reject(new Error(`CLI exited with ${code}:\n${out}`)));
  });
}

test('prints ARM URL, authority, tenant, client credentials, CA path and env lines; serves over verified TLS', async () => {
  const out = await startCli(['--port', '0', '--rule-delay-ms', '0']);
  const arm = /ARM URL\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  const ca = /export NODE_EXTRA_CA_CERTS=(\S+)/.exec(out)?.[1];
  expect(arm).toBeDefined();
  expect(out).toMatch(/Authority host\s+https:\/\/localhost:\d+/);
  expect(out).toContain('Tenant           5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b');
  expect(out).toMatch(/Client id\s+11111111-aaaa-4bbb-8ccc-000000000001/);
  expect(out).toContain('export AZURE_CLIENT_SECRET=');
  const probe = `require('https').get(process.argv[1] + '/5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b/v2.0/.well-known/openid-configuration', (r) => { let b=''; r.on('data', (d) => b += d); r.on('end', () => { console.log(r.statusCode, JSON.parse(b).token_endpoint ? 'ok' : 'no'); }); }).on('error', (e) => { console.log('error', e.code); });`;
  const trusted = spawnSync(process.execPath, ['-e', probe, arm ?? ''], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(trusted.stdout.trim()).toBe('200 ok');
  const untrusted = spawnSync(process.execPath, ['-e', probe, arm ?? ''], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(untrusted.stdout.trim()).toMatch(
    /^error (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/,
  );
}, 60_000);

test('a bad argument fails with a usage line', () => {
  const r = spawnSync(process.execPath, ['scripts/ts-run.mjs', 'emulator/cli.ts', '--port', 'abc'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("--port needs an integer between 0 and 65535, got 'abc'.");
  expect(r.stderr).toContain('usage: npm run emulator --');
}, 60_000);

test('a scenario file that does not exist is named in the error', () => {
  const r = spawnSync(
    process.execPath,
    ['scripts/ts-run.mjs', 'emulator/cli.ts', '--scenario', 'nope.json', '--port', '0'],
    { cwd: root, encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("Cannot read scenario file 'nope.json'");
}, 60_000);

test('--help lists every behaviour switch with its values', () => {
  const r = spawnSync(process.execPath, ['scripts/ts-run.mjs', 'emulator/cli.ts', '--help'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(0);
  for (const line of [
    '--supersede replace|coexist',
    '--rule-layout per-port|combined',
    '--source-form verbatim|cidr|prefixes',
    '--echo full|minimal',
    '--start-time same|rounded',
    '--nsg-writes parallel|serialized',
  ]) {
    expect(r.stdout).toContain(line);
  }
}, 60_000);

test('behaviour flags reach the running emulator; a bad value is refused with the usage', async () => {
  const out = await startCli([
    '--port',
    '0',
    '--supersede',
    'coexist',
    '--rule-layout',
    'combined',
    '--source-form',
    'prefixes',
    '--echo',
    'minimal',
    '--start-time',
    'rounded',
    '--nsg-writes',
    'serialized',
  ]);
  expect(out).toContain(
    'Behaviour        supersede=coexist rule-layout=combined source-form=prefixes echo=minimal start-time=rounded nsg-writes=serialized',
  );
  const r = spawnSync(process.execPath, ['scripts/ts-run.mjs', 'emulator/cli.ts', '--source-form', 'ipv4'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("--source-form needs one of verbatim, cidr, prefixes, got 'ipv4'.");
}, 60_000);
