/**
 * `npm run bench [-- --quick] [-- --write] [-- --before <dist dir>]`: measurements of the shipped
 * bundles against the embedded emulator, side by side in one run. Start-up figures are given as
 * ratios to `node -e 0` on the SAME Node, measured interleaved with them (the machine is shared,
 * absolute times drift with its load; ratios of neighbouring runs much less). `--before <dir>`
 * also runs an earlier build's dist/ (e.g. `git archive <commit> dist | tar -x -C /tmp/before`)
 * interleaved with this one, so "before" and "after" see the same load. Measurements, never
 * pass/fail: the targets are printed next to the figures. `--quick` (`npm test -- --bench`) does
 * fewer repetitions, a smaller P4, a 2 s rule delay for P2, and one Node. `--write` records the
 * run in bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generateScenario, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import { NODE_BINARIES, type NodeBinary } from '../tests/helpers/nodes';
import { initiateAsOther } from '../tests/helpers/otherRequest';
import type { actionMainAndPost as ActionSteps } from './action';
import type { taskMainAndPost as TaskSteps } from './task';
import { median, middleHalf, Runner, type ChildRun } from './measure';
import { peerScript, whichAz } from './peer';

const root = join(__dirname, '..', '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const write = argv.includes('--write');
/** `--only p4`: just the P4 row (1-VM and many-VM `request` on the bench's Node) and its critical path. */
const onlyP4 = argv.includes('--only') && argv[argv.indexOf('--only') + 1] === 'p4';
/** `--only far`: just the far-region row (it then has no loopback run to count round trips against). */
const onlyFar = argv.includes('--only') && argv[argv.indexOf('--only') + 1] === 'far';
/** `--only instructions`: just the instruction-count rows (valgrind). */
const onlyInstructions = argv.includes('--only') && argv[argv.indexOf('--only') + 1] === 'instructions';
/** `--only peer`: just the peer row (`az login` + `az rest` against our `request`). */
const onlyPeer = argv.includes('--only') && argv[argv.indexOf('--only') + 1] === 'peer';
/** `--only busy`: just the busy-policy row (a JIT policy with a long request history). */
const onlyBusy = argv.includes('--only') && argv[argv.indexOf('--only') + 1] === 'busy';
const beforeArg = argv.includes('--before') ? argv[argv.indexOf('--before') + 1] : undefined;
const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
/** P1's calls made with node:https alone: a yardstick of Node's own cost for them. */
const HTTPS_CHAIN = join(root, 'bench', 'httpsChain.js');

/**
 * P1's calls made through the design's Azure packages alone (bench/sdkChain.ts), bundled like dist/
 * into a folder of the runner's: the floor of any run built on them.
 */
function buildSdkChain(runner: Runner): { cold: string; cached: string } {
  const dir = runner.workdir();
  execFileSync(process.execPath, [join(root, 'bench', 'buildSdkChain.mjs'), dir], {
    cwd: root,
    stdio: 'inherit',
  });
  return { cold: join(dir, 'sdkChain.js'), cached: join(dir, 'sdkChainCached.js') };
}

/**
 * Per Node, an XDG_CACHE_HOME holding the SDK yardstick's compile cache (one run through
 * sdkChainCached.js filled it), for its warm-cache runs.
 */
async function sdkChainCache(
  runner: Runner,
  emu: Emulator,
  node: NodeBinary,
  chain: { cached: string },
): Promise<Record<string, string>> {
  const env = { XDG_CACHE_HOME: runner.workdir() };
  const args = [vmId('rg-web', 'web-01'), ...emu.ipEchoUrls];
  must(
    await runner.run(args, root, { node: node.path, script: chain.cached, env }),
    'the SDK yardstick (warm-up)',
  );
  return env;
}

const config = quick
  ? { runs: 3, p2DelayMs: 2000, p2Runs: 1, p4Vms: 10, p4Groups: 2, p4Runs: 1, peerRuns: 1 }
  : { runs: 15, p2DelayMs: 10_000, p2Runs: 3, p4Vms: 50, p4Groups: 5, p4Runs: 15, peerRuns: 3 };
/** Past requests on web-01's policy in the busy-policy row (another principal's, for web-02). */
const BUSY_HISTORY = 1000;

interface Build {
  readonly label: 'after' | 'before';
  readonly dist: string;
}
const builds: Build[] = [
  { label: 'after', dist: join(root, 'dist') },
  ...(beforeArg ? [{ label: 'before' as const, dist: resolve(beforeArg) }] : []),
];
/** Quick mode: the Node running the bench only. Full: every Node the e2e tests use (20 and 24). */
const nodes: readonly NodeBinary[] = quick
  ? NODE_BINARIES.filter((n) => n.path === process.execPath).slice(0, 1)
  : NODE_BINARIES;
function benchNode(): NodeBinary {
  const node = nodes.find((n) => n.path === process.execPath) ?? nodes[0];
  if (!node) throw new Error('no Node binary to run the bundles with');
  return node;
}

/** Samples by key `build|node|what`. */
const samples = new Map<string, number[]>();
const add = (key: string, value: number): void => {
  samples.set(key, [...(samples.get(key) ?? []), value]);
};
const med = (key: string): number => median(samples.get(key) ?? []);

/**
 * Empties the request history of the named JIT policies. The emulator keeps every request a
 * policy ever had, and `close` reads it with the policy (main's lists leave it out since
 * policyReadSpecs.ts; before that, 1,000 entries added ~50 ms to a warm CLI `request` on Node 24).
 * Left to grow over a bench run (each round initiates ~24 times on web-01's policy), it would make
 * late rounds slower than early ones, and the "before" build pay more than the "after". Cleared at
 * the start of each round, after the last round's closes, every run reads 0-24 entries. The
 * busy-policy row measures a long history on purpose.
 */
function clearJitHistory(emu: Emulator, policies: readonly string[]): void {
  for (const name of policies)
    emu.control.updatePolicy(name, (policy) => {
      policy.requests.length = 0;
    });
}
const s = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'n/a');
const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a');

interface Row {
  readonly what: string;
  readonly before?: string;
  readonly after: string;
  readonly target: string;
}

/** What kind of call a log entry is. */
function kind(e: RequestLogEntry): string {
  const p = e.path.toLowerCase();
  if (e.provider === 'identity') return 'sign-in (Entra ID)';
  if (e.provider === 'ip') return 'IP echo';
  if (e.provider === 'oidc') return 'GitHub OIDC token';
  if (p.endsWith('/initiate')) return 'JIT initiate (POST)';
  if (e.provider === 'security')
    return p.includes('/locations/') ? 'JIT policy (GET)' : 'JIT policies (list)';
  // Lists: where a run wants several of a kind in one resource group (VNet for subnets).
  if (p.endsWith('/virtualmachines')) return 'VM (list)';
  if (p.endsWith('/networkinterfaces')) return 'NIC (list)';
  if (p.endsWith('/subnets')) return 'subnet (list)';
  if (p.endsWith('/publicipaddresses')) return 'public IP (list)';
  if (p.endsWith('/networksecuritygroups')) return 'NSG poll (list)';
  if (p.includes('/virtualmachines/')) return 'VM (GET)';
  if (p.includes('/networkinterfaces/')) return 'NIC (GET)';
  if (p.includes('/subnets/')) return 'subnet (GET)';
  if (p.includes('/publicipaddresses/')) return 'public IP (GET)';
  if (p.includes('/securityrules/')) return `NSG rule (${e.method})`;
  if (p.includes('/networksecuritygroups/')) return 'NSG poll (GET)';
  if (p.includes('/operations/') || p.includes('/operationresults/')) return 'operation status (GET)';
  return `${e.provider} ${e.method}`;
}

const isArm = (e: RequestLogEntry): boolean =>
  e.provider !== 'identity' && e.provider !== 'ip' && e.provider !== 'oidc';

function cliEnv(emu: Emulator): Record<string, string> {
  const p = emu.principals['jit-deployer'];
  if (!p?.secret) throw new Error('jit-deployer has no secret');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_EXTRA_CA_CERTS: emu.caPath,
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: p.clientId,
    AZURE_CLIENT_SECRET: p.secret,
    // `close` takes its cloud from flags or these (never from the state file), like a user's shell.
    JIT_ACCESS_ARM_ENDPOINT: emu.armUrl,
    AZURE_AUTHORITY_HOST: emu.authorityHost,
  };
}

function requestArgs(emu: Emulator, vms: readonly string[]): string[] {
  return [
    'request',
    ...vms.flatMap((v) => ['--vms', v]),
    ...['--subscription', PROD, '--ports', '22', '--duration', '10'],
    ...['--ip-providers', emu.ipEchoUrls.join(','), '--cloud', 'Custom'],
    ...['--arm-endpoint', emu.armUrl, '--authority-host', emu.authorityHost],
  ];
}

function must(run: ChildRun, what: string): ChildRun {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr || run.stdout}`);
  return run;
}

const vmId = (rg: string, name: string): string =>
  `/subscriptions/${PROD}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** A folder of its own: as TMPDIR or XDG_CACHE_HOME (the CLI's compile cache), a cache starts empty. */
const freshTemp = (runner: Runner): string => runner.workdir();

/**
 * Per build and Node, an XDG_CACHE_HOME that one `request` and `close` have filled, as a user's
 * earlier run leaves it (Node keeps what was compiled while the program ran, not only at load).
 */
const warmCaches = new Map<string, string>();
async function warmCache(
  runner: Runner,
  build: Build,
  node: NodeBinary,
  fill: (xdg: string) => Promise<void>,
): Promise<string> {
  const key = `${build.label}|${node.name}`;
  let dir = warmCaches.get(key);
  if (dir === undefined) {
    dir = runner.workdir();
    await fill(dir);
    warmCaches.set(key, dir);
  }
  return dir;
}

/**
 * The start-up rows, interleaved: per round, `node -e 0` on each Node, then for each build and
 * Node the CLI's `request` + `close` and the Action's main + post (post with main's compile cache).
 */
async function startupRounds(details: string[]): Promise<void> {
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  const web01 = [vmId('rg-web', 'web-01')];
  // Loaded only here: the step helpers read action.yml and task.json when they are loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { actionMainAndPost } = require('./action') as { actionMainAndPost: typeof ActionSteps };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { taskMainAndPost } = require('./task') as { taskMainAndPost: typeof TaskSteps };
  let firstLog: RequestLogEntry[] = [];
  try {
    const sdkChain = buildSdkChain(runner);
    const sdkWarm = new Map<NodeBinary, Record<string, string>>();
    for (const node of nodes) sdkWarm.set(node, await sdkChainCache(runner, emu, node, sdkChain));
    for (let round = 0; round < config.runs; round++) {
      clearJitHistory(emu, ['web-jit']);
      for (const node of nodes) {
        add(
          `|${node.name}|floor`,
          (await runner.run(['-e', '0'], root, { node: node.path, script: '' })).wallMs,
        );
        // The same without the emulator's CA: what `node -e 0` costs on a runner without a custom CA.
        add(
          `|${node.name}|plain floor`,
          (
            await runner.run(['-e', '0'], root, {
              node: node.path,
              script: '',
              env: { NODE_EXTRA_CA_CERTS: '' },
            })
          ).wallMs,
        );
        // The same calls with node:https alone (httpsChain.js): what Node itself takes for them.
        add(
          `|${node.name}|https chain`,
          must(
            await runner.run([...web01, ...emu.ipEchoUrls], root, { node: node.path, script: HTTPS_CHAIN }),
            'the node:https yardstick',
          ).wallMs,
        );
        // The same calls through the design's Azure packages, nothing of ours: no compile cache.
        add(
          `|${node.name}|sdk chain`,
          must(
            await runner.run([...web01, ...emu.ipEchoUrls], root, { node: node.path, script: sdkChain.cold }),
            'the Azure SDK yardstick',
          ).wallMs,
        );
        // And through the compile cache an earlier run of it left, as the CLI's warm rows.
        add(
          `|${node.name}|sdk chain warm`,
          must(
            await runner.run([...web01, ...emu.ipEchoUrls], root, {
              node: node.path,
              script: sdkChain.cached,
              env: sdkWarm.get(node) ?? {},
            }),
            'the Azure SDK yardstick (warm cache)',
          ).wallMs,
        );
      }
      // Alternate the order of the builds so a drifting load favours neither.
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) {
        for (const node of nodes) {
          const cwd = runner.workdir();
          // Post's one re-check that deleted rules stayed gone waits 30 s by design (issue 11); the
          // step helpers the Action rows use set it to 0, so the CLI rows do too: P6 is the close itself.
          const env = {
            TMPDIR: freshTemp(runner),
            XDG_CACHE_HOME: freshTemp(runner),
            AZURE_JIT_ACCESS_RECHECK_DELAY_MS: '0',
          };
          const script = join(build.dist, 'cli', 'main.js');
          emu.control.clearRequests();
          const req = must(
            await runner.run(requestArgs(emu, web01), cwd, { node: node.path, script, env }),
            `${build.label} CLI request`,
          );
          const log = emu.control.requests();
          if (round === 0 && build.label === 'after' && node === nodes[0]) firstLog = log;
          const first = log[0];
          add(`${build.label}|${node.name}|request`, req.wallMs);
          add(`${build.label}|${node.name}|request cpu`, req.cpuMs);
          add(`${build.label}|${node.name}|request rss`, req.peakRssMb);
          if (first) add(`${build.label}|${node.name}|first`, first.time.getTime() - req.spawnedAt);
          const close = must(
            await runner.run(['close'], cwd, { node: node.path, script, env }),
            `${build.label} CLI close`,
          );
          add(`${build.label}|${node.name}|close`, close.wallMs);
          // The same, as a user's next run sees it: the compile cache an earlier run left.
          const requestAndClose = async (xdg: string): Promise<string> => {
            const dir = runner.workdir();
            const e = { ...env, XDG_CACHE_HOME: xdg };
            must(
              await runner.run(requestArgs(emu, web01), dir, { node: node.path, script, env: e }),
              'warm-up',
            );
            must(await runner.run(['close'], dir, { node: node.path, script, env: e }), 'warm-up close');
            return dir;
          };
          const xdg = await warmCache(runner, build, node, async (d) => void (await requestAndClose(d)));
          const warmEnv = { ...env, XDG_CACHE_HOME: xdg };
          const warmCwd = runner.workdir();
          const warm = must(
            await runner.run(requestArgs(emu, web01), warmCwd, { node: node.path, script, env: warmEnv }),
            `${build.label} CLI request (warm cache)`,
          );
          add(`${build.label}|${node.name}|warm request`, warm.wallMs);
          add(`${build.label}|${node.name}|warm request cpu`, warm.cpuMs);
          must(
            await runner.run(['close'], warmCwd, { node: node.path, script, env: warmEnv }),
            `${build.label} CLI close (warm cache)`,
          );
        }
        // The Action on every Node: GitHub runs it on node24, but the same steps.js is what the
        // task runs on Node 20 (Node20_1).
        for (const node of existsSync(join(build.dist, 'action', 'main.js')) ? nodes : []) {
          const { main, post } = await actionMainAndPost(emu, runner, {
            node: node.path,
            distDir: build.dist,
            runnerTemp: freshTemp(runner),
          });
          add(`${build.label}|${node.name}|action main`, main.wallMs);
          add(`${build.label}|${node.name}|action main cpu`, main.cpuMs);
          add(`${build.label}|${node.name}|action main rss`, main.peakRssMb);
          add(`${build.label}|${node.name}|action post`, post.wallMs);
          // The same with a client secret: the Action's own cost, without GitHub's ID token, the
          // one call OIDC adds ahead of the sign-in (the CLI rows sign in with a secret too).
          const withSecret = await actionMainAndPost(emu, runner, {
            node: node.path,
            distDir: build.dist,
            runnerTemp: freshTemp(runner),
            auth: 'creds',
          });
          add(`${build.label}|${node.name}|action main creds`, withSecret.main.wallMs);
          add(`${build.label}|${node.name}|action main creds cpu`, withSecret.main.cpuMs);
        }
        // The task on every Node: the agent runs it on Node 20 (Node20_1) or Node 24 (Node24).
        for (const node of existsSync(join(build.dist, 'task', 'main.js')) ? nodes : []) {
          const { main, post } = await taskMainAndPost(emu, runner, {
            node: node.path,
            distDir: build.dist,
            agentTemp: freshTemp(runner),
          });
          add(`${build.label}|${node.name}|task main`, main.wallMs);
          add(`${build.label}|${node.name}|task main cpu`, main.cpuMs);
          add(`${build.label}|${node.name}|task post`, post.wallMs);
        }
      }
    }
    const arm = firstLog.filter(isArm);
    const polls = arm.filter((e) => kind(e) === 'NSG poll (GET)').length;
    details.push(
      `**P3: what one \`request\` (1 VM) asks Azure for**: ${arm.length - polls} ARM calls + ${polls} NSG poll(s); ` +
        `${firstLog.length - arm.length} sign-in / IP echo calls (target ≤ 6 plus polls).`,
      '',
      ...breakdown(firstLog),
    );
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/** P2: a slow rule; the emulator flips it to Succeeded min(2 s, delay / 4) after writing it. */
async function slowRule(rows: Row[]): Promise<void> {
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  try {
    const liveAfterMs = config.p2DelayMs + Math.min(2000, Math.round(config.p2DelayMs / 4));
    const lags: number[] = [];
    const rates: number[] = [];
    for (let i = 0; i < config.p2Runs; i++) {
      const cwd = runner.workdir();
      emu.control.setRuleDelay(config.p2DelayMs);
      emu.control.clearRequests();
      const req = must(await runner.run(requestArgs(emu, [vmId('rg-web', 'web-01')]), cwd), 'P2 request');
      const log = emu.control.requests();
      const initiate = log.find((e) => kind(e) === 'JIT initiate (POST)');
      if (!initiate) throw new Error('P2: no initiate in the log');
      lags.push(req.exitedAt - (initiate.time.getTime() + liveAfterMs));
      const waitPolls = log.filter(
        (e) => kind(e) === 'NSG poll (GET)' && e.time.getTime() >= initiate.time.getTime(),
      ).length;
      rates.push(waitPolls / ((req.exitedAt - initiate.time.getTime()) / 1000));
      emu.control.setRuleDelay(0);
      must(await runner.run(['close'], cwd), 'P2 close');
    }
    rows.push({
      what: `P2 rule live → step exits ready, rule delay ${config.p2DelayMs / 1000} s (${nodes[0]?.name}); NSG reads/s while waiting`,
      after: `${s(median(lags))}; ${median(rates).toFixed(2)} reads/s`,
      target: '≤ 0.6 s',
    });
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/**
 * Rounds of a warm-cache 1-VM `request` + `close` on each Node, builds interleaved. Round 0 fills
 * each build's and Node's compile cache and is not recorded; `record` sees every later request
 * before its close.
 */
async function warmRequestRounds(
  emu: Emulator,
  runner: Runner,
  runNodes: readonly NodeBinary[],
  what: string,
  record: (build: Build, node: NodeBinary, request: ChildRun) => void,
  recordClose?: (build: Build, node: NodeBinary, close: ChildRun) => void,
): Promise<void> {
  const caches = new Map(
    builds.flatMap((b) => runNodes.map((n) => [`${b.label}|${n.name}`, freshTemp(runner)])),
  );
  for (let round = 0; round < config.p4Runs + 1; round++) {
    for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
      for (const node of runNodes) {
        const cwd = runner.workdir();
        const env = {
          TMPDIR: freshTemp(runner),
          XDG_CACHE_HOME: caches.get(`${build.label}|${node.name}`) ?? '',
          AZURE_JIT_ACCESS_RECHECK_DELAY_MS: '0',
        };
        const script = join(build.dist, 'cli', 'main.js');
        emu.control.clearRequests();
        const request = must(
          await runner.run(requestArgs(emu, [vmId('rg-web', 'web-01')]), cwd, {
            node: node.path,
            script,
            env,
          }),
          `${build.label} ${what} request`,
        );
        if (round > 0) record(build, node, request);
        const close = must(
          await runner.run(['close'], cwd, { node: node.path, script, env }),
          `${build.label} ${what} close`,
        );
        if (round > 0) recordClose?.(build, node, close);
      }
    }
  }
}

/** Added to every call the emulator serves in the latency row: a round trip to a far region. */
const ROUND_TRIP_MS = 40;

/**
 * The 1-VM `request` when every call takes a real round trip (the emulator holds each answer
 * ROUND_TRIP_MS; identity and IP echo too). On loopback the run is bound by its own CPU, so
 * overlapping calls shows little; here each call that waits for another costs a round trip, as
 * against Azure. Builds interleaved, warm compile cache (the CPU part is the P1 rows' business).
 */
async function farRegion(rows: Row[]): Promise<void> {
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  const node = benchNode();
  try {
    emu.control.faults.add({ path: /./, latencyMs: ROUND_TRIP_MS, times: Number.POSITIVE_INFINITY });
    await warmRequestRounds(emu, runner, [node], 'far-region', (build, n, req) => {
      add(`${build.label}|${n.name}|far`, req.wallMs);
      add(`${build.label}|${n.name}|far chain`, callsInARow(emu.control.requests()));
    });
    const cell = (b: string): string =>
      `${s(med(`${b}|${node.name}|far`))}; ${med(`${b}|${node.name}|far chain`)} calls in a row`;
    rows.push({
      what: `P1 CLI \`request\`, 1 VM, ${ROUND_TRIP_MS} ms added to every call (${node.name}, warm cache, median of ${config.p4Runs}); the longest chain of calls each sent after the one before was answered`,
      ...(beforeArg ? { before: cell('before') } : {}),
      after: cell('after'),
      target: 'for reference',
    });
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/**
 * The 1-VM `request` (warm cache) when web-01's policy has BUSY_HISTORY past requests: the
 * Security provider returns a policy's whole request history with every read (whether real Azure
 * trims it is not known: emulator behaviour `history`). Main's lists leave it out, and the reads
 * that need it (`close`'s) take it as JSON; the rows show what a long history still costs.
 * Builds interleaved, every Node.
 */
async function busyPolicy(rows: Row[]): Promise<void> {
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  try {
    for (let i = 0; i < BUSY_HISTORY; i++) {
      const other = { vm: 'web-02', resourceGroup: 'rg-web', policy: 'web-jit', minutes: 60 };
      const status = await initiateAsOther(emu, { ...other, source: `198.51.100.${(i % 250) + 1}` });
      if (status !== 202) throw new Error(`busy policy: initiate ${i} got HTTP ${status}`);
    }
    await warmRequestRounds(
      emu,
      runner,
      nodes,
      'busy-policy',
      (build, node, req) => {
        add(`${build.label}|${node.name}|busy`, req.wallMs);
        add(`${build.label}|${node.name}|busy cpu`, req.cpuMs);
      },
      (build, node, close) => {
        add(`${build.label}|${node.name}|busy close`, close.wallMs);
        add(`${build.label}|${node.name}|busy close cpu`, close.cpuMs);
      },
    );
    for (const node of nodes) {
      const cell = (b: string, step: string): string =>
        `${s(med(`${b}|${node.name}|${step}`))}; CPU ${s(med(`${b}|${node.name}|${step} cpu`))}`;
      for (const [step, what] of [
        ['busy', '`request`'],
        ['busy close', '`close` (post)'],
      ] as const)
        rows.push({
          what: `CLI ${what}, 1 VM, warm cache, its JIT policy with ${BUSY_HISTORY.toLocaleString('en-US')} past requests in its history (${node.name}, median of ${config.p4Runs})`,
          ...(beforeArg ? { before: cell('before', step) } : {}),
          after: cell('after', step),
          target: 'for reference: the warm P1 and P6 rows have a near-empty history',
        });
    }
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/**
 * The most calls of one run that went one after the other (each arriving after the one before it
 * was answered), from the emulator's log: with a round trip per call, the run's critical path.
 */
function callsInARow(log: readonly RequestLogEntry[]): number {
  const calls = log
    .map((e) => ({ start: e.time.getTime(), end: e.time.getTime() + e.durationMs }))
    .sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  calls.forEach((c, i) => {
    let before = 0;
    for (let j = 0; j < i; j++)
      if ((calls[j]?.end ?? Infinity) <= c.start) before = Math.max(before, depth[j] ?? 0);
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

/** valgrind's version line, or undefined when it is not installed (the rows are then skipped). */
function valgrindVersion(): string | undefined {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * P1 in instructions, not seconds: `valgrind --tool=callgrind` counts the instructions a process
 * executes (all its threads), which the machine's load does not change, so these ratios hold still
 * where the timed rows move by 10-20% between runs. One run each (a run takes 10-20 s under
 * valgrind); repeated runs differ by a few percent (V8's background threads, GC timing). Instructions
 * are not time (Node 24's start-up is cheap in them), so the ratios are not the timed rows' ratios.
 */
async function instructionRows(rows: Row[]): Promise<void> {
  const version = valgrindVersion();
  if (version === undefined) {
    rows.push({
      what: 'P1 in instructions (valgrind)',
      after: 'not measured: valgrind is not installed',
      target: 'for reference',
    });
    return;
  }
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  const web01 = [vmId('rg-web', 'web-01')];
  try {
    const sdkChain = buildSdkChain(runner);
    const counted = async (
      node: NodeBinary,
      args: readonly string[],
      cwd: string,
      env: Record<string, string> = {},
    ): Promise<number> => {
      const run = must(
        await runner.run(['--tool=callgrind', '--callgrind-out-file=/dev/null', node.path, ...args], cwd, {
          node: 'valgrind',
          script: '',
          plain: true,
          env,
        }),
        `valgrind ${args[0] ?? ''}`,
      );
      const collected = /Collected : (\d+)/.exec(run.stderr)?.[1];
      if (collected === undefined) throw new Error(`valgrind printed no count:\n${run.stderr.slice(-2000)}`);
      return Number(collected);
    };
    for (const node of nodes) {
      clearJitHistory(emu, ['web-jit']);
      const floor = await counted(node, ['-e', '0'], root);
      const sdk = await counted(node, [sdkChain.cold, ...web01, ...emu.ipEchoUrls], root);
      const sdkEnv = await sdkChainCache(runner, emu, node, sdkChain);
      const sdkWarm = await counted(node, [sdkChain.cached, ...web01, ...emu.ipEchoUrls], root, sdkEnv);
      const cells = new Map<string, string>();
      for (const build of builds) {
        const script = join(build.dist, 'cli', 'main.js');
        const env = { XDG_CACHE_HOME: freshTemp(runner), AZURE_JIT_ACCESS_RECHECK_DELAY_MS: '0' };
        const close = async (cwd: string, e: Record<string, string>): Promise<void> =>
          void must(await runner.run(['close'], cwd, { node: node.path, script, env: e }), 'close');
        const coldCwd = runner.workdir();
        const cold = await counted(node, [script, ...requestArgs(emu, web01)], coldCwd, env);
        await close(coldCwd, env);
        // The run above left its compile cache in XDG_CACHE_HOME: the next one reads it.
        const warmCwd = runner.workdir();
        const warm = await counted(node, [script, ...requestArgs(emu, web01)], warmCwd, env);
        await close(warmCwd, env);
        const m = (n: number): string => `${(n / 1e6).toFixed(0)} M`;
        cells.set(
          build.label,
          `${x(cold / floor)} empty cache (${m(cold)}), ${x(warm / floor)} warm (${m(warm)}); ` +
            `${x(cold / sdk)} / ${x(warm / sdkWarm)} of the SDK yardstick's`,
        );
      }
      rows.push({
        what: `P1 CLI \`request\` in instructions (${node.name}; ${version} callgrind, one run each): against \`node -e 0\` (${(floor / 1e6).toFixed(0)} M) and the Azure SDK yardstick (bench/sdkChain.ts: ${x(sdk / floor)}, ${(sdk / 1e6).toFixed(0)} M empty cache; ${x(sdkWarm / floor)}, ${(sdkWarm / 1e6).toFixed(0)} M warm)`,
        ...(beforeArg ? { before: cells.get('before') ?? 'n/a' } : {}),
        after: cells.get('after') ?? 'n/a',
        target: 'for reference: load-independent',
      });
    }
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/** P4: many VMs in several resource groups, vs one VM, on the bench's Node; and the critical path. */
async function manyVms(details: string[]): Promise<void> {
  const scenario = generateScenario({ vms: config.p4Vms, resourceGroups: config.p4Groups });
  const emu = await startEmulator({ scenario });
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  const node = benchNode();
  try {
    const rgs = scenario.subscriptions[0]?.resourceGroups ?? [];
    const ids = rgs.flatMap((rg) => (rg.virtualMachines ?? []).map((vm) => vmId(rg.name, vm.name)));
    const policies = rgs.flatMap((rg) => (rg.jitPolicies ?? []).map((p) => p.name));
    for (let round = 0; round < config.p4Runs; round++) {
      clearJitHistory(emu, policies);
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
        const env = {
          TMPDIR: freshTemp(runner),
          XDG_CACHE_HOME: freshTemp(runner),
          AZURE_JIT_ACCESS_RECHECK_DELAY_MS: '0',
        };
        const script = join(build.dist, 'cli', 'main.js');
        // The 1-VM run the ratio divides by: same emulator, same scenario, same (empty) compile
        // cache, right before, so both see the same load and the same emulator state.
        const oneCwd = runner.workdir();
        const oneEnv = { ...env, XDG_CACHE_HOME: freshTemp(runner) };
        const one = must(
          await runner.run(requestArgs(emu, ids.slice(0, 1)), oneCwd, {
            node: node.path,
            script,
            env: oneEnv,
          }),
          `${build.label} P4 1-VM request`,
        );
        add(`${build.label}|${node.name}|p4 one`, one.wallMs);
        must(
          await runner.run(['close'], oneCwd, { node: node.path, script, env: oneEnv }),
          `${build.label} P4 1-VM close`,
        );
        const cwd = runner.workdir();
        emu.control.clearRequests();
        const req = must(
          await runner.run(requestArgs(emu, ids), cwd, { node: node.path, script, env }),
          `${build.label} P4 request`,
        );
        add(`${build.label}|${node.name}|p4`, req.wallMs);
        // Each run against the 1-VM run right before it: both saw the same load.
        add(`${build.label}|${node.name}|p4 ratio`, req.wallMs / one.wallMs);
        if (round === 0) {
          const log = emu.control.requests();
          const initiates = log.filter((e) => kind(e) === 'JIT initiate (POST)').length;
          details.push(
            `**P4 (${build.label}): one \`request\` for ${ids.length} VMs in ${rgs.length} resource groups** ` +
              `(${log.length} requests, ${initiates} initiate(s)). Critical path: when each kind of call ` +
              'ran, in ms after the process was spawned (calls of one kind overlap when their spans do):',
            '',
            ...criticalPath(log, req.spawnedAt),
          );
        }
        must(await runner.run(['close'], cwd, { node: node.path, script, env }), `${build.label} P4 close`);
      }
    }
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/** Per kind of call: count, first start and last end after spawn, and the busiest concurrency. */
function criticalPath(log: readonly RequestLogEntry[], spawnedAt: number): string[] {
  const kinds = new Map<string, { n: number; start: number; end: number; spans: [number, number][] }>();
  for (const e of log) {
    const start = e.time.getTime() - spawnedAt;
    const end = start + e.durationMs;
    const k = kinds.get(kind(e)) ?? { n: 0, start, end, spans: [] };
    k.n += 1;
    k.start = Math.min(k.start, start);
    k.end = Math.max(k.end, end);
    k.spans.push([start, end]);
    kinds.set(kind(e), k);
  }
  const peak = (spans: [number, number][]): number => {
    const events = spans.flatMap(([a, b]) => [
      [a, 1],
      [b, -1],
    ]);
    events.sort((p, q) => (p[0] as number) - (q[0] as number) || (p[1] as number) - (q[1] as number));
    let now = 0;
    let max = 0;
    for (const [, d] of events) max = Math.max(max, (now += d as number));
    return max;
  };
  return [
    '| kind | count | first starts | last ends | most at once in the emulator |',
    '| --- | --- | --- | --- | --- |',
    ...[...kinds]
      .sort((a, b) => a[1].start - b[1].start)
      .map(([k, v]) => `| ${k} | ${v.n} | ${v.start} ms | ${v.end} ms | ${peak(v.spans)} |`),
    '',
  ];
}

function breakdown(log: readonly RequestLogEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const e of log) counts.set(kind(e), (counts.get(kind(e)) ?? 0) + 1);
  return ['| kind | count |', '| --- | --- |', ...[...counts].map(([k, n]) => `| ${k} | ${n} |`), ''];
}

/** The peer row: a user's own `az login` + `az rest` script doing the same (see bench/peer.ts). */
async function peer(rows: Row[], details: string[]): Promise<void> {
  if (quick) {
    // `az` takes seconds per call: too slow for the quick mode `npm test` runs.
    rows.push({
      what: 'peer: `az login` + `az rest` script (initiate, poll the NSG)',
      after: 'skipped in --quick',
      target: '≥ 12× / ≥ 3× slower than P1',
    });
    return;
  }
  const az = whichAz();
  if (!az) {
    rows.push({
      what: 'peer: `az login` + `az rest` script (initiate, poll the NSG), fresh login / already logged in',
      after: 'skipped: `az` is not installed here',
      target: '≥ 12× / ≥ 3× slower than P1',
    });
    details.push('**Peer row** skipped: `which az` found no Azure CLI on this machine.', '');
    return;
  }
  const emu = await startEmulator();
  const runner = new Runner(join(root, 'dist', 'cli', 'main.js'), cliEnv(emu));
  const script = peerScript(runner.workdir());
  const node = benchNode();
  try {
    const fresh: number[] = [];
    const warm: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < config.peerRuns; i++) {
      const cwd = runner.workdir();
      const azEnv = {
        AZURE_CONFIG_DIR: runner.workdir(),
        REQUESTS_CA_BUNDLE: emu.caPath,
        ARM: emu.armUrl,
        SUB: PROD,
        IP_ECHO: emu.ipEchoUrls[0] ?? '',
      };
      const bash = (mode: string): Promise<ChildRun> =>
        runner.run([script, mode], cwd, { node: '/bin/bash', script: '', env: azEnv, plain: true });
      const login = await bash('login-and-open');
      if (login.code !== 0) {
        // Reported, not fatal: the other rows stand without it.
        const why = (login.stderr.split('\n').find((l) => /error/i.test(l)) ?? `exit ${login.code}`).slice(
          0,
          300,
        );
        rows.push({
          what: 'peer: `az login` + `az rest` script (initiate, poll the NSG), fresh login / already logged in',
          after: `not measured: the script failed against the emulator (${az})`,
          target: '≥ 12× / ≥ 3× slower than P1',
        });
        details.push(`**Peer row** not measured: \`az login\` against the emulator failed: ${why}`, '');
        return;
      }
      fresh.push(login.wallMs);
      warm.push(must(await bash('open'), 'peer (logged in)').wallMs);
      ours.push(
        must(
          await runner.run(requestArgs(emu, [vmId('rg-web', 'web-01')]), cwd, {
            node: node.path,
            env: { TMPDIR: freshTemp(runner) },
          }),
          'peer: our request',
        ).wallMs,
      );
    }
    rows.push({
      what: 'peer: `az login` + `az rest` script (initiate, poll the NSG) vs our `request`, fresh login / logged in',
      after: `${x(median(fresh) / median(ours))} / ${x(median(warm) / median(ours))} slower (az ${s(median(fresh))} / ${s(median(warm))}, ours ${s(median(ours))})`,
      target: '≥ 12× / ≥ 3×',
    });
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

function bundleSizes(dist: string): string {
  const files = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir).flatMap((n) => {
          const p = join(dir, n);
          return statSync(p).isDirectory() ? files(p) : [p];
        })
      : [];
  const all = files(dist);
  const js = all.filter((f) => f.endsWith('.js'));
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const total = all.reduce((n, f) => n + statSync(f).size, 0);
  return (
    js
      .filter((f) => statSync(f).size > 10_000)
      .map((f) => `${relative(dist, f)} ${mb(statSync(f).size)}`)
      .join('; ') + `; dist/ ${mb(total)} in ${all.length} files`
  );
}

function startupRows(rows: Row[]): void {
  const both = (fn: (b: string) => string): { before?: string; after: string } => ({
    ...(beforeArg ? { before: fn('before') } : {}),
    after: fn('after'),
  });
  for (const node of nodes) {
    rows.push({
      what: `\`node -e 0\` (${node.name}), median of ${samples.get(`|${node.name}|floor`)?.length ?? 0}`,
      after: s(med(`|${node.name}|floor`)),
      target: 'the floor',
    });
  }
  for (const node of nodes) {
    // Every row runs with NODE_EXTRA_CA_CERTS (the emulator's CA; the Action and the task have no
    // other way to trust it). Node 20 then builds its certificate store at start-up, in `node -e 0`
    // too; without it, that cost moves to a run's first TLS connection, and the floor drops.
    const plain = med(`|${node.name}|plain floor`);
    const against = (what: string): string => x(med(`after|${node.name}|${what}`) / plain);
    rows.push({
      what: `\`node -e 0\` (${node.name}) without NODE_EXTRA_CA_CERTS; the P1 rows (after) against it`,
      after: `${s(plain)}; CLI ${against('request')} empty cache, ${against('warm request')} warm; Action ${against('action main')}`,
      target: 'for reference',
    });
  }
  for (const node of nodes) {
    const floor = med(`|${node.name}|floor`);
    const chain = med(`|${node.name}|https chain`);
    rows.push({
      what: `yardstick: P1's calls (same order and overlap) made with node:https alone, no SDK and no checks (${node.name}; bench/httpsChain.js)`,
      // P1 against it: what the SDKs and our own code add to what Node needs for the same calls.
      after:
        `${x(chain / floor)} (${s(chain)}); the CLI (after) takes ${x(med(`after|${node.name}|request`) / chain)} ` +
        `of it with an empty compile cache, ${x(med(`after|${node.name}|warm request`) / chain)} with a warm one`,
      target: 'for reference',
    });
    const sdk = med(`|${node.name}|sdk chain`);
    const sdkWarm = med(`|${node.name}|sdk chain warm`);
    rows.push({
      what: `yardstick: P1's calls made through the design's Azure packages alone (@azure/identity's ClientSecretCredential, arm-security's JIT operations, arm-compute's and arm-network's modular operations), bundled like dist/, no checks, no state (${node.name}; bench/sdkChain.ts): empty compile cache / the one an earlier run left`,
      // No build on these packages goes below it: a P1 target under it is out of their reach.
      after:
        `${x(sdk / floor)} (${s(sdk)}) / ${x(sdkWarm / floor)} (${s(sdkWarm)}); the CLI (after) takes ` +
        `${x(med(`after|${node.name}|request`) / sdk)} / ${x(med(`after|${node.name}|warm request`) / sdkWarm)} of it`,
      target: 'for reference: the floor of any build on these packages',
    });
    // With the middle half of the runs: a gap between builds inside it is the machine's noise.
    const ratio = (b: string, what: string): string => {
      const [low, high] = middleHalf(samples.get(`${b}|${node.name}|${what}`) ?? []);
      return `${x(med(`${b}|${node.name}|${what}`) / floor)} (${s(med(`${b}|${node.name}|${what}`))}; middle half ${(low / 1000).toFixed(3)}–${s(high)})`;
    };
    rows.push({
      what: `P1 CLI \`request\`, 1 VM, 1 port (${node.name}; empty compile cache)`,
      ...both((b) => ratio(b, 'request')),
      target: '≤ 3.5× the floor',
    });
    rows.push({
      what: `P1 CLI \`request\`, 1 VM, 1 port (${node.name}; the compile cache an earlier run left)`,
      ...both((b) => ratio(b, 'warm request')),
      target: '≤ 3.5× the floor',
    });
    if (samples.has(`after|${node.name}|action main`)) {
      rows.push({
        what: `P1 Action \`main.js\` (GitHub OIDC, ${node.name}; empty RUNNER_TEMP)`,
        ...both((b) => ratio(b, 'action main')),
        target: 'same ratio as the CLI',
      });
      rows.push({
        what: `P1 Action \`main.js\` (client secret in \`creds\`, ${node.name}; empty RUNNER_TEMP): the Action without GitHub's ID token call`,
        ...both((b) => ratio(b, 'action main creds')),
        target: 'same ratio as the CLI',
      });
    }
    if (samples.has(`after|${node.name}|task main`)) {
      rows.push({
        what: `P1 task \`main.js\` (service principal secret, ${node.name}; empty Agent.TempDirectory)`,
        ...both((b) => ratio(b, 'task main')),
        target: 'same ratio as the CLI',
      });
    }
    const cpu = (b: string, what: string): string => `${med(`${b}|${node.name}|${what} cpu`).toFixed(0)} ms`;
    const rss = (b: string, what: string): string => `${med(`${b}|${node.name}|${what} rss`).toFixed(0)} MB`;
    rows.push({
      what: `P1 CPU time (user + system) and peak RSS of the process (${node.name}): CLI empty cache / warm cache / Action main (OIDC) / Action main (secret) / task main`,
      ...both(
        (b) =>
          `${cpu(b, 'request')} / ${cpu(b, 'warm request')} / ${cpu(b, 'action main')} / ${cpu(b, 'action main creds')} / ${cpu(b, 'task main')}; ` +
          `${rss(b, 'request')} / ${rss(b, 'action main')} (CLI / Action)`,
      ),
      target: 'for reference',
    });
    rows.push({
      what: `P5 spawn → first request the emulator sees (${node.name})`,
      ...both((b) => s(med(`${b}|${node.name}|first`))),
      target: '≤ 0.15 s',
    });
    rows.push({
      what: `P6 CLI \`close\`, 1 VM (${node.name}; after \`request\` in the same temp folder)`,
      ...both((b) => `${s(med(`${b}|${node.name}|close`))} = ${x(med(`${b}|${node.name}|close`) / floor)}`),
      target: '≤ 0.25 s',
    });
    if (samples.has(`after|${node.name}|action post`)) {
      rows.push({
        what: `P6 Action \`post.js\`, 1 VM (${node.name}; main's RUNNER_TEMP)`,
        ...both(
          (b) =>
            `${s(med(`${b}|${node.name}|action post`))} = ${x(med(`${b}|${node.name}|action post`) / floor)}`,
        ),
        target: '≤ 0.25 s',
      });
    }
    if (samples.has(`after|${node.name}|task post`)) {
      rows.push({
        what: `P6 task \`post.js\`, 1 VM (${node.name}; main's Agent.TempDirectory)`,
        ...both(
          (b) =>
            `${s(med(`${b}|${node.name}|task post`))} = ${x(med(`${b}|${node.name}|task post`) / floor)}`,
        ),
        target: '≤ 0.25 s',
      });
    }
  }
  rows.push(...p4Row());
  rows.push({
    what: 'bundles',
    ...both((b) => bundleSizes((builds.find((x) => x.label === b) as Build).dist)),
    target: '≤ 1 MB each',
  });
}

function p4Row(): Row[] {
  const node = benchNode();
  const ratio = (b: string): string => {
    const [low, high] = middleHalf(samples.get(`${b}|${node.name}|p4 ratio`) ?? []);
    return (
      `${x(med(`${b}|${node.name}|p4 ratio`))} (middle half ${x(low)}–${x(high)}); ` +
      `medians ${s(med(`${b}|${node.name}|p4`))} / ${s(med(`${b}|${node.name}|p4 one`))}`
    );
  };
  return [
    {
      what: `P4 ${config.p4Vms} VMs in ${config.p4Groups} resource groups vs 1 VM of them (${node.name}, empty compile cache, interleaved; median of ${config.p4Runs} ratios, each run against the 1-VM run right before it)`,
      ...(beforeArg ? { before: ratio('before') } : {}),
      after: ratio('after'),
      target: '≤ 1.5×',
    },
  ];
}

function table(rows: readonly Row[]): string {
  const compare = beforeArg !== undefined;
  return [
    compare ? '| measure | before | after | target |' : '| measure | result | target |',
    compare ? '| --- | --- | --- | --- |' : '| --- | --- | --- |',
    ...rows.map((r) =>
      compare
        ? `| ${r.what} | ${r.before ?? ''} | ${r.after} | ${r.target} |`
        : `| ${r.what} | ${r.after} | ${r.target} |`,
    ),
  ].join('\n');
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

function machine(startLoad: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  return [
    `- Date: ${new Date().toISOString()}${commit ? `, commit ${commit} (plus working-tree changes)` : ''}`,
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM; load average ` +
      `${startLoad} at the start, ${load()} at the end (1 / 5 / 15 min)`,
    `- Nodes: ${nodes.map((n) => `${n.name} (${n.path === process.execPath ? 'the bench’s' : relative(root, n.path)})`).join(', ')}`,
    `- Builds: ${builds.map((b) => `${b.label} = ${relative(root, b.dist) || b.dist}`).join(', ')}`,
    `- Mode: ${quick ? 'quick' : 'full'} (${config.runs} interleaved rounds)`,
  ].join('\n');
}

async function main(): Promise<void> {
  for (const b of builds) {
    if (!existsSync(join(b.dist, 'cli', 'main.js')))
      throw new Error(`${b.dist}/cli/main.js is missing: build first.`);
  }
  const started = Date.now();
  const startLoad = load();
  const rows: Row[] = [];
  const details: string[] = [];
  if (onlyFar) {
    await farRegion(rows);
    console.log(`${machine(startLoad)}\n\n${table(rows)}`);
    return;
  }
  if (onlyBusy) {
    await busyPolicy(rows);
    console.log(`${machine(startLoad)}\n\n${table(rows)}`);
    return;
  }
  if (onlyPeer) {
    await peer(rows, details);
    console.log(`${machine(startLoad)}\n\n${table(rows)}\n\n${details.join('\n')}`);
    return;
  }
  if (onlyInstructions) {
    await instructionRows(rows);
    console.log(`${machine(startLoad)}\n\n${table(rows)}`);
    return;
  }
  if (onlyP4) {
    await manyVms(details);
    console.log(`${machine(startLoad)}\n\n${table(p4Row())}\n\n${details.join('\n')}`);
    return;
  }
  await startupRounds(details);
  await manyVms(details);
  startupRows(rows);
  await farRegion(rows);
  await busyPolicy(rows);
  if (!quick) await instructionRows(rows);
  await slowRule(rows);
  await peer(rows, details);
  const text = `${table(rows)}\n\n${details.join('\n')}`;
  const header = machine(startLoad);
  console.log(
    `azure-jit-access benchmarks (${quick ? 'quick' : 'full'} mode, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  console.log(header);
  console.log(`\n${text}`);
  if (write) {
    const doc = [
      '# Benchmark results',
      '',
      'Recorded by `npm run bench -- --write` (see `bench/run.ts` for what each figure measures). Measurements,',
      'not pass/fail: the targets are what we work towards. All against the embedded emulator (loopback HTTPS,',
      'real OAuth and SDKs), so network latency to Azure is not included; the figures show our own overhead.',
      'The machine is shared: start-up figures are ratios to `node -e 0` on the same Node, measured',
      'interleaved with them, and "before" and "after" builds ran interleaved in the same run.',
      '',
      "Every run, the floor included, has NODE_EXTRA_CA_CERTS set to the emulator's CA (the Action and the task",
      'can trust it no other way). Node 20 then sets up its certificate store at start-up, ~30 ms that',
      '`node -e 0` pays too; on a runner without a custom CA, `node -e 0` skips it and a run pays it at its',
      'first TLS connection instead. The "without NODE_EXTRA_CA_CERTS" rows show the P1 ratios against that',
      'lower floor: on Node 20 they are the stricter measure. Node 24 is not affected.',
      '',
      header,
      '',
      text,
      '',
    ].join('\n');
    const results = join(root, 'bench', 'RESULTS.md');
    writeFileSync(results, doc);
    // Formatted like every other file, so `prettier --check .` in `npm test` stays green.
    execFileSync(process.execPath, [
      join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
      '--write',
      results,
    ]);
    console.log('\nWrote bench/RESULTS.md');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
