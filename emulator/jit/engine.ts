/**
 * The JIT engine: what Defender for Cloud does behind the Security RP.
 *
 * - initiate: validates the request is a subset of the policy, answers with status
 *   `Initiating`, stores it as `Initiated`, and after the configured delay writes the
 *   allow rule(s) in every NSG on the VM's path (NIC and subnet), `Updating` first, then
 *   `Succeeded`. At endTimeUtc (virtual clock) the rule goes and the port becomes
 *   `Revoked`/`Expired`. A policy + VM name pair over 56 characters gets no allow rule at
 *   all (its description would pass the Network RP's 140 characters), as in Azure.
 * - What Azure leaves unknown is played per `EmulatorBehaviour` (emulator/behaviour.ts):
 *   supersession (replace/coexist), rule layout (per-port/combined), how the source is
 *   written (verbatim/cidr/prefixes), what the 202 echoes, the stored startTimeUtc, and
 *   whether NSG writes are serialised.
 * - Policy PUT/scenario load: one deny rule per VM and NSG, ports combined.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorBehaviour } from '../behaviour';
import type { Clock } from '../clock';
import { badRequest, notSubsetOfPolicy } from '../arm/errors';
import {
  key,
  nsgsOnPath,
  type ArmState,
  type JitPolicyState,
  type JitPolicyVm,
  type JitRequest,
  type JitRequestPort,
  type NsgState,
  type StoredJitRequest,
  type VmState,
} from '../arm/state';
import { allowRuleDescription, allowRuleName, denyRuleDescription, denyRuleName } from './names';
import { isIP } from 'node:net';
import {
  SERIALIZED_MIN_HOLD_MS,
  freeAllowPriority,
  freeDenyPriority,
  holdNsg,
  jitRule,
  nsgBusy,
  ruleInt,
  setDestinationPorts,
  touch,
} from './rules';
import { durationMs, normalizeUtc, parseUtc, serverTimeUtc } from './time';

export interface InitiateBody {
  virtualMachines: {
    id: string;
    ports: { number: number; allowedSourceAddressPrefix?: string; endTimeUtc: string }[];
  }[];
  justification?: string;
}

export interface JitEngine {
  setRuleDelay(ms: number, jitterMs?: number): void;
  /** From now on, JIT writes no allow rule in this NSG (a write that never lands there). */
  withholdAllowRules(nsgName: string): void;
  initiate(principal: string, policy: JitPolicyState, body: InitiateBody): JitRequest;
  /** Replaces a policy's VMs (PUT or control.updatePolicy) and re-writes its deny rules. */
  setVirtualMachines(policy: JitPolicyState, vms: JitPolicyVm[]): void;
  /** Removes every rule the policy owns (policy DELETE). */
  removePolicyRules(policy: JitPolicyState): void;
  applyDenyRules(policy: JitPolicyState): void;
}

export interface JitEngineOptions {
  state: ArmState;
  clock: Clock;
  ruleDelayMs: number;
  ruleDelayJitterMs: number;
  behaviour: Readonly<EmulatorBehaviour>;
  egressIpFor(principal: string): string;
}

const MAX_DURATION_MS = 24 * 3600_000;
/** The Network RP's limit on a rule description; the allow rule's fixed text is 84 characters. */
const MAX_DESCRIPTION = 140;

type SecurityRule = NsgState['rules'][number];

/** `a.b.c.d` -> `a.b.c.d/32` (IPv6: /128); prefixes, `*` and service tags stay as they are. */
function asCidr(source: string): string {
  const family = isIP(source);
  return family === 4 ? `${source}/32` : family === 6 ? `${source}/128` : source;
}

export function createJitEngine(opts: JitEngineOptions): JitEngine {
  const { state, clock, behaviour } = opts;
  let delayMs = opts.ruleDelayMs;
  let jitterMs = opts.ruleDelayJitterMs;
  const withheld = new Set<string>();

  const nextDelay = (): number => delayMs + (jitterMs > 0 ? Math.floor(Math.random() * (jitterMs + 1)) : 0);
  // How long a fresh rule shows `Updating` before `Succeeded`: a quarter of the delay, at most 2 s.
  const settleMs = (): number => Math.min(2000, Math.round(delayMs / 4));
  const serialized = behaviour.nsgWrites === 'serialized';

  /**
   * Runs one of JIT's own writes on an NSG. Under serialized NSG writes the backend waits
   * for a write in flight (it retries internally, as any Network RP client must), then
   * holds the NSG itself while its write settles.
   */
  function writeOn(nsg: NsgState, write: () => void): void {
    if (serialized && nsgBusy(nsg, clock.nowMs())) {
      clock.schedule(nsg.busy?.until ?? clock.nowMs(), () => writeOn(nsg, write));
      return;
    }
    write();
    if (serialized) holdNsg(state, nsg, clock.nowMs() + Math.max(SERIALIZED_MIN_HOLD_MS, settleMs()));
  }

  function removeRules(predicate: (r: SecurityRule) => boolean, nsgs: Iterable<NsgState>): void {
    for (const nsg of nsgs) {
      const before = nsg.rules.length;
      nsg.rules = nsg.rules.filter((r) => !predicate(r));
      if (nsg.rules.length !== before) touch(nsg);
    }
  }

  /**
   * Takes `port` out of the allow rules in `nsg` that match; a rule left without ports goes.
   * With one rule per port that removes the rule; a combined rule keeps its other ports.
   */
  function dropAllowPort(
    nsg: NsgState,
    vmId: string,
    port: number,
    match: (origin: { requestSeq: number }) => boolean,
  ): void {
    let changed = false;
    nsg.rules = nsg.rules.filter((r) => {
      if (r.jit?.kind !== 'allow' || key(r.jit.vmId) !== key(vmId) || !match(r.jit)) return true;
      if (!r.jit.ports.includes(port)) return true;
      changed = true;
      r.jit.ports = r.jit.ports.filter((p) => p !== port);
      if (r.jit.ports.length === 0) return false;
      setDestinationPorts(r.properties, r.jit.ports);
      return true;
    });
    if (changed) touch(nsg);
  }

  function ruleSource(source: string): { sourceAddressPrefix: string } | { sourceAddressPrefixes: string[] } {
    // `*` (any source) is not a prefix: it stays in the singular field under every form.
    if (source === '*') return { sourceAddressPrefix: source };
    switch (behaviour.sourceForm) {
      case 'cidr':
        return { sourceAddressPrefix: asCidr(source) };
      case 'prefixes':
        return { sourceAddressPrefixes: [source] };
      default:
        return { sourceAddressPrefix: source };
    }
  }

  function validate(principal: string, policy: JitPolicyState, body: InitiateBody): void {
    const now = clock.nowMs();
    for (const vmReq of body.virtualMachines) {
      const vm = policy.virtualMachines.find((v) => key(v.id) === key(vmReq.id));
      if (!vm) throw notSubsetOfPolicy(policy.id);
      for (const portReq of vmReq.ports) {
        const rule = vm.ports.find((p) => p.number === portReq.number);
        if (!rule) throw notSubsetOfPolicy(policy.id);
        const end = parseUtc(portReq.endTimeUtc);
        if (end === undefined) {
          throw badRequest(
            'InvalidRequestContent',
            `The endTimeUtc '${portReq.endTimeUtc}' is not a valid date-time.`,
          );
        }
        // Not captured from Azure (reference §7): our documented 400 for a window already over.
        if (end <= now) {
          throw badRequest(
            'BadRequest',
            `The end time of the access request '${portReq.endTimeUtc}' must be in the future.`,
          );
        }
        const max = Math.min(durationMs(rule.maxRequestAccessDuration) ?? MAX_DURATION_MS, MAX_DURATION_MS);
        if (end - now > max) throw notSubsetOfPolicy(policy.id);
        const source = portReq.allowedSourceAddressPrefix ?? opts.egressIpFor(principal);
        const allowed = rule.allowedSourceAddressPrefixes ?? [rule.allowedSourceAddressPrefix ?? '*'];
        // Verbatim, not CIDR containment (MicrosoftDocs/azure-docs#53026).
        if (!allowed.includes('*') && !allowed.includes(source)) throw notSubsetOfPolicy(policy.id);
      }
    }
  }

  /** Writes this request's allow rule(s) for one VM in one NSG on its path. */
  function writeAllowRules(
    policy: JitPolicyState,
    stored: StoredJitRequest,
    vm: VmState,
    policyVm: JitPolicyVm,
    vmReq: { ports: JitRequestPort[] },
    nsg: NsgState,
    privateIp: string,
  ): void {
    // Superseded or expired before the delay (or a busy NSG) let the write through.
    const live = vmReq.ports.filter((p) => p.status === 'Initiated');
    if (live.length === 0) return;
    if (behaviour.supersede === 'replace') {
      // The newer rule replaces the ports of any superseded request for this VM.
      for (const port of live) dropAllowPort(nsg, vm.id, port.number, (o) => o.requestSeq !== stored.seq);
    }
    const protocolOf = (port: JitRequestPort): string =>
      policyVm.ports.find((p) => p.number === port.number)?.protocol ?? '*';
    const sourceOf = (port: JitRequestPort): string => port.allowedSourceAddressPrefix ?? '*';
    // combined: one rule for the request's ports (those sharing protocol and source, which
    // a single NSG rule must); per-port: one rule each.
    const groups = new Map<string, JitRequestPort[]>();
    live.forEach((port, i) => {
      const k = behaviour.ruleLayout === 'combined' ? `${protocolOf(port)}|${sourceOf(port)}` : String(i);
      groups.set(k, [...(groups.get(k) ?? []), port]);
    });
    for (const ports of groups.values()) {
      const first = ports[0] as JitRequestPort;
      const rule = jitRule({
        name: allowRuleName(ruleInt(vm.id, privateIp)),
        description: allowRuleDescription(policy.name, vm.name),
        access: 'Allow',
        protocol: protocolOf(first),
        source: ruleSource(sourceOf(first)),
        destinationAddressPrefix: privateIp,
        ports: ports.map((p) => p.number),
        priority: freeAllowPriority(nsg),
        origin: {
          kind: 'allow',
          policyId: policy.id,
          vmId: vm.id,
          ports: ports.map((p) => p.number),
          requestSeq: stored.seq,
        },
        provisioningState: 'Updating',
      });
      nsg.rules.push(rule);
      touch(nsg);
      clock.schedule(clock.nowMs() + settleMs(), () => {
        if (rule.provisioningState === 'Updating') {
          rule.provisioningState = 'Succeeded';
          touch(nsg);
        }
      });
    }
  }

  function createAllowRules(policy: JitPolicyState, stored: StoredJitRequest): void {
    for (const vmReq of stored.request.virtualMachines) {
      const vm = state.vms.get(key(vmReq.id));
      const policyVm = policy.virtualMachines.find((v) => key(v.id) === key(vmReq.id));
      if (!vm || !policyVm) continue;
      // The request is accepted and stored, but the Network RP refuses a description over 140
      // characters, so the allow rule never appears (MicrosoftDocs/azure-docs#112218).
      if (allowRuleDescription(policy.name, vm.name).length > MAX_DESCRIPTION) continue;
      for (const { nsg, privateIp } of nsgsOnPath(state, vm)) {
        if (withheld.has(key(nsg.name))) continue;
        writeOn(nsg, () => writeAllowRules(policy, stored, vm, policyVm, vmReq, nsg, privateIp));
      }
    }
  }

  function expire(stored: StoredJitRequest, vmId: string, port: JitRequestPort): void {
    if (port.status === 'Initiated') {
      port.status = 'Revoked';
      port.statusReason = 'Expired';
    }
    // Whatever the entry says (a superseded one whose newer rule never came, say), nothing of
    // this request outlives its end time.
    for (const nsg of state.nsgs.values()) {
      const holds = (r: SecurityRule): boolean =>
        r.jit?.kind === 'allow' &&
        r.jit.requestSeq === stored.seq &&
        key(r.jit.vmId) === key(vmId) &&
        r.jit.ports.includes(port.number);
      if (!nsg.rules.some(holds)) continue;
      writeOn(nsg, () => dropAllowPort(nsg, vmId, port.number, (o) => o.requestSeq === stored.seq));
    }
  }

  function applyDenyRules(policy: JitPolicyState): void {
    // The cleaner: drop this policy's deny rules, then write one per VM and NSG.
    removeRules((r) => r.jit?.kind === 'deny' && key(r.jit.policyId) === key(policy.id), state.nsgs.values());
    for (const pvm of policy.virtualMachines) {
      const vm = state.vms.get(key(pvm.id));
      if (!vm) continue;
      const hex = randomBytes(16).toString('hex').toUpperCase(); // shared by the VM's deny rules (observed)
      for (const { nsg, privateIp } of nsgsOnPath(state, vm)) {
        nsg.rules.push(
          jitRule({
            name: denyRuleName(ruleInt(vm.id, privateIp), hex),
            description: denyRuleDescription(policy.name, vm.name),
            access: 'Deny',
            protocol: '*',
            source: { sourceAddressPrefix: '*' },
            destinationAddressPrefix: privateIp,
            ports: pvm.ports.map((p) => p.number),
            priority: freeDenyPriority(nsg),
            origin: { kind: 'deny', policyId: policy.id, vmId: vm.id },
            provisioningState: 'Succeeded',
          }),
        );
        touch(nsg);
      }
    }
  }

  /** What the 202 says: everything stored, or (echo: minimal) without mappedPort and inferred sources. */
  function echoed(request: JitRequest, body: InitiateBody): JitRequest {
    if (behaviour.echo === 'full') return request;
    return {
      ...request,
      virtualMachines: request.virtualMachines.map((v, i) => ({
        id: v.id,
        ports: v.ports.map((p, j) => {
          const { mappedPort: _mapped, allowedSourceAddressPrefix, ...rest } = p;
          const sent = body.virtualMachines[i]?.ports[j]?.allowedSourceAddressPrefix;
          return sent !== undefined && allowedSourceAddressPrefix !== undefined
            ? { ...rest, allowedSourceAddressPrefix }
            : rest;
        }),
      })),
    };
  }

  return {
    withholdAllowRules(nsgName: string): void {
      withheld.add(key(nsgName));
    },

    setRuleDelay(ms: number, jitter = 0): void {
      if (!(ms >= 0) || !(jitter >= 0))
        throw new Error(`setRuleDelay: ms and jitterMs must be >= 0 (got ${ms}, ${jitter})`);
      delayMs = ms;
      jitterMs = jitter;
    },

    initiate(principal: string, policy: JitPolicyState, body: InitiateBody): JitRequest {
      validate(principal, policy, body);
      const now = clock.now();
      const seq = ++state.requestSeq;
      const portsFor = (vmId: string, status: string): JitRequestPort[] =>
        (body.virtualMachines.find((v) => v.id === vmId)?.ports ?? []).map((p) => {
          const mapped = policy.mappedPorts[key(vmId)]?.[String(p.number)];
          return {
            number: p.number,
            allowedSourceAddressPrefix: p.allowedSourceAddressPrefix ?? opts.egressIpFor(principal),
            endTimeUtc: normalizeUtc(p.endTimeUtc) ?? p.endTimeUtc,
            status,
            statusReason: 'UserRequested',
            ...(mapped !== undefined ? { mappedPort: mapped } : {}),
          };
        });
      const startTimeUtc = serverTimeUtc(now);
      const make = (status: string, start: string): JitRequest => ({
        virtualMachines: body.virtualMachines.map((v) => ({ id: v.id, ports: portsFor(v.id, status) })),
        startTimeUtc: start,
        // Service principals show up as "" in every real recording.
        requestor: '',
        ...(body.justification !== undefined ? { justification: body.justification } : {}),
      });

      // replace: supersede older live entries for the same VM and port, in any policy.
      // coexist: they stay Initiated (and keep their rules) until their own end time.
      if (behaviour.supersede === 'replace') {
        for (const vmReq of body.virtualMachines) {
          for (const p of state.policies.values()) {
            for (const older of p.requests) {
              for (const ovm of older.request.virtualMachines) {
                if (key(ovm.id) !== key(vmReq.id)) continue;
                for (const op of ovm.ports) {
                  if (op.status === 'Initiated' && vmReq.ports.some((np) => np.number === op.number)) {
                    op.status = 'Revoked';
                    op.statusReason = 'NewerRequestInitiated';
                  }
                }
              }
            }
          }
        }
      }

      // rounded: the history keeps whole seconds while the 202 shows the 7-digit server time.
      const storedStart =
        behaviour.startTime === 'rounded' ? `${now.toISOString().slice(0, 19)}Z` : startTimeUtc;
      const stored: StoredJitRequest = { seq, principal, request: make('Initiated', storedStart) };
      policy.requests.push(stored);
      for (const vmReq of stored.request.virtualMachines) {
        for (const port of vmReq.ports) {
          const end = parseUtc(port.endTimeUtc) ?? now.getTime();
          clock.schedule(end, () => expire(stored, vmReq.id, port));
        }
      }
      const response = echoed(make('Initiating', startTimeUtc), body);
      clock.schedule(now.getTime() + nextDelay(), () => createAllowRules(policy, stored));
      return response;
    },

    setVirtualMachines(policy: JitPolicyState, vms: JitPolicyVm[]): void {
      // The whole list is replaced (there is no PATCH). A policy + VM name over 56 characters is
      // accepted, as Azure does; only the allow rule fails later (see createAllowRules).
      policy.virtualMachines = vms;
      applyDenyRules(policy);
    },

    removePolicyRules(policy: JitPolicyState): void {
      removeRules((r) => r.jit !== undefined && key(r.jit.policyId) === key(policy.id), state.nsgs.values());
      for (const s of policy.requests)
        for (const v of s.request.virtualMachines)
          for (const p of v.ports)
            if (p.status === 'Initiated') {
              p.status = 'Revoked';
              p.statusReason = 'UserRequested';
            }
    },

    applyDenyRules,
  };
}
