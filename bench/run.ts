/**
 * `npm run bench [-- --quick] [-- --write]`: measurements of the bundled CLI
 * (dist/cli/main.js, the same core as the Action and the task; P1 and P6 also
 * for the Action's main and post bundles) against the embedded emulator. Measurements, never pass/fail: the targets are printed
 * next to the figures. `--quick` (run by `npm test`) does fewer repetitions,
 * a smaller P4 and a 2 s instead of 10 s rule delay for P2. `--write` records
 * the run in bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { generateScenario, startEmulator, type Emulator, type RequestLogEntry } from '../emulator';
import type { actionMainAndPost as ActionSteps } from './action';
import { median, Runner, type ChildRun } from './measure';

const root = join(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

const config = quick
  ? { p1Runs: 3, p2DelayMs: 2000, p2Runs: 1, p4Vms: 10, p4Groups: 2 }
  : { p1Runs: 10, p2DelayMs: 10_000, p2Runs: 3, p4Vms: 50, p4Groups: 5 };

interface Row {
  readonly id: string;
  readonly what: string;
  readonly result: string;
  readonly target: string;
  readonly rss: string;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const mb = (values: readonly number[]): string => {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? 'n/a' : `${Math.max(...finite).toFixed(0)} MB`;
};

/** What kind of call a log entry is, for P3. */
function kind(e: RequestLogEntry): string {
  const p = e.path.toLowerCase();
  if (e.provider === 'identity') return 'sign-in (Entra ID)';
  if (e.provider === 'ip') return 'IP echo';
  if (p.endsWith('/initiate')) return 'JIT initiate (POST)';
  if (e.provider === 'security')
    return p.includes('/locations/') ? 'JIT policy (GET)' : 'JIT policies (list)';
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
  };
}

function requestArgs(emu: Emulator, vms: readonly string[], extra: readonly string[] = []): string[] {
  return [
    'request',
    ...vms.flatMap((v) => ['--vms', v]),
    '--subscription',
    PROD,
    '--ports',
    '22',
    '--duration',
    '10',
    '--ip-providers',
    emu.ipEchoUrls.join(','),
    '--cloud',
    'Custom',
    '--arm-endpoint',
    emu.armUrl,
    '--authority-host',
    emu.authorityHost,
    ...extra,
  ];
}

/** `close` signs in where its flags say, like `request` (never where the state file says). */
function cloudArgs(emu: Emulator): string[] {
  return ['--cloud', 'Custom', '--arm-endpoint', emu.armUrl, '--authority-host', emu.authorityHost];
}

function must(run: ChildRun, what: string): ChildRun {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr || run.stdout}`);
  return run;
}

const vmId = (rg: string, name: string): string =>
  `/subscriptions/${PROD}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

async function singleVm(cli: string, rows: Row[], details: string[]): Promise<number> {
  const emu = await startEmulator();
  const runner = new Runner(cli, cliEnv(emu));
  try {
    const web01 = [vmId('rg-web', 'web-01')];
    const p1: ChildRun[] = [];
    const p6: ChildRun[] = [];
    const coldStarts: number[] = [];
    let perRun: RequestLogEntry[] = [];
    for (let i = 0; i < config.p1Runs; i++) {
      const cwd = runner.workdir();
      emu.control.clearRequests();
      const req = must(await runner.run(requestArgs(emu, web01), cwd), 'P1 request');
      const log = emu.control.requests();
      const first = log[0];
      if (first) coldStarts.push(first.time.getTime() - req.spawnedAt);
      if (i === 0) perRun = log;
      p1.push(req);
      p6.push(must(await runner.run(['close', ...cloudArgs(emu)], cwd), 'P6 close'));
    }
    const p1Median = median(p1.map((r) => r.wallMs));
    rows.push({
      id: 'P1',
      what: `main step: \`dist/cli/main.js request\`, 1 VM, 1 port, rule delay 0 (median of ${p1.length})`,
      result: `${s(p1Median)} (min ${s(Math.min(...p1.map((r) => r.wallMs)))}, max ${s(Math.max(...p1.map((r) => r.wallMs)))})`,
      target: '≤ 0.35 s',
      rss: mb(p1.map((r) => r.peakRssMb)),
    });

    // P3: what one run asks Azure for.
    const arm = perRun.filter(isArm);
    const polls = arm.filter((e) => kind(e) === 'NSG poll (GET)').length;
    rows.push({
      id: 'P3',
      what: 'ARM requests per run, 1 VM (from the emulator log)',
      result: `${arm.length - polls} + ${polls} NSG poll(s) (${arm.length} ARM; ${perRun.length - arm.length} sign-in/IP echo)`,
      target: '≤ 6 plus polls',
      rss: '',
    });
    details.push(...breakdown('P3 breakdown (one `request`, 1 VM)', perRun));

    rows.push({
      id: 'P5',
      what: `cold start: spawn to the first request the emulator sees (median of ${coldStarts.length})`,
      result: s(median(coldStarts)),
      target: '≤ 150 ms',
      rss: '',
    });
    rows.push({
      id: 'P6',
      what: `post step: \`dist/cli/main.js close\` from the state file (median of ${p6.length})`,
      result: s(median(p6.map((r) => r.wallMs))),
      target: '≤ 0.3 s',
      rss: mb(p6.map((r) => r.peakRssMb)),
    });

    // The same two steps through the GitHub Action bundle, as the runner runs them.
    const actionMain: number[] = [];
    const actionPost: number[] = [];
    const actionRss: number[] = [];
    if (existsSync(join(root, 'dist', 'action', 'main.js')) && existsSync(join(root, 'action.yml'))) {
      // Loaded only here: the runner helper reads action.yml when it is loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { actionMainAndPost } = require('./action') as { actionMainAndPost: typeof ActionSteps };
      for (let i = 0; i < config.p1Runs; i++) {
        const { main, post } = await actionMainAndPost(emu, runner);
        actionMain.push(main.wallMs);
        actionPost.push(post.wallMs);
        actionRss.push(main.peakRssMb, post.peakRssMb);
      }
      rows.push({
        id: 'P1',
        what: `main step: \`dist/action/main.js\` (GitHub OIDC), 1 VM, 1 port, rule delay 0 (median of ${actionMain.length})`,
        result: `${s(median(actionMain))} (min ${s(Math.min(...actionMain))}, max ${s(Math.max(...actionMain))})`,
        target: '≤ 0.35 s',
        rss: mb(actionRss),
      });
      rows.push({
        id: 'P6',
        what: `post step: \`dist/action/post.js\` from the saved state (median of ${actionPost.length})`,
        result: s(median(actionPost)),
        target: '≤ 0.3 s',
        rss: mb(actionRss),
      });
    }

    // P2: a slow rule. The emulator writes it at initiate + delay as `Updating` and flips it to
    // `Succeeded` (live: what the step waits for) min(2 s, delay / 4) later; its clock is real time here.
    const liveAfterMs = config.p2DelayMs + Math.min(2000, Math.round(config.p2DelayMs / 4));
    emu.control.setRuleDelay(config.p2DelayMs);
    const lags: number[] = [];
    const rates: number[] = [];
    const p2: ChildRun[] = [];
    for (let i = 0; i < config.p2Runs; i++) {
      const cwd = runner.workdir();
      emu.control.clearRequests();
      const req = must(await runner.run(requestArgs(emu, web01), cwd), 'P2 request');
      p2.push(req);
      const log = emu.control.requests();
      const initiate = log.find((e) => kind(e) === 'JIT initiate (POST)');
      if (!initiate) throw new Error('P2: no initiate in the log');
      const visibleAt = initiate.time.getTime() + liveAfterMs;
      lags.push(req.exitedAt - visibleAt);
      const waitPolls = log.filter(
        (e) => kind(e) === 'NSG poll (GET)' && e.time.getTime() >= initiate.time.getTime(),
      );
      rates.push(waitPolls.length / ((req.exitedAt - initiate.time.getTime()) / 1000));
      emu.control.setRuleDelay(0);
      must(await runner.run(['close', ...cloudArgs(emu)], cwd), 'P2 close');
      emu.control.setRuleDelay(config.p2DelayMs);
    }
    emu.control.setRuleDelay(0);
    rows.push({
      id: 'P2',
      what: `rule live (Succeeded) → step exits ready, rule delay ${config.p2DelayMs / 1000} s (median of ${p2.length}); NSG reads/s while waiting`,
      result: `${s(median(lags))}; ${median(rates).toFixed(2)} reads/s`,
      target: '≤ 0.6 s',
      rss: mb(p2.map((r) => r.peakRssMb)),
    });
    const cold = median(coldStarts);
    details.push(
      '**Reading the figures**',
      '',
      `- Cold start (P5) is ${((cold / p1Median) * 100).toFixed(0)}% of the whole CLI main step (P1): most of a short run is Node ` +
        'loading and compiling the bundle before the first request; the bundle sizes row shows what is loaded.',
      `- P2: while waiting, the step read NSGs ${median(rates).toFixed(2)} times per second, so a rule that turns live just after ` +
        'a read is seen on the next one: the lag is bounded by the poll interval in use at that moment.',
      '',
    );
    return p1Median;
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

/** Counts of a request log by kind, as a Markdown table. */
function breakdown(title: string, log: readonly RequestLogEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const e of log) counts.set(kind(e), (counts.get(kind(e)) ?? 0) + 1);
  const busy = log.reduce((n, e) => n + e.durationMs, 0);
  return [
    `**${title}**: ${log.length} requests, ${busy} ms of emulator handling in total.`,
    '',
    '| kind | count |',
    '| --- | --- |',
    ...[...counts].map(([k, n]) => `| ${k} | ${n} |`),
    '',
  ];
}

async function manyVms(cli: string, rows: Row[], details: string[], p1Median: number): Promise<void> {
  const scenario = generateScenario({ vms: config.p4Vms, resourceGroups: config.p4Groups });
  const emu = await startEmulator({ scenario });
  const runner = new Runner(cli, cliEnv(emu));
  try {
    const rgs = scenario.subscriptions[0]?.resourceGroups ?? [];
    const ids = rgs.flatMap((rg) => (rg.virtualMachines ?? []).map((vm) => vmId(rg.name, vm.name)));
    const policies = rgs.reduce((n, rg) => n + (rg.jitPolicies?.length ?? 0), 0);
    const cwd = runner.workdir();
    const req = must(await runner.run(requestArgs(emu, ids), cwd), 'P4 request');
    const log = emu.control.requests();
    const initiates = log.filter((e) => kind(e) === 'JIT initiate (POST)').length;
    details.push(...breakdown(`P4 breakdown (one \`request\`, ${ids.length} VMs)`, log));
    const close = must(await runner.run(['close', ...cloudArgs(emu)], cwd), 'P4 close');
    rows.push({
      id: 'P4',
      what: `${ids.length} VMs in ${rgs.length} resource groups: wall time, vs P1; initiate calls`,
      result: `${s(req.wallMs)} = ${(req.wallMs / p1Median).toFixed(2)}× P1; ${initiates} initiate(s) for ${policies} policies; close ${s(close.wallMs)}`,
      target: '≤ 1.5× P1, initiates = policies',
      rss: mb([req.peakRssMb, close.peakRssMb]),
    });
  } finally {
    runner.dispose();
    await emu.stop();
  }
}

function bundleSizes(rows: Row[]): void {
  const dist = join(root, 'dist');
  const files = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir).flatMap((n) => {
          const p = join(dir, n);
          return statSync(p).isDirectory() ? files(p) : p.endsWith('.js') ? [p] : [];
        })
      : [];
  const sizes = files(dist).map(
    (f) => `${relative(root, f)} ${(statSync(f).size / 1024 / 1024).toFixed(2)} MB`,
  );
  rows.push({
    id: 'P5',
    what: 'bundle sizes',
    result: sizes.join('; ') || 'no dist/',
    target: '≤ 3 MB each',
    rss: '',
  });
}

function table(rows: readonly Row[]): string {
  return [
    '| | measure | result | target | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.id} | ${r.what} | ${r.result} | ${r.target} | ${r.rss} |`),
  ].join('\n');
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  return [
    `- Date: ${new Date().toISOString()}${commit ? `, commit ${commit} (plus working-tree changes)` : ''}`,
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} at the start`,
    `- Node ${process.version} (${process.platform}/${process.arch}); bundle run with the same Node`,
    `- Mode: ${quick ? 'quick' : 'full'}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const cli = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first.`);
  const started = Date.now();
  const header = machine();
  const rows: Row[] = [];
  const details: string[] = [];
  const p1 = await singleVm(cli, rows, details);
  await manyVms(cli, rows, details, p1);
  bundleSizes(rows);
  const order = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'];
  // Stable: within one id, the CLI row stays before the Action's.
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const text = `${table(rows)}\n\n${details.join('\n')}`;
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
