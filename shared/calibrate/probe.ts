/**
 * `calibrate`: a short, fixed sequence of JIT requests on ONE test VM that shows
 * which of the emulator's behaviour switches real Azure follows.
 *
 *   0. a request outside the policy (a port it does not list): its HTTP status and code;
 *   1. one request for two ports from a bare IP: rule layout, source form, priority,
 *      description, what the 202 echoes, the stored start time, time to `Succeeded`;
 *   2. the same VM and port from another source: what happens to the older request;
 *   3. the step-1 IP as its /32 on the other port: an IP versus its /32;
 *   4. close: delete exactly the rules it caused (two at once on one NSG: are NSG
 *      writes serialised?), then check nothing of its own remains.
 *
 * It reads policies only in the VM's resource group, never writes a policy, and
 * writes only initiates for its VM and deletes of its own rules in its VM's NSGs.
 */
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import type { AzureClients } from '../azure/clients';
import { azureCall } from '../azure/call';
import { idSegment, requireResourceId, sameResourceId } from '../azure/resourceId';
import { resolveTopologies, type VmTopology } from '../azure/topology';
import type { VmRef } from '../config';
import { AzureApiError, PolicyError, TimeoutError, toJitError } from '../errors';
import { formatUtc } from '../time';
import {
  classifyEcho,
  classifyLayout,
  classifyNsgWrites,
  classifySourceForm,
  classifyStartTime,
  classifySupersede,
  emulatorFlags,
  stats,
  type EchoObservation,
  type Finding,
  type StartTimeObservation,
  type Stats,
  type SwitchName,
} from './classify';
import {
  PROBE_SOURCES,
  SOURCE_IP,
  SOURCE_IP_32,
  SOURCE_OTHER,
  planProbe,
  requiredPolicyText,
  type ProbePlan,
} from './plan';
import { closeAll, type Cleanup } from './close';
import {
  echoObservation,
  initiate,
  portEntry,
  readHistory,
  storedFor,
  type Initiated,
  type Policy,
  type RawRequest,
} from './requests';
import {
  readProbeRules,
  ruleKey,
  ruleSignature,
  waitForRules,
  type ProbeLog,
  type ProbeRequest,
  type ProbeRule,
  type WaitResult,
} from './rules';

export interface CalibrateOptions {
  readonly vm: VmRef;
  readonly ports: readonly number[];
  /** Longest wait for one request's rules. */
  readonly waitTimeoutMs: number;
  /** Run the remaining steps after one fails (the report then covers as much as it can). */
  readonly keepGoing: boolean;
  readonly log: ProbeLog;
  readonly signal?: AbortSignal;
}

export interface StepResult {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Error kind of a failed step (`timeout`, `azure`, ...). */
  readonly kind?: string;
}

export interface CalibrationReport {
  readonly vm: { readonly name: string; readonly id: string; readonly nsgs: readonly string[] };
  readonly policy: { readonly name: string; readonly resourceGroup: string; readonly location: string };
  readonly ports: readonly number[];
  readonly sources: readonly string[];
  readonly switches: Readonly<Record<SwitchName, Finding>>;
  /** ms from the 202 to the first read showing the rule `Succeeded`, over every rule the probe caused. */
  readonly ruleDelay?: Stats & { readonly resolutionMs: number };
  readonly allowRule: { readonly priorities: readonly number[]; readonly descriptions: readonly string[] };
  readonly outsidePolicy?: {
    readonly port: number;
    readonly accepted: boolean;
    readonly status?: number;
    readonly code?: string;
    readonly message?: string;
  };
  readonly steps: readonly StepResult[];
  readonly cleanup: {
    readonly deleted: readonly string[];
    readonly failed: readonly { readonly rule: string; readonly status?: number; readonly code: string }[];
    /** Rules of the probe still in the VM's NSGs after closing. */
    readonly remaining: readonly string[];
    /** Accepted requests whose rule never showed up: JIT may still write it; it ends at the time given. */
    readonly pending: readonly string[];
    readonly complete: boolean;
  };
  readonly emulator: ReturnType<typeof emulatorFlags>;
  readonly ok: boolean;
}

/** Poll resolution of the wait (its longest pause between reads). */
const RESOLUTION_MS = 2000;
/** How long a replaced request's rule may take to go after the newer one is live. */
const REPLACE_GRACE_MS = 30_000;

/** Reads the VM, its policy (listed in the VM's resource group only) and refuses unless it fits. */
async function prepare(
  clients: AzureClients,
  options: CalibrateOptions,
): Promise<{ vm: VmTopology; policy: Policy; plan: ProbePlan }> {
  const [vm] = await resolveTopologies(clients, [options.vm], options.signal);
  if (!vm) throw new Error('no VM resolved');
  const policies = await azureCall(
    `list JIT policies of resource group '${vm.resourceGroup}'`,
    options.signal,
    async (o) => {
      const found: JitNetworkAccessPolicy[] = [];
      for await (const p of clients
        .security(vm.subscriptionId)
        .jitNetworkAccessPolicies.listByResourceGroup(vm.resourceGroup, o))
        found.push(p);
      return found;
    },
  );
  const match = policies
    .map((p) => ({ p, entry: (p.virtualMachines ?? []).find((e) => sameResourceId(e.id, vm.id)) }))
    .find((m) => m.entry !== undefined);
  if (!match?.entry || !match.p.id) {
    throw new PolicyError(
      `calibrate will not run against VM ${vm.name}: no JIT policy in resource group ${vm.resourceGroup} lists it.`,
      'policy',
      `${requiredPolicyText(vm.name, options.ports)}. It never changes a policy.`,
    );
  }
  const policy: Policy = {
    name: match.p.name ?? requireResourceId(match.p.id, 'JIT policy').name,
    resourceGroup: vm.resourceGroup,
    location: match.p.location ?? idSegment(match.p.id, 'locations') ?? vm.location,
    subscriptionId: vm.subscriptionId,
    entry: match.entry,
  };
  const plan = planProbe(vm.name, policy.name, match.entry, options.ports);
  if (vm.nsgs.length === 0) {
    throw new PolicyError(
      `calibrate will not run against VM ${vm.name}: it has no network security group on its NIC or subnet, so there is no allow rule to watch.`,
      'policy',
      'Use a test VM with an NSG on its NIC or subnet.',
    );
  }
  return { vm, policy, plan };
}

/** Someone's live access on the probe's ports would be replaced by the probe's requests: refuse. */
async function refuseIfBusy(
  clients: AzureClients,
  vm: VmTopology,
  plan: ProbePlan,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ports = [...plan.ports, plan.outsidePort];
  const existing = await readProbeRules(clients, vm, undefined, ports, signal);
  if (existing.length > 0) {
    throw new PolicyError(
      `calibrate will not run against VM ${vm.name}: JIT allow rules for ports ${ports.join(', ')} are already there (${existing
        .map(
          (r) =>
            `${r.nsgName}/${r.name} from ${[r.sourcePrefix, ...r.sourcePrefixes].filter(Boolean).join(',')}`,
        )
        .join('; ')}).`,
      'policy',
      "The probe's requests would replace someone's access. Wait until those rules expire (or close them), then run again.",
    );
  }
}

export async function runCalibration(
  clients: AzureClients,
  options: CalibrateOptions,
): Promise<CalibrationReport> {
  const { log, signal } = options;
  const { vm, policy, plan } = await prepare(clients, options);
  const allPorts = [...plan.ports, plan.outsidePort];
  const [p1, p2] = plan.ports;
  log.info(
    `Test VM ${vm.name}: JIT policy '${policy.name}' (${policy.resourceGroup}, ${policy.location}); NSGs ${vm.nsgs
      .map((n) => requireResourceId(n.id, 'network security group').name)
      .join(
        ', ',
      )}. Probe sources: ${PROBE_SOURCES.join(', ')}; requests end after ${plan.durationMinutes} minutes.`,
  );
  await refuseIfBusy(clients, vm, plan, signal);

  const steps: StepResult[] = [];
  const samples: number[] = [];
  const initiated: Initiated[] = [];
  const notLive: Initiated[] = [];
  const echo: EchoObservation[] = [];
  const startTimes: StartTimeObservation[] = [];
  const seen: ProbeRule[] = [];
  let stopped = false;
  let outsidePolicy: CalibrationReport['outsidePolicy'];
  let step1: WaitResult | undefined;
  let step3: WaitResult | undefined;
  let supersede: Finding = { value: 'undetermined', evidence: 'step 2 did not run' };

  const snapshot = async (): Promise<Set<string>> =>
    new Set((await readProbeRules(clients, vm, PROBE_SOURCES, allPorts, signal)).map(ruleSignature));

  /** Runs one step; a failure is recorded and, without --keep-going, stops the sequence. */
  const step = async (name: string, fn: () => Promise<string>): Promise<void> => {
    if (stopped) return;
    try {
      steps.push({ step: name, ok: true, detail: await fn() });
    } catch (e) {
      const err = toJitError(e);
      steps.push({ step: name, ok: false, detail: err.message, kind: err.kind });
      log.warning(`Step '${name}' failed: ${err.message}`);
      if (!options.keepGoing || err.kind === 'cancelled') stopped = true;
    }
  };

  /** Initiate, wait for its rules, read the stored request back. */
  const request = async (
    req: ProbeRequest,
  ): Promise<{ sent: Initiated; wait: WaitResult; history: RawRequest[] }> => {
    const before = await snapshot();
    log.info(
      `Requesting ${req.label}: port${req.ports.length > 1 ? 's' : ''} ${req.ports.join(',')} from ${req.source}.`,
    );
    const sent = await initiate(clients, vm, policy, req, plan);
    initiated.push(sent);
    log.info(`202 Accepted; waiting for the allow rule(s) to be Succeeded in every NSG on the VM's path.`);
    const wait = await waitForRules(
      clients,
      vm,
      req,
      PROBE_SOURCES,
      allPorts,
      before,
      sent.acceptedAt,
      options.waitTimeoutMs,
      log,
      signal,
    ).catch((e: unknown) => {
      // Cancelled or failed while waiting: its rule may still come.
      notLive.push(sent);
      throw e;
    });
    samples.push(...wait.samplesMs);
    seen.push(...wait.rules);
    const history = await readHistory(clients, policy, signal);
    const stored = storedFor(history, vm, sent);
    echo.push(echoObservation(vm, sent, stored));
    if (sent.rawBody?.startTimeUtc !== undefined) {
      startTimes.push({
        returned: sent.rawBody.startTimeUtc,
        ...(stored?.startTimeUtc !== undefined ? { stored: stored.startTimeUtc } : {}),
      });
    }
    if (!wait.complete) {
      notLive.push(sent);
      throw new TimeoutError(
        `The allow rule of ${req.label} was not live after ${Math.round(options.waitTimeoutMs / 1000)} s; missing: ${wait.missing.join(', ')}.`,
        'Raise --wait-timeout if the NSG update is just slow; the time the probe measured is in the report.',
      );
    }
    log.info(
      `${req.label}: live after ${Math.max(...wait.samplesMs, 0)} ms (${wait.rules.map((r) => `${r.nsgName}/${r.name}`).join(', ')}).`,
    );
    return { sent, wait, history };
  };

  await step('outside-policy', async () => {
    const req: ProbeRequest = {
      label: 'a request outside the policy',
      ports: [plan.outsidePort],
      source: SOURCE_IP,
    };
    try {
      await initiate(clients, vm, policy, req, plan);
      outsidePolicy = { port: plan.outsidePort, accepted: true };
      log.warning(`Azure ACCEPTED a request for port ${plan.outsidePort}, which the policy does not list.`);
      return `port ${plan.outsidePort} (not in the policy) was accepted`;
    } catch (e) {
      if (
        !(e instanceof AzureApiError) ||
        e.status === undefined ||
        e.status >= 500 ||
        e.status === 401 ||
        e.status === 403
      )
        throw e;
      outsidePolicy = {
        port: plan.outsidePort,
        accepted: false,
        status: e.status,
        code: e.code,
        message: e.azureMessage,
      };
      return `port ${plan.outsidePort} (not in the policy): HTTP ${e.status} ${e.code}`;
    }
  });

  await step('two-ports', async () => {
    const r = await request({ label: 'request 1 (two ports)', ports: [p1, p2], source: SOURCE_IP });
    step1 = r.wait;
    return `rules: ${r.wait.rules.map((x) => `${x.nsgName}/${x.name} [${x.ports.join(',')}]`).join(', ')}`;
  });

  await step('same-port-other-source', async () => {
    const first = initiated.find((i) => i.request.source === SOURCE_IP && i.request.ports.length === 2);
    let newerLive = false;
    try {
      const r = await request({
        label: 'request 2 (same VM and port, other source)',
        ports: [p1],
        source: SOURCE_OTHER,
      });
      newerLive = r.wait.complete;
    } finally {
      supersede = await observeSupersede(first, newerLive);
    }
    return supersede.evidence;
  });

  await step('ip-vs-32', async () => {
    const r = await request({ label: 'request 3 (the IP as /32)', ports: [p2], source: SOURCE_IP_32 });
    step3 = r.wait;
    return `rules: ${r.wait.rules.map((x) => `${x.nsgName}/${x.name}`).join(', ')}`;
  });

  async function observeSupersede(first: Initiated | undefined, newerLive: boolean): Promise<Finding> {
    if (!first || !step1?.complete)
      return { value: 'undetermined', evidence: 'request 1 had no live rule to supersede' };
    const olderKeys = new Set(step1.rules.filter((r) => r.ports.includes(p1)).map(ruleKey));
    const graceUntil = Date.now() + Math.min(REPLACE_GRACE_MS, options.waitTimeoutMs);
    for (;;) {
      const history = await readHistory(clients, policy, signal);
      const entry = portEntry(storedFor(history, vm, first), vm, p1);
      const rules = await readProbeRules(clients, vm, PROBE_SOURCES, allPorts, signal);
      const stays = rules.some((r) => olderKeys.has(ruleKey(r)) && r.ports.includes(p1));
      const status = typeof entry?.status === 'string' ? entry.status : undefined;
      // Revoked but the rule still there: give the backend a moment to remove it.
      if (newerLive && status?.toLowerCase() === 'revoked' && stays && Date.now() < graceUntil) {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      return classifySupersede({
        ...(status !== undefined ? { olderStatus: status } : {}),
        ...(typeof entry?.statusReason === 'string' ? { olderReason: entry.statusReason } : {}),
        olderRuleStays: stays,
        newerLive,
      });
    }
  }

  // Always close what was opened, even after a failure or Ctrl-C (own deadline, not the run's signal).
  const cleanup = await closeAll(clients, vm, allPorts, log, initiated.length > 0).catch(
    (e: unknown): Cleanup => {
      const message = toJitError(e).message;
      log.warning(`Closing failed: ${message}`);
      return {
        deleted: [],
        failed: [{ rule: '(closing)', code: message }],
        remaining: ['unknown: the NSGs could not be read back'],
        complete: false,
        nsgWrites: { concurrentPair: false, conflicts: 0 },
      };
    },
  );
  const pending = notLive.map(
    (i) =>
      `${i.request.label}: no rule seen; if JIT still writes one it stays until ${formatUtc(new Date(i.endMs))}`,
  );
  for (const p of pending) log.warning(p);
  const closed = cleanup.complete && pending.length === 0;
  steps.push({
    step: 'close',
    ok: closed,
    detail: closed
      ? `deleted ${cleanup.deleted.length} rule(s); none of the probe's rules remain`
      : [
          `deleted ${cleanup.deleted.length} rule(s)`,
          cleanup.remaining.length > 0 ? `still there: ${cleanup.remaining.join(', ')}` : '',
          cleanup.failed.length > 0
            ? `failed: ${cleanup.failed.map((f) => `${f.rule} ${f.status ?? ''} ${f.code}`).join(', ')}`
            : '',
          pending.length > 0 ? `not seen: ${pending.join('; ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
  });

  const ipRules = step1?.rules ?? [];
  const switches: Record<SwitchName, Finding> = {
    supersede,
    'rule-layout': classifyLayout(ipRules, plan.ports, vm.nsgs.length),
    'source-form': classifySourceForm(ipRules, SOURCE_IP, step3?.rules ?? [], SOURCE_IP_32),
    echo: classifyEcho(echo),
    'start-time': classifyStartTime(startTimes),
    'nsg-writes': classifyNsgWrites(cleanup.nsgWrites),
  };
  const delay = stats(samples);
  const ok = steps.every((s) => s.ok);
  return {
    vm: { name: vm.name, id: vm.id, nsgs: vm.nsgs.map((n) => n.id) },
    policy: { name: policy.name, resourceGroup: policy.resourceGroup, location: policy.location },
    ports: plan.ports,
    sources: PROBE_SOURCES,
    switches,
    ...(delay ? { ruleDelay: { ...delay, resolutionMs: RESOLUTION_MS } } : {}),
    allowRule: {
      priorities: [...new Set(seen.map((r) => r.priority).filter((p): p is number => p !== undefined))].sort(
        (a, b) => a - b,
      ),
      descriptions: [...new Set(seen.map((r) => r.description).filter((d): d is string => d !== undefined))],
    },
    ...(outsidePolicy ? { outsidePolicy } : {}),
    steps,
    cleanup: {
      deleted: cleanup.deleted,
      failed: cleanup.failed,
      remaining: cleanup.remaining,
      pending,
      complete: closed,
    },
    emulator: emulatorFlags(switches, delay),
    ok,
  };
}
