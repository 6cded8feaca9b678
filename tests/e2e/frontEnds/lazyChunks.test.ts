/**
 * The bundles load what only some runs need from files of their own, on first use: the Action's
 * steps.js reads oidc.js only when it signs in with GitHub OIDC, and oidc.js reads undici.js only
 * when @actions/http-client is asked for a proxy dispatcher, which the OIDC request itself never
 * does (scripts/lazy-actions-core.mjs, scripts/startup-patches.mjs); each front-end's bundle reads the jwt.js beside it only when a
 * certificate credential signs its client assertion (scripts/startup-patches.mjs; the certificate
 * sign-ins of tests/e2e/cli/auth.test.ts and tests/e2e/task/auth.test.ts run that path). These cases
 * run the shipped files: each deferred file must stay unread until its first use, and must load.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NODE_BINARIES } from '../../helpers/nodes';
import { REPO_ROOT } from '../../helpers/githubRunner';
import { childEnvironment } from '../../helpers/childProcess';

jest.setTimeout(60_000);

const ACTION_DIST = join(REPO_ROOT, 'dist', 'action');

/** Runs `script` under `node` with a dist folder (the Action's by default) as `dir`; returns its stdout as JSON. */
function probe(
  node: string,
  script: string,
  env: Record<string, string> = {},
  dist = ACTION_DIST,
): Record<string, unknown> {
  const run = spawnSync(node, ['-e', `const dir = ${JSON.stringify(dist)};\n${script}`], {
    env: childEnvironment(env),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  // The last line: task-lib prints its `##vso[...]` commands on stdout when it loads.
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}

const LOADED = `const loaded = (f) => Object.keys(require.cache).some((k) => k === require('path').join(dir, f));`;

describe.each(NODE_BINARIES)('the deferred files on $name', ({ path: node }) => {
  it('oidc.js loads without undici.js, and reads it when a proxy dispatcher is first asked for', () => {
    const result = probe(
      node,
      `${LOADED}
      const { OidcClient } = require(require('path').join(dir, 'oidc.js'));
      const before = loaded('undici.js');
      const client = OidcClient.createHttpClient();
      const dispatcher = client.getAgentDispatcher('https://management.azure.com/');
      const after = loaded('undici.js');
      // The bundles are minified without keepNames: the class is checked, not its name.
      const proxyAgent = dispatcher instanceof require(require('path').join(dir, 'undici.js')).ProxyAgent;
      console.log(JSON.stringify({ before, after, proxyAgent }));`,
      { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'unused', https_proxy: 'http://proxy.invalid:3128' },
    );
    expect(result).toEqual({ before: false, after: true, proxyAgent: true });
  });

  it('oidc.js without a proxy never reads undici.js', () => {
    const result = probe(
      node,
      `${LOADED}
      const { OidcClient } = require(require('path').join(dir, 'oidc.js'));
      const dispatcher = OidcClient.createHttpClient().getAgentDispatcher('https://management.azure.com/');
      console.log(JSON.stringify({ dispatcher: dispatcher ?? null, undici: loaded('undici.js') }));`,
      { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'unused' },
    );
    expect(result).toEqual({ dispatcher: null, undici: false });
  });

  it("oidc.js loads without Node's assert, and reads tunnel (which loads it) for a proxied request", () => {
    const result = probe(
      node,
      `const assertLoaded = () => process.moduleLoadList.includes('NativeModule assert');
      const { OidcClient } = require(require('path').join(dir, 'oidc.js'));
      const before = assertLoaded();
      const agent = OidcClient.createHttpClient().getAgent('https://management.azure.com/');
      // tunnel's TunnelingAgent, by what it holds: the proxy it tunnels through.
      const proxy = agent.proxyOptions && agent.proxyOptions.host + ':' + agent.proxyOptions.port;
      console.log(JSON.stringify({ before, proxy, after: assertLoaded() }));`,
      { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'unused', https_proxy: 'http://proxy.invalid:3128' },
    );
    expect(result).toEqual({ before: false, proxy: 'proxy.invalid:3128', after: true });
  });

  it.each([
    // @actions/core's platform details (@actions/exec, @actions/io) are read on first use.
    ['action', 'child_process|assert'],
    // azure-pipelines-task-lib's toolrunner (with q), minimatch and semver are read on first use.
    ['task', 'child_process|dgram'],
  ])("%s/steps.js loads without Node's %s", (frontEnd, modules) => {
    const result = probe(
      node,
      `const before = new Set(process.moduleLoadList);
      require(require('path').join(dir, 'steps.js'));
      const added = process.moduleLoadList.filter((m) => !before.has(m));
      console.log(JSON.stringify(added.filter((m) => /^NativeModule (${modules})$/.test(m))));`,
      {},
      join(REPO_ROOT, 'dist', frontEnd),
    );
    expect(result).toEqual([]);
  });

  it('steps.js loads without oidc.js or undici.js', () => {
    const result = probe(
      node,
      `${LOADED}
      require(require('path').join(dir, 'steps.js'));
      console.log(JSON.stringify({ oidc: loaded('oidc.js'), undici: loaded('undici.js') }));`,
    );
    expect(result).toEqual({ oidc: false, undici: false });
  });

  it.each([
    ['action', 'steps.js'],
    ['task', 'steps.js'],
    ['cli', 'program.js'],
  ])('%s/%s loads without the jwt.js beside it, which signs on its own', (frontEnd, bundle) => {
    const result = probe(
      node,
      `${LOADED}
      require(require('path').join(dir, ${JSON.stringify(bundle)}));
      const before = loaded('jwt.js');
      const { sign } = require(require('path').join(dir, 'jwt.js'));
      console.log(JSON.stringify({ before, signs: typeof sign('{}', 'key', { algorithm: 'HS256' }) }));`,
      {},
      join(REPO_ROOT, 'dist', frontEnd),
    );
    expect(result).toEqual({ before: false, signs: 'string' });
  });
});
