/**
 * P1 and P6 for the GitHub Action bundle too (dist/action/main.js and
 * post.js), run the way the runner runs them (tests/helpers/githubRunner.ts:
 * INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE files, STATE_* for post),
 * signing in with GitHub OIDC against the emulator.
 */
import { join } from 'node:path';
import type { Emulator } from '../emulator';
import { runStep } from '../tests/helpers/githubRunner';
import type { Runner } from './measure';

const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

export interface StepTiming {
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly cpuMs: number;
}

/**
 * Main then post, both with `node`, from the bundles in `distDir` (default: the repo's dist/),
 * sharing one RUNNER_TEMP as on a real runner (post reuses main's compile cache).
 */
export async function actionMainAndPost(
  emu: Emulator,
  runner: Runner,
  options: {
    node?: string;
    distDir?: string;
    runnerTemp?: string;
    /** GitHub OIDC (the default, what the README recommends) or a client secret in `creds`. */
    auth?: 'oidc' | 'creds';
  } = {},
): Promise<{ main: StepTiming; post: StepTiming }> {
  const node = options.node ?? process.execPath;
  const bundle = (entry: 'main' | 'post'): { bundle?: string } =>
    options.distDir ? { bundle: join(options.distDir, 'action', `${entry}.js`) } : {};
  const deployer = emu.principals['jit-deployer'];
  if (!deployer) throw new Error('no jit-deployer');
  const signIn =
    options.auth === 'creds'
      ? {
          creds: JSON.stringify({
            clientId: deployer.clientId,
            clientSecret: deployer.secret,
            tenantId: emu.tenantId,
            subscriptionId: PROD,
          }),
        }
      : { 'client-id': deployer.clientId, 'tenant-id': emu.tenantId };
  const inputs = {
    ...signIn,
    'subscription-id': PROD,
    vms: 'web-01',
    'resource-group': 'rg-web',
    ports: '22',
    duration: '10',
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    'ip-providers': emu.ipEchoUrls.join('\n'),
  };
  const env = {
    ...(options.runnerTemp ? { RUNNER_TEMP: options.runnerTemp } : {}),
    NODE_EXTRA_CA_CERTS: emu.caPath,
    ACTIONS_ID_TOKEN_REQUEST_URL: emu.github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.github.requestToken,
  };
  const mainRss = runner.rssEnv();
  let t0 = performance.now();
  const main = await runStep({ node, entry: 'main', inputs, env: { ...env, ...mainRss }, ...bundle('main') });
  const mainMs = performance.now() - t0;
  if (main.exitCode !== 0)
    throw new Error(`action main failed (exit ${main.exitCode}):\n${main.log}\n${main.stderr}`);
  const postRss = runner.rssEnv();
  t0 = performance.now();
  const post = await runStep({
    node,
    entry: 'post',
    ...bundle('post'),
    inputs,
    env: { ...env, ...postRss },
    state: main.state,
  });
  const postMs = performance.now() - t0;
  if (post.exitCode !== 0)
    throw new Error(`action post failed (exit ${post.exitCode}):\n${post.log}\n${post.stderr}`);
  return {
    main: { wallMs: mainMs, peakRssMb: runner.readRss(mainRss), cpuMs: runner.readCpu(mainRss) },
    post: { wallMs: postMs, peakRssMb: runner.readRss(postRss), cpuMs: runner.readCpu(postRss) },
  };
}
