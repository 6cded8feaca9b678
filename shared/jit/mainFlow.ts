/**
 * The main step, phase by phase: inputs → sign in → source → VMs and
 * policies → local validation → (dry run stops) → initiate → wait → outputs.
 * Each phase is its own module; this file only sequences them and logs.
 */
import type { AzureClients } from '../azure/clients';
import { createAzureClients } from '../azure/clients';
import { signIn } from '../azure/signIn';
import { resolveTopologies } from '../azure/topology';
import type { JitConfig } from '../config';
import { isJitError } from '../errors';
import type { AzureSession } from '../session';
import { parseInputs } from '../inputs/parse';
import { resolveJustification } from '../justification';
import type { RunOptions } from '../run';
import { renderMainSummary, type SummaryRow } from '../summary';
import { initiateAll, type AcceptedRequest } from './initiate';
import { groupByPolicy, type PolicyPlan, type RequestedSource } from './plan';
import { listPolicies, matchPolicies } from './policies';
import { probeUntilOpen } from './probe';
import { describePlans, planRows, setOutputs, targetRows } from './report';
import { resolveRequestedSource } from './source';
import { StateStore } from './stateStore';
import { buildTargets } from './targets';
import { validateRequest } from './validate';
import { expectationsFor, snapshotRules, waitForRules } from './wait';

/** Outputs saying who signed in, as azure/login users expect: set as soon as sign-in succeeds. */
function setIdentityOutputs(platform: RunOptions['platform'], session: AzureSession): void {
  platform.setOutput('subscription-id', session.subscriptionId ?? '');
  platform.setOutput('client-id', session.identity?.clientId ?? '');
  platform.setOutput('principal-id', session.identity?.principalId ?? '');
}

export async function openAccess(options: RunOptions): Promise<void> {
  const { platform, signal } = options;
  const config = parseInputs(platform);

  const session = await platform.group('Sign in to Azure', async () => {
    const s = await signIn(options.connect, config.cloud, options.signal);
    platform.info(`Signed in with ${s.method} (cloud ${s.cloud.name}, ${s.cloud.resourceManager}).`);
    setIdentityOutputs(platform, s);
    return s;
  });
  const clients = createAzureClients(session, {
    ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
    ...(options.now ? { now: options.now } : {}),
  });

  const source = await platform.group('Resolve the source address', async () => {
    const s = await resolveRequestedSource(config.source, {
      providers: config.ipProviders,
      ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
      ...(signal ? { signal } : {}),
      debug: (m) => platform.debug(m),
    });
    platform.info(describeSource(s));
    return s;
  });

  const plans = await platform.group('Find the VMs and their JIT policies', () =>
    planRequest(clients, config, source, options),
  );
  if (!session.subscriptionId) {
    // VMs given by resource ID: report their subscription when there is exactly one.
    const subs = [...new Set(plans.map((p) => p.policy.subscriptionId.toLowerCase()))];
    if (subs.length === 1) platform.setOutput('subscription-id', subs[0] ?? '');
  }
  const sourceText = source.prefix ?? 'the caller address (source: azure)';

  if (config.dryRun) {
    for (const line of describePlans(plans, sourceText, config.durationMinutes)) platform.notice(line);
    if (source.prefix) platform.setOutput('ip', source.prefix);
    await platform.appendSummary(
      renderMainSummary({ rows: planRows(plans, sourceText, 'would-request'), dryRun: true }),
    );
    return;
  }

  const store = new StateStore(platform, {
    createdAt: clients.clock.now().toISOString(),
    cloud: session.cloud,
    subscriptionIds: [...new Set(plans.map((p) => p.policy.subscriptionId))],
    closeOnPost: config.closeOnPost,
    source:
      source.prefix !== undefined ? { kind: source.kind, prefix: source.prefix } : { kind: source.kind },
  });
  const accepted = await platform.group('Request JIT access', async () => {
    const snapshot = await snapshotRules(
      clients,
      plans.flatMap((p) => p.vms.flatMap((v) => v.match.vm.nsgs.map((n) => n.id))),
      signal,
    );
    const requests = await initiateAll(clients, plans, store, {
      source,
      durationMinutes: config.durationMinutes,
      justification: resolveJustification(config.justification, platform.runMetadata()),
      ...(signal ? { signal } : {}),
    });
    for (const r of requests)
      platform.info(
        `Accepted: policy '${r.plan.policy.name}' (started ${r.startTimeUtc}, ends ${r.endTimeUtc}).`,
      );
    return { requests, snapshot };
  });

  const result = await platform
    .group('Wait until the allow rules are live', () =>
      waitForRules(clients, expectationsFor(accepted.requests, source.prefix), {
        ...(source.prefix !== undefined ? { source: source.prefix } : {}),
        timeoutMs: config.waitTimeoutMs,
        pollIntervalMs: config.pollIntervalMs,
        snapshot: accepted.snapshot,
        ...(signal ? { signal } : {}),
        debug: (m) => platform.debug(m),
        info: (m) => platform.info(m),
      }),
    )
    .catch(async (e: unknown) => {
      await reportUnfinished(options, plans, accepted.requests, sourceText, e);
      throw e;
    });

  if (source.prefix === undefined) store.setSource({ kind: 'azure', prefix: result.source });
  for (const r of accepted.requests) {
    for (const v of r.plan.vms) {
      const rules = result.rules
        .filter((f) => f.expectation.request === r && f.expectation.vm === v.match.vm)
        .map((f) => ({
          nsgId: f.expectation.nsgId,
          name: f.name,
          port: f.expectation.target.port,
          destination: f.destination,
          source: f.source,
        }));
      store.setRules(r.plan.policy.id, v.match.vm.id, rules);
    }
  }

  const targets = buildTargets(accepted.requests, result.rules, result.source);
  if (config.probe) {
    await platform.group('Probe TCP connectivity', async () => {
      for (const t of targets) {
        for (const p of t.ports) {
          await probeUntilOpen(t.host, p.connectPort, config.waitTimeoutMs, signal);
          platform.info(`${t.host}:${p.connectPort} (VM ${t.vm}) accepts TCP connections.`);
        }
      }
    });
  }
  for (const t of targets) {
    platform.info(
      `Live: ${t.vm} → ${t.host} port(s) ${t.ports.map((p) => p.connectPort).join(', ')} from ${t.source} until ${t.expiresAt} (rules: ${t.ruleNames.join(', ')}).`,
    );
  }
  setOutputs(platform, targets, result.source);
  await platform.appendSummary(renderMainSummary({ rows: targetRows(targets, 'live') }));
}

/** Topology, policies, local validation: everything before the first write. */
async function planRequest(
  clients: AzureClients,
  config: JitConfig,
  source: RequestedSource,
  options: RunOptions,
): Promise<PolicyPlan[]> {
  const { platform, signal } = options;
  const vms = await resolveTopologies(clients, config.vms, signal);
  for (const vm of vms) {
    platform.info(
      `${vm.name}: private IP ${vm.privateIps.join(', ') || 'none'}, NSGs ${vm.nsgs.map((n) => `${n.id.split('/').pop() ?? n.id} (${n.level})`).join(', ') || 'none'}` +
        `${vm.publicIp ? `, public IP ${vm.publicIp}` : ''}${vm.fqdn ? `, FQDN ${vm.fqdn}` : ''}.`,
    );
  }
  if (clients.clock.skewed) {
    const skew = Math.round((clients.clock.skewMs ?? 0) / 1000);
    platform.warning(
      `This agent's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} Azure's. End times are computed from Azure's clock so the requested duration holds; fix the agent's time sync (NTP).`,
    );
  }
  const policies = await listPolicies(
    clients,
    vms.map((v) => v.subscriptionId),
    signal,
  );
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
  for (const w of validated.warnings) platform.warning(w);
  return groupByPolicy(validated.vms);
}

function describeSource(s: RequestedSource): string {
  if (s.kind === 'azure')
    return 'Source: azure (JIT allows the address the request comes from; read back from the rule).';
  if (s.kind === 'explicit') return `Source: ${s.prefix ?? ''} (as given).`;
  return `Source: ${s.prefix ?? ''} (this agent's public IP, agreed by ${(s.agreedBy ?? []).join(', ')}).`;
}

/** Summary rows when the wait failed after access was requested: say what state it is in. */
async function reportUnfinished(
  options: RunOptions,
  plans: readonly PolicyPlan[],
  requests: readonly AcceptedRequest[],
  source: string,
  e: unknown,
): Promise<void> {
  const kind = isJitError(e) ? e.kind : 'internal';
  const status = kind === 'timeout' ? 'timed-out' : kind === 'superseded' ? 'superseded' : 'requested';
  const rows: SummaryRow[] = planRows(plans, source, status, requests[0]?.endTimeUtc);
  await options.platform
    .appendSummary(renderMainSummary({ rows, notes: ['The post step closes whatever this run opened.'] }))
    .catch(() => undefined);
}
