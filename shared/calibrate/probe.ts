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
  classifyHistory,
  classifyLayout,
  classifyNsgWrites,
  classifySourceForm,
  classifyStartTime,
  classifySupersede,
  emulatorFlags,
  stats,
  type EchoObservation,
  type Finding,
  type HistoryObservation,
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
  log.info(
    `Test VM ${vm.name}: JIT policy '${policy.name}' (${policy.resourceGroup}, ${policy.location}); NSGs ${vm.nsgs
      .map((n) => requireResourceId(n.id, 'network security group').name)
      .join(
        ', ',
      )}. Probe sources: ${PROBE_SOURCES.join(', ')}; requests end after ${plan.durationMinutes} minutes.`,
  );
  await refuseIfBusy(clients, vm, plan, signal);
  const probe = new Probe(clients, options, vm, policy, plan);
  await probe.runSteps();
  // Always close what was opened, even after a failure or Ctrl-C (own deadline, not the run's signal).
  const cleanup = await closeAll(clients, vm, probe.allPorts, log, probe.initiated.length > 0).catch(
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
  return probe.report(cleanup);
}

/** One calibration's sequence of steps and what they observed. */
class Probe {
  readonly allPorts: readonly number[];
  readonly initiated: Initiated[] = [];
  private readonly steps: StepResult[] = [];
  private readonly samples: number[] = [];
  private readonly notLive: Initiated[] = [];
  private readonly echo: EchoObservation[] = [];
  private readonly startTimes: StartTimeObservation[] = [];
  private history: HistoryObservation | undefined;
  private readonly seen: ProbeRule[] = [];
  private stopped = false;
  private outsidePolicy: CalibrationReport['outsidePolicy'];
  private step1: WaitResult | undefined;
  private step3: WaitResult | undefined;
  private supersede: Finding = { value: 'undetermined', evidence: 'step 2 did not run' };

  constructor(
    private readonly clients: AzureClients,
    private readonly options: CalibrateOptions,
    private readonly vm: VmTopology,
    private readonly policy: Policy,
    private readonly plan: ProbePlan,
  ) {
    this.allPorts = [...plan.ports, plan.outsidePort];
  }

  async runSteps(): Promise<void> {
    const [p1, p2] = this.plan.ports;
    await this.step('outside-policy', () => this.outsidePolicyStep());
    await this.step('two-ports', async () => {
      const r = await this.request({ label: 'request 1 (two ports)', ports: [p1, p2], source: SOURCE_IP });
      this.step1 = r.wait;
      return `rules: ${r.wait.rules.map((x) => `${x.nsgName}/${x.name} [${x.ports.join(',')}]`).join(', ')}`;
    });
    await this.step('same-port-other-source', () => this.otherSourceStep());
    await this.step('ip-vs-32', async () => {
      const r = await this.request({ label: 'request 3 (the IP as /32)', ports: [p2], source: SOURCE_IP_32 });
      this.step3 = r.wait;
      return `rules: ${r.wait.rules.map((x) => `${x.nsgName}/${x.name}`).join(', ')}`;
    });
  }

  /** Runs one step; a failure is recorded and, without --keep-going, stops the sequence. */
  private async step(name: string, fn: () => Promise<string>): Promise<void> {
    if (this.stopped) return;
    try {
      this.steps.push({ step: name, ok: true, detail: await fn() });
    } catch (e) {
      const err = toJitError(e);
      this.steps.push({ step: name, ok: false, detail: err.message, kind: err.kind });
      this.options.log.warning(`Step '${name}' failed: ${err.message}`);
      if (!this.options.keepGoing || err.kind === 'cancelled') this.stopped = true;
    }
  }

  private async snapshot(): Promise<Set<string>> {
    const rules = await readProbeRules(
      this.clients,
      this.vm,
      PROBE_SOURCES,
      this.allPorts,
      this.options.signal,
    );
    return new Set(rules.map(ruleSignature));
  }

  /** Initiate, wait for its rules, read the stored request back. */
  private async request(req: ProbeRequest): Promise<{ sent: Initiated; wait: WaitResult }> {
    const { clients, vm, options } = this;
    const { log, signal } = options;
    const before = await this.snapshot();
    log.info(
      `Requesting ${req.label}: port${req.ports.length > 1 ? 's' : ''} ${req.ports.join(',')} from ${req.source}.`,
    );
    const sent = await initiate(clients, vm, this.policy, req, this.plan);
    this.initiated.push(sent);
    log.info(`202 Accepted; waiting for the allow rule(s) to be Succeeded in every NSG on the VM's path.`);
    const wait = await waitForRules(
      clients,
      vm,
      req,
      PROBE_SOURCES,
      this.allPorts,
      before,
      sent.acceptedAt,
      options.waitTimeoutMs,
      log,
      signal,
    ).catch((e: unknown) => {
      // Cancelled or failed while waiting: its rule may still come.
      this.notLive.push(sent);
      throw e;
    });
    this.samples.push(...wait.samplesMs);
    this.seen.push(...wait.rules);
    await this.readBack(sent);
    if (!wait.complete) {
      this.notLive.push(sent);
      throw new TimeoutError(
        `The allow rule of ${req.label} was not live after ${Math.round(options.waitTimeoutMs / 1000)} s; missing: ${wait.missing.join(', ')}.`,
        'Raise --wait-timeout if the NSG update is just slow; the time the probe measured is in the report.',
      );
    }
    log.info(
      `${req.label}: live after ${Math.max(...wait.samplesMs, 0)} ms (${wait.rules.map((r) => `${r.nsgName}/${r.name}`).join(', ')}).`,
    );
    return { sent, wait };
  }

  /** What the policy's history stored for a request: the echo and the start time. */
  private async readBack(sent: Initiated): Promise<void> {
    const history = await readHistory(this.clients, this.policy, this.options.signal);
    const stored = storedFor(history, this.vm, sent);
    this.echo.push(echoObservation(this.vm, sent, stored));
    this.history = { listed: this.initiated.map((i) => storedFor(history, this.vm, i) !== undefined) };
    if (sent.rawBody?.startTimeUtc !== undefined) {
      this.startTimes.push({
        returned: sent.rawBody.startTimeUtc,
        ...(stored?.startTimeUtc !== undefined ? { stored: stored.startTimeUtc } : {}),
      });
    }
  }

  private async outsidePolicyStep(): Promise<string> {
    const { outsidePort } = this.plan;
    const req: ProbeRequest = {
      label: 'a request outside the policy',
      ports: [outsidePort],
      source: SOURCE_IP,
    };
    try {
      await initiate(this.clients, this.vm, this.policy, req, this.plan);
      this.outsidePolicy = { port: outsidePort, accepted: true };
      this.options.log.warning(
        `Azure ACCEPTED a request for port ${outsidePort}, which the policy does not list.`,
      );
      return `port ${outsidePort} (not in the policy) was accepted`;
    } catch (e) {
      if (
        !(e instanceof AzureApiError) ||
        e.status === undefined ||
        e.status >= 500 ||
        e.status === 401 ||
        e.status === 403
      )
        throw e;
      this.outsidePolicy = {
        port: outsidePort,
        accepted: false,
        status: e.status,
        code: e.code,
        message: e.azureMessage,
      };
      return `port ${outsidePort} (not in the policy): HTTP ${e.status} ${e.code}`;
    }
  }

  private async otherSourceStep(): Promise<string> {
    const [p1] = this.plan.ports;
    const first = this.initiated.find((i) => i.request.source === SOURCE_IP && i.request.ports.length === 2);
    let newerLive = false;
    try {
      const r = await this.request({
        label: 'request 2 (same VM and port, other source)',
        ports: [p1],
        source: SOURCE_OTHER,
      });
      newerLive = r.wait.complete;
    } finally {
      this.supersede = await this.observeSupersede(first, newerLive);
    }
    return this.supersede.evidence;
  }

  private async observeSupersede(first: Initiated | undefined, newerLive: boolean): Promise<Finding> {
    const { clients, vm, policy, step1 } = this;
    const { signal } = this.options;
    const [p1] = this.plan.ports;
    if (!first || !step1?.complete)
      return { value: 'undetermined', evidence: 'request 1 had no live rule to supersede' };
    const olderKeys = new Set(step1.rules.filter((r) => r.ports.includes(p1)).map(ruleKey));
    const graceUntil = Date.now() + Math.min(REPLACE_GRACE_MS, this.options.waitTimeoutMs);
    for (;;) {
      const history = await readHistory(clients, policy, signal);
      const entry = portEntry(storedFor(history, vm, first), vm, p1);
      const rules = await readProbeRules(clients, vm, PROBE_SOURCES, this.allPorts, signal);
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

  /** The close step: what was deleted, what remains, and requests whose rule never showed up. */
  private closeStep(cleanup: Cleanup): { closed: boolean; pending: string[] } {
    const pending = this.notLive.map(
      (i) =>
        `${i.request.label}: no rule seen; if JIT still writes one it stays until ${formatUtc(new Date(i.endMs))}`,
    );
    for (const p of pending) this.options.log.warning(p);
    const closed = cleanup.complete && pending.length === 0;
    this.steps.push({
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
    return { closed, pending };
  }

  report(cleanup: Cleanup): CalibrationReport {
    const { vm, policy, plan } = this;
    const { closed, pending } = this.closeStep(cleanup);
    const ipRules = this.step1?.rules ?? [];
    const switches: Record<SwitchName, Finding> = {
      supersede: this.supersede,
      'rule-layout': classifyLayout(ipRules, plan.ports, vm.nsgs.length),
      'source-form': classifySourceForm(ipRules, SOURCE_IP, this.step3?.rules ?? [], SOURCE_IP_32),
      echo: classifyEcho(this.echo),
      'start-time': classifyStartTime(this.startTimes),
      'nsg-writes': classifyNsgWrites(cleanup.nsgWrites),
      history: classifyHistory(this.history),
    };
    const delay = stats(this.samples);
    return {
      vm: { name: vm.name, id: vm.id, nsgs: vm.nsgs.map((n) => n.id) },
      policy: { name: policy.name, resourceGroup: policy.resourceGroup, location: policy.location },
      ports: plan.ports,
      sources: PROBE_SOURCES,
      switches,
      ...(delay ? { ruleDelay: { ...delay, resolutionMs: RESOLUTION_MS } } : {}),
      allowRule: this.allowRule(),
      ...(this.outsidePolicy ? { outsidePolicy: this.outsidePolicy } : {}),
      steps: this.steps,
      cleanup: {
        deleted: cleanup.deleted,
        failed: cleanup.failed,
        remaining: cleanup.remaining,
        pending,
        complete: closed,
      },
      emulator: emulatorFlags(switches, delay),
      ok: this.steps.every((s) => s.ok),
    };
  }

  private allowRule(): CalibrationReport['allowRule'] {
    return {
      priorities: [
        ...new Set(this.seen.map((r) => r.priority).filter((p): p is number => p !== undefined)),
      ].sort((a, b) => a - b),
      descriptions: [
        ...new Set(this.seen.map((r) => r.description).filter((d): d is string => d !== undefined)),
      ],
    };
  }
}
