/**
 * The Action's bundles load what only some runs need from files of their own, on first use
 * (scripts/lazy-oidc.mjs): steps.js reads oidc.js only when it signs in with GitHub OIDC, and
 * oidc.js reads undici.js only when @actions/http-client is asked for a proxy dispatcher, which the
 * OIDC request itself never does. These cases run the shipped files: each deferred file must stay
 * unread until its first use, and must then load and work.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NODE_BINARIES } from '../../helpers/nodes';
import { REPO_ROOT } from '../../helpers/githubRunner';
import { childEnvironment } from '../../helpers/childProcess';

jest.setTimeout(60_000);

const ACTION_DIST = join(REPO_ROOT, 'dist', 'action');

/** Runs `script` under `node` with the Action's dist folder as `dir`; returns its stdout as JSON. */
function probe(node: string, script: string, env: Record<string, string> = {}): Record<string, unknown> {
  const run = spawnSync(node, ['-e', `const dir = ${JSON.stringify(ACTION_DIST)};\n${script}`], {
    env: childEnvironment(env),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const LOADED = `const loaded = (f) => Object.keys(require.cache).some((k) => k === require('path').join(dir, f));`;

describe.each(NODE_BINARIES)('the Action’s deferred files on $name', ({ path: node }) => {
  it('oidc.js loads without undici.js, and reads it when a proxy dispatcher is first asked for', () => {
    const result = probe(
      node,
      `${LOADED}
      const { OidcClient } = require(require('path').join(dir, 'oidc.js'));
      const before = loaded('undici.js');
      const client = OidcClient.createHttpClient();
      const dispatcher = client.getAgentDispatcher('https://management.azure.com/');
      console.log(JSON.stringify({ before, after: loaded('undici.js'), kind: dispatcher && dispatcher.constructor.name }));`,
      { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'unused', https_proxy: 'http://proxy.invalid:3128' },
    );
    expect(result).toEqual({ before: false, after: true, kind: 'ProxyAgent' });
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

  it('steps.js loads without oidc.js or undici.js', () => {
    const result = probe(
      node,
      `${LOADED}
      require(require('path').join(dir, 'steps.js'));
      console.log(JSON.stringify({ oidc: loaded('oidc.js'), undici: loaded('undici.js') }));`,
    );
    expect(result).toEqual({ oidc: false, undici: false });
  });
});
