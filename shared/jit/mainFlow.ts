/**
 * The main step, phase by phase: inputs → sign in → source → VMs and
 * policies → local validation → (dry run stops) → initiate → wait → outputs.
 * Each phase is its own module; this file only sequences them and logs.
 */
import { nameFromId } from '../azure/resourceId';
import type { AzureClients } from '../azure/clients';
import { createAzureClients } from '../azure/clients';
import { signIn } from '../azure/signIn';
import { resolveTopologies } from '../azure/topology';
import type { JitConfig } from '../config';
import { isJitError } from '../errors';
import { render } from '../frontEnd';
import type { ProxyRoute } from '../proxy';
import type { AzureSession, CloudEndpoints } from '../session';
import { parseInputs } from '../inputs/parse';
import { resolveJustification } from '../justification';
import type { RunOptions } from '../runOptions';
import { problemsOf } from '../problems';
import type { MainRow, MainSummary } from '../summary';
import { initiateAll } from './initiate';
import { groupByPolicy, type PolicyPlan, type RequestedSource } from './plan';
import { matchPolicies, prefetchPolicies, type GroupRef } from './policies';
import { probeUntilOpen, targetsToProbe } from './probe';
import { ProgressTracker } from './progress';
import { readBack } from './readBack';
import { describePlans, earliestExpiry, planRows, setOutputs, targetRows } from './report';
import { resolveRequestedSource } from './source';
import { StateStore } from './stateStore';
import { buildTargets, type Target } from './targets';
import { validateRequest } from './validate';
import { expectationsFor, type FoundRule } from './expectation';
import { snapshotRules } from './snapshot';
import { waitForRules } from './wait';

/** Outputs saying who signed in, as azure/login users expect: set as soon as sign-in succeeds. */
function setIdentityOutputs(platform: RunOptions['platform'], session: AzureSession): void {
  platform.setOutput('subscription-id', session.subscriptionId ?? '');
  platform.setOutput('client-id', session.identity?.clientId ?? '');
  platform.setOutput('principal-id', session.identity?.principalId ?? '');
}

/** What main hands back when access is live (or, for a dry run, would be requested). */
export interface MainDone {
  readonly dryRun: boolean;
  readonly targets: readonly Target[];
  readonly expiresAt?: string;
  readonly summary: MainSummary;
}

/** Everything the phases after planning share. */
interface MainRun {
  readonly options: RunOptions;
  readonly config: JitConfig;
  readonly session: AzureSession;
  readonly clients: AzureClients;
  readonly source: RequestedSource;
  readonly plans: readonly PolicyPlan[];
  /** How the source reads in messages and the summary. */
  readonly sourceText: string;
  readonly summary: (outcome: MainSummary['outcome'], rows: MainRow[]) => MainSummary;
}

type Accepted = Awaited<ReturnType<typeof requestAccess>>;

export async function openAccess(options: RunOptions): Promise<MainDone> {
  const { platform } = options;
  const config = parseInputs(platform);
  const early = new EarlySource(options, config);
  const session = await platform
    .group('Sign in to Azure', async () => {
      const s = await signIn(early.connect, config.cloud, options.signal);
      platform.info(`Signed in with ${s.method} (cloud ${s.cloud.name}, ${s.cloud.resourceManager}).`);
      setIdentityOutputs(platform, s);
      return s;
    })
    .catch((e: unknown) => {
      early.abandon(e);
      throw e;
    });
  const clients = createAzureClients(session, {
    ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const source = await platform.group('Resolve the source address', () => early.result(session.proxy));
  const plans = await platform.group('Find the VMs and their JIT policies', () =>
    planRequest(clients, config, source, options),
  );
  if (!session.subscriptionId) {
    // VMs given by resource ID: report their subscription when there is exactly one.
    const subs = [...new Set(plans.map((p) => p.policy.subscriptionId.toLowerCase()))];
    if (subs.length === 1) platform.setOutput('subscription-id', subs[0] ?? '');
  }
  const fe = platform.frontEnd;
  const justification = resolveJustification(config.justification, platform.runMetadata());
  const run: MainRun = {
    options,
    config,
    session,
    clients,
    source,
    plans,
    sourceText: source.prefix ?? `the caller address (${fe.setting('source', 'azure')})`,
    summary: (outcome, rows) => ({
      kind: 'main',
      outcome,
      at: clients.clock.now().toISOString(),
      rows,
      durationMinutes: config.durationMinutes,
      justification,
    }),
  };
  return config.dryRun ? reportDryRun(run) : requestAndWait(run, justification);
}

/**
 * The source address is looked up while the first token is fetched: the IP echo services need
 * only the session's proxy, which the front-end's `connect` settles before any token request
 * (on a runner, sign-in and the echo round trips are each a few hundred ms). Its log lines are
 * held back until its own group opens, so the log reads as if the phases ran one after the
 * other, and a failed sign-in is reported as before (the lookup is cancelled and its outcome
 * dropped).
 */
class EarlySource {
  private started?: Promise<RequestedSource>;
  private readonly abort = new AbortController();
  private held: string[] | undefined = [];

  constructor(
    private readonly options: RunOptions,
    private readonly config: JitConfig,
  ) {}

  /** The front-end's connect, starting the lookup as soon as the session (and its proxy) exists. */
  readonly connect = async (cloud: CloudEndpoints): Promise<AzureSession> => {
    const session = await this.options.connect(cloud);
    this.started ??= this.lookUp(session.proxy);
    // Awaited by `result`; a failure while sign-in is still running must not go unhandled.
    this.started.catch(() => undefined);
    return session;
  };

  abandon(reason: unknown): void {
    this.abort.abort(reason);
  }

  async result(proxy: ProxyRoute | undefined): Promise<RequestedSource> {
    const { platform } = this.options;
    for (const m of this.held ?? []) platform.debug(m);
    this.held = undefined;
    const s = await (this.started ?? this.lookUp(proxy));
    platform.info(describeSource(s));
    return s;
  }

  private lookUp(proxy: ProxyRoute | undefined): Promise<RequestedSource> {
    const { platform, signal } = this.options;
    return resolveRequestedSource(this.config.source, {
      providers: this.config.ipProviders,
      ...(this.options.tlsCa ? { tlsCa: this.options.tlsCa } : {}),
      ...(proxy ? { proxy } : {}),
      signal: signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal,
      debug: (m) => (this.held ? this.held.push(m) : platform.debug(m)),
    });
  }
}

async function reportDryRun(run: MainRun): Promise<MainDone> {
  const { platform } = run.options;
  for (const line of describePlans(run.plans, run.sourceText, run.config.durationMinutes))
    platform.notice(line);
  if (run.source.prefix) platform.setOutput('ip', run.source.prefix);
  const summary = run.summary(
    'dry-run',
    planRows(run.plans, run.sourceText, 'would-request', run.session.cloud.resourceManager),
  );
  await platform.appendSummary(summary);
  return { dryRun: true, targets: [], summary };
}

async function requestAndWait(run: MainRun, justification: string): Promise<MainDone> {
  const { platform } = run.options;
  const { source, plans, clients, session } = run;
  const store = new StateStore(platform, {
    createdAt: clients.clock.now().toISOString(),
    cloud: session.cloud,
    subscriptionIds: [...new Set(plans.map((p) => p.policy.subscriptionId))],
    closeOnPost: run.config.closeOnPost,
    source:
      source.prefix !== undefined ? { kind: source.kind, prefix: source.prefix } : { kind: source.kind },
  });
  const accepted = await platform.group('Request JIT access', () => requestAccess(run, store, justification));
  const progress = new ProgressTracker({
    timeoutMs: run.config.waitTimeoutMs,
    report: (line) => platform.info(line),
    ...(platform.status ? { status: platform.status } : {}),
    ...(run.options.progressIntervalMs !== undefined ? { intervalMs: run.options.progressIntervalMs } : {}),
  });
  const result = await platform
    .group('Wait until the allow rules are live', () => waitLive(run, accepted, progress))
    .catch(async (e: unknown) => {
      await reportUnfinished(run, accepted.requests[0]?.endTimeUtc, e);
      throw e;
    });
  platform.status?.('');
  if (source.prefix === undefined && accepted.back.source === undefined)
    store.setSource({ kind: 'azure', prefix: result.source });
  recordRules(store, accepted.requests, result.rules);
  const targets = buildTargets(accepted.requests, result.rules, result.source, accepted.back.mappedPorts);
  warnUnassignedPublicIps(platform, accepted.requests);
  await probeTargets(run, targets);
  for (const t of targets) {
    platform.info(
      `Live: ${t.vm} → ${t.host} port(s) ${t.ports.map((p) => p.connectPort).join(', ')} from ${t.source} until ${t.expiresAt} (rules: ${t.ruleNames.join(', ')}).`,
    );
  }
  setOutputs(platform, targets, result.source);
  const summary = run.summary(
    'live',
    targetRows(targets, result.rules, session.cloud.resourceManager, (r) =>
      progress.liveAfterMs(r.expectation),
    ),
  );
  await platform.appendSummary(summary);
  const expiresAt = earliestExpiry(targets);
  return { dryRun: false, targets, ...(expiresAt !== undefined ? { expiresAt } : {}), summary };
}

/** Snapshot, initiate, read back: the request is accepted and saved for post when this returns. */
async function requestAccess(run: MainRun, store: StateStore, justification: string) {
  const { platform, signal } = run.options;
  const { clients, plans, source } = run;
  // Read right before initiate, not earlier beside the topology reads: a rule that appears between
  // this read and initiate counts as new, so a wider gap would let another request's rule with
  // our source pass for ours (tests/integration/core/snapshotTiming.test.ts).
  const snapshot = await snapshotRules(
    clients,
    plans.flatMap((p) => p.vms.flatMap((v) => v.match.vm.nsgs.map((n) => n.id))),
    signal,
  );
  const requests = await initiateAll(clients, plans, store, {
    source,
    snapshot,
    durationMinutes: run.config.durationMinutes,
    justification,
    ...(signal ? { signal } : {}),
  });
  for (const r of requests)
    platform.info(
      `Accepted: policy '${r.plan.policy.name}' (started ${r.startTimeUtc}, ends ${r.endTimeUtc}).`,
    );
  const back = await readBack(clients, requests, source.prefix, signal, (m) => platform.debug(m)).catch(
    async (e: unknown) => {
      await reportUnfinished(run, requests[0]?.endTimeUtc, e);
      throw e;
    },
  );
  if (source.prefix === undefined && back.source !== undefined) {
    platform.info(`Azure opened access for source ${back.source} (read back from this run's own request).`);
    store.setSource({ kind: 'azure', prefix: back.source });
  }
  return { requests, snapshot, back };
}

function waitLive(run: MainRun, accepted: Accepted, progress: ProgressTracker) {
  const { platform, signal } = run.options;
  const knownSource = run.source.prefix ?? accepted.back.source;
  return waitForRules(run.clients, expectationsFor(accepted.requests, knownSource), {
    progress,
    ...(knownSource !== undefined ? { source: knownSource } : {}),
    timeoutMs: run.config.waitTimeoutMs,
    pollIntervalMs: run.config.pollIntervalMs,
    snapshot: accepted.snapshot,
    ...(signal ? { signal } : {}),
    debug: (m) => platform.debug(m),
    info: (m) => platform.info(m),
  });
}

/** Saves the live rules per VM, so post deletes exactly these. */
function recordRules(store: StateStore, requests: Accepted['requests'], found: readonly FoundRule[]): void {
  store.setRules(
    requests.flatMap((r) =>
      r.plan.vms.map((v) => ({
        policyId: r.plan.policy.id,
        vmId: v.match.vm.id,
        rules: found
          .filter((f) => f.expectation.request === r && f.expectation.vm === v.match.vm)
          .map((f) => ({
            nsgId: f.expectation.nsgId,
            name: f.name,
            port: f.expectation.target.port,
            destination: f.destination,
            source: f.source,
          })),
      })),
    ),
  );
}

function warnUnassignedPublicIps(platform: RunOptions['platform'], requests: Accepted['requests']): void {
  for (const r of requests)
    for (const v of r.plan.vms) {
      const vm = v.match.vm;
      if (vm.publicIpUnassigned && v.match.entry.publicIpAddress === undefined)
        platform.warning(
          `VM ${vm.name}'s public IP resource holds no address (a dynamic public IP is released while the VM is stopped/deallocated), ` +
            `so its host output falls back to the private IP ${vm.privateIps[0] ?? '(none)'}, reachable only from inside its network. Start the VM, or give it a static public IP.`,
        );
    }
}

async function probeTargets(run: MainRun, targets: readonly Target[]): Promise<void> {
  const { platform, signal } = run.options;
  if (run.config.probe === 'never') warnUnprobedFirewallTargets(platform, targets);
  const probed = targetsToProbe(run.config.probe, targets);
  if (probed.length === 0) return;
  await platform.group('Probe TCP connectivity', async () => {
    for (const t of probed) {
      for (const p of t.ports) {
        await probeUntilOpen(t.host, p.connectPort, run.config.waitTimeoutMs, signal);
        platform.info(`${t.host}:${p.connectPort} (VM ${t.vm}) accepts TCP connections.`);
      }
    }
  });
}

/** `probe: false` and a firewall in front: ready is reported, but nothing proved the firewall's half. Once per VM. */
function warnUnprobedFirewallTargets(platform: RunOptions['platform'], targets: readonly Target[]): void {
  const fe = platform.frontEnd;
  const warned = new Set<string>();
  for (const t of targets) {
    if (t.firewallIp === undefined || warned.has(t.id.toLowerCase())) continue;
    warned.add(t.id.toLowerCase());
    const addresses = t.ports.map((p) => `${t.firewallIp ?? ''}:${p.connectPort}`).join(', ');
    platform.warning(
      `VM ${t.vm} is reached through Azure Firewall at ${addresses}; JIT's DNAT rule there cannot be read, and ${fe.setting('probe', 'false')} skips the TCP probe, so its readiness is unproven. ` +
        `Set ${fe.setting('probe', 'auto')} (the default) or ${fe.setting('probe', 'true')} to connect before reporting ready.`,
    );
  }
}

/** Topology, policies, local validation: everything before the first write. */
async function planRequest(
  clients: AzureClients,
  config: JitConfig,
  source: RequestedSource,
  options: RunOptions,
): Promise<PolicyPlan[]> {
  const { platform, signal } = options;
  const policiesOf = prefetchPolicies(clients, inputGroups(config, clients.session.subscriptionId), signal);
  const vms = await resolveTopologies(clients, config.vms, signal);
  for (const vm of vms) {
    platform.info(
      `${vm.name}: private IP ${vm.privateIps.join(', ') || 'none'}, NSGs ${vm.nsgs.map((n) => `${nameFromId(n.id)} (${n.level})`).join(', ') || 'none'}` +
        `${vm.publicIp ? `, public IP ${vm.publicIp}` : ''}${vm.fqdn ? `, FQDN ${vm.fqdn}` : ''}.`,
    );
  }
  if (clients.clock.skewed) {
    const skew = Math.round((clients.clock.skewMs ?? 0) / 1000);
    platform.warning(
      `This agent's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} Azure's. End times are computed from Azure's clock so the requested duration holds; fix the agent's time sync (NTP).`,
    );
  }
  const policies = await policiesOf(vms);
  const matches = matchPolicies(vms, policies, (m) => platform.warning(m));
  for (const m of matches)
    platform.info(
      `${m.vm.name}: JIT policy '${m.policy.name}' (${m.policy.resourceGroup}, ${m.policy.location}).`,
    );
  const validated = validateRequest(matches, {
    ports: config.ports,
    durationMinutes: config.durationMinutes,
    source,
  });
  for (const w of validated.warnings) platform.warning(render(w, platform.frontEnd));
  return groupByPolicy(validated.vms);
}

/** The resource groups the `vms` input names (VMs given by name: the session's subscription). */
function inputGroups(config: JitConfig, sessionSubscription: string | undefined): GroupRef[] {
  return config.vms.flatMap((v) => {
    const subscriptionId = v.subscriptionId ?? sessionSubscription;
    return subscriptionId ? [{ subscriptionId, resourceGroup: v.resourceGroup }] : [];
  });
}

function describeSource(s: RequestedSource): string {
  if (s.kind === 'azure')
    return 'Source: azure (JIT allows the address the request comes from; read back from the rule).';
  if (s.kind === 'explicit') return `Source: ${s.prefix ?? ''} (as given).`;
  return `Source: ${s.prefix ?? ''} (this agent's public IP, agreed by ${(s.agreedBy ?? []).join(', ')}).`;
}

/** The summary when the wait failed after access was requested: say what state it is in. */
async function reportUnfinished(run: MainRun, expiresAt: string | undefined, e: unknown): Promise<void> {
  const { platform } = run.options;
  const rows = planRows(run.plans, run.sourceText, 'requested', run.session.cloud.resourceManager, expiresAt);
  const kind = isJitError(e) ? e.kind : 'internal';
  const status = kind === 'timeout' ? 'timed-out' : kind === 'superseded' ? 'superseded' : 'requested';
  await platform
    .appendSummary({
      ...run.summary(
        'unfinished',
        rows.map((r) => ({ ...r, status })),
      ),
      problems: problemsOf(e, platform.frontEnd),
      notes: [
        `${platform.frontEnd.closer.replace(/^./, (c) => c.toUpperCase())} closes whatever this run opened.`,
      ],
    })
    .catch(() => undefined);
}
