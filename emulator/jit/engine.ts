/**
 * The JIT engine: what Defender for Cloud does behind the Security RP.
 *
 * - initiate: validates the request is a subset of the policy, answers with status
 *   `Initiating`, stores it as `Initiated`, and after the configured delay writes an
 *   allow rule in every NSG on the VM's path (NIC and subnet), `Updating` first, then
 *   `Succeeded`. At endTimeUtc (virtual clock) the rule goes and the port becomes
 *   `Revoked`/`Expired`.
 * - Supersession (OUR ASSUMPTION: Azure documents only the enum value): a newer
 *   request for the same VM and port turns the older port entry into
 *   `Revoked`/`NewerRequestInitiated`, and the newer allow rule replaces the older one.
 * - Policy PUT/scenario load: one deny rule per VM and NSG, ports combined.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { ArmError, badRequest, notSubsetOfPolicy } from '../arm/errors';
import {
  key,
  nameOf,
  nsgsOnPath,
  type ArmState,
  type JitPolicyState,
  type JitPolicyVm,
  type JitRequest,
  type JitRequestPort,
  type NsgState,
  type StoredJitRequest,
} from '../arm/state';
import { allowRuleDescription, allowRuleName, denyRuleDescription, denyRuleName } from './names';
import { freeAllowPriority, freeDenyPriority, jitRule, ruleInt, touch } from './rules';
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
  egressIpFor(principal: string): string;
}

const MAX_DURATION_MS = 24 * 3600_000;

export function createJitEngine(opts: JitEngineOptions): JitEngine {
  const { state, clock } = opts;
  let delayMs = opts.ruleDelayMs;
  let jitterMs = opts.ruleDelayJitterMs;

  const nextDelay = (): number => delayMs + (jitterMs > 0 ? Math.floor(Math.random() * (jitterMs + 1)) : 0);
  // How long a fresh rule shows `Updating` before `Succeeded`: a quarter of the delay, at most 2 s.
  const settleMs = (): number => Math.min(2000, Math.round(delayMs / 4));

  function removeRules(predicate: (r: NsgState['rules'][number]) => boolean, nsgs: Iterable<NsgState>): void {
    for (const nsg of nsgs) {
      const before = nsg.rules.length;
      nsg.rules = nsg.rules.filter((r) => !predicate(r));
      if (nsg.rules.length !== before) touch(nsg);
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

  function createAllowRules(policy: JitPolicyState, stored: StoredJitRequest): void {
    for (const vmReq of stored.request.virtualMachines) {
      const vm = state.vms.get(key(vmReq.id));
      const policyVm = policy.virtualMachines.find((v) => key(v.id) === key(vmReq.id));
      if (!vm || !policyVm) continue;
      const path = nsgsOnPath(state, vm);
      for (const port of vmReq.ports) {
        if (port.status !== 'Initiated') continue; // superseded or expired before the delay ran out
        const rulePort = policyVm.ports.find((p) => p.number === port.number);
        // The newer rule replaces the one of any superseded request for this VM and port.
        removeRules(
          (r) =>
            r.jit?.kind === 'allow' &&
            key(r.jit.vmId) === key(vm.id) &&
            r.jit.port === port.number &&
            r.jit.requestSeq !== stored.seq,
          path.map((p) => p.nsg),
        );
        for (const { nsg, privateIp } of path) {
          const rule = jitRule({
            name: allowRuleName(ruleInt(vm.id, privateIp)),
            description: allowRuleDescription(policy.name, vm.name),
            access: 'Allow',
            protocol: rulePort?.protocol ?? '*',
            sourceAddressPrefix: port.allowedSourceAddressPrefix ?? '*',
            destinationAddressPrefix: privateIp,
            ports: [port.number],
            priority: freeAllowPriority(nsg),
            origin: {
              kind: 'allow',
              policyId: policy.id,
              vmId: vm.id,
              port: port.number,
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
    }
  }

  function expire(stored: StoredJitRequest, vmId: string, port: JitRequestPort): void {
    if (port.status !== 'Initiated') return;
    port.status = 'Revoked';
    port.statusReason = 'Expired';
    removeRules(
      (r) =>
        r.jit?.kind === 'allow' &&
        r.jit.requestSeq === stored.seq &&
        key(r.jit.vmId) === key(vmId) &&
        r.jit.port === port.number,
      state.nsgs.values(),
    );
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
            sourceAddressPrefix: '*',
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

  return {
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
      const make = (status: string): JitRequest => ({
        virtualMachines: body.virtualMachines.map((v) => ({ id: v.id, ports: portsFor(v.id, status) })),
        startTimeUtc,
        // Service principals show up as "" in every real recording.
        requestor: '',
        ...(body.justification !== undefined ? { justification: body.justification } : {}),
      });

      // Supersede older live entries for the same VM and port, in any policy.
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

      const stored: StoredJitRequest = { seq, principal, request: make('Initiated') };
      policy.requests.push(stored);
      for (const vmReq of stored.request.virtualMachines) {
        for (const port of vmReq.ports) {
          const end = parseUtc(port.endTimeUtc) ?? now.getTime();
          clock.schedule(end, () => expire(stored, vmReq.id, port));
        }
      }
      const response = make('Initiating');
      clock.schedule(now.getTime() + nextDelay(), () => createAllowRules(policy, stored));
      return response;
    },

    setVirtualMachines(policy: JitPolicyState, vms: JitPolicyVm[]): void {
      for (const vm of vms) {
        const name = nameOf(vm.id);
        if (policy.name.length + name.length > 56) {
          throw new ArmError(
            400,
            'BadRequest',
            `The policy name '${policy.name}' together with the virtual machine name '${name}' must not exceed a total of 56 characters.`,
          );
        }
      }
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
