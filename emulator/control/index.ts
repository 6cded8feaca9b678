/**
 * The in-process control API tests drive the emulator with (CONTRACT.md "control"):
 * virtual clock, rule delay, faults, request log, state inspection, another
 * principal's requests, egress IP and IP echo behaviour, and the Security read budget.
 */
import { request as httpsRequest } from 'node:https';
import type { ArmEnv } from '../arm/context';
import { ArmError } from '../arm/errors';
import {
  key,
  nameOf,
  policyId,
  type JitPolicyState,
  type JitPolicyVm,
  type JitRequest,
  type SecurityRuleProperties,
  type SecurityRuleState,
} from '../arm/state';
import type { IdentityService } from '../identity/types';
import type { IpEcho, IpEchoBehaviour } from '../ipEcho';
import type { JitEngine } from '../jit/engine';
import { touch } from '../jit/rules';
import { createConcurrentWriter, type ConcurrentWriter } from './concurrentWriter';
import type { Faults, FaultSpec } from './faults';
import type { RequestLog, RequestLogEntry } from './requestLog';

export interface RuleView {
  name: string;
  nsgId: string;
  nsgName: string;
  provisioningState: SecurityRuleState['provisioningState'];
  properties: SecurityRuleProperties;
  /** For JIT-owned rules: 'allow' (per request) or 'deny' (per policy). */
  jit?: 'allow' | 'deny';
}

export interface JitRequestView {
  policyId: string;
  policyName: string;
  principal: string;
  request: JitRequest;
}

export interface InitiateAsArgs {
  resourceGroup: string;
  location: string;
  policy: string;
  body: unknown;
  /** Defaults to the subscription holding the policy (or the first one). */
  subscriptionId?: string;
}

export interface PolicyUpdate {
  virtualMachines: JitPolicyVm[];
}

export interface EmulatorControl {
  clock: { now(): Date; advance(ms: number): void; freeze(): void; unfreeze(): void };
  setRuleDelay(ms: number, jitterMs?: number): void;
  /** From now on, JIT writes no allow rule in this NSG: a rule that lands in one NSG of two only. */
  withholdAllowRules(nsgName: string): void;
  faults: { add(spec: FaultSpec): void; clear(): void };
  requests(): RequestLogEntry[];
  clearRequests(): void;
  rules(nsgName?: string): RuleView[];
  jitRequests(policyName?: string): JitRequestView[];
  initiateAs(principalName: string, args: InitiateAsArgs): Promise<{ status: number; body: unknown }>;
  /** The egress IP seen by IP echo and by initiates without a source; per principal when a name is given. */
  setEgressIp(ip: string, principalName?: string): void;
  ipEcho: { set(index: number, behaviour: IpEchoBehaviour): void; reset(): void };
  removeRule(nsgName: string, ruleName: string): boolean;
  updatePolicy(
    policyName: string,
    update: PolicyUpdate | ((policy: JitPolicyState) => void),
    resourceGroup?: string,
  ): void;
  setSecurityReadBudget(n: number, options?: { retryAfterSeconds?: number; refill?: boolean }): void;
  setPageSize(n: number): void;
  /** Another writer changes a policy between a client's read and its write (see concurrentWriter.ts). */
  concurrentWriter: ConcurrentWriter;
}

export interface ControlDeps {
  env: ArmEnv;
  engine: JitEngine;
  faults: Faults;
  log: RequestLog;
  ipEcho: IpEcho;
  identity(): IdentityService;
  caPem: string;
  scenarioEgressIp: string;
  principalEgress: Map<string, string>;
  setThrottle(t: { retryAfterSeconds: number; refill: boolean }): void;
  setPageSize(n: number): void;
}

export function createControl(d: ControlDeps): EmulatorControl {
  const { env } = d;
  const state = env.state;

  function findPolicy(name: string, resourceGroup?: string): JitPolicyState {
    const matches = [...state.policies.values()].filter(
      (p) =>
        key(p.name) === key(name) &&
        (resourceGroup === undefined || key(p.resourceGroup) === key(resourceGroup)),
    );
    if (matches.length !== 1) {
      throw new Error(
        `No single JIT policy named '${name}'${resourceGroup ? ` in '${resourceGroup}'` : ''} (found ${matches.length}); known: ${[...state.policies.values()].map((p) => `${p.resourceGroup}/${p.name}`).join(', ')}.`,
      );
    }
    return matches[0] as JitPolicyState;
  }

  // The other writer writes the way updatePolicy does (it fires only after `control` exists).
  const writer = createConcurrentWriter({
    findPolicy,
    apply: (policy, update) => control.updatePolicy(policy.name, update, policy.resourceGroup),
  });
  d.log.onAdd((entry) => writer.observe(entry));

  const control: EmulatorControl = {
    concurrentWriter: writer,
    clock: {
      now: () => env.clock.now(),
      advance: (ms) => env.clock.advance(ms),
      freeze: () => env.clock.freeze(),
      unfreeze: () => env.clock.unfreeze(),
    },
    setRuleDelay: (ms, jitterMs) => d.engine.setRuleDelay(ms, jitterMs),
    withholdAllowRules: (nsgName) => d.engine.withholdAllowRules(nsgName),
    faults: { add: (s) => d.faults.add(s), clear: () => d.faults.clear() },
    requests: () => d.log.entries(),
    clearRequests: () => d.log.clear(),

    rules(nsgName) {
      env.clock.runDue();
      const out: RuleView[] = [];
      for (const nsg of state.nsgs.values()) {
        if (nsgName !== undefined && key(nsg.name) !== key(nsgName)) continue;
        for (const r of nsg.rules) {
          out.push({
            name: r.name,
            nsgId: nsg.id,
            nsgName: nsg.name,
            provisioningState: r.provisioningState,
            properties: structuredClone(r.properties),
            ...(r.jit ? { jit: r.jit.kind } : {}),
          });
        }
      }
      return out;
    },

    jitRequests(policyName) {
      env.clock.runDue();
      return [...state.policies.values()]
        .filter((p) => policyName === undefined || key(p.name) === key(policyName))
        .flatMap((p) =>
          p.requests.map((s) => ({
            policyId: p.id,
            policyName: p.name,
            principal: s.principal,
            request: structuredClone(s.request),
          })),
        );
    },

    async initiateAs(principalName, args) {
      const policy = [...state.policies.values()].find(
        (p) =>
          key(p.name) === key(args.policy) &&
          key(p.resourceGroup) === key(args.resourceGroup) &&
          (args.subscriptionId === undefined || key(p.subscriptionId) === key(args.subscriptionId)),
      );
      const sub =
        args.subscriptionId ?? policy?.subscriptionId ?? [...state.subscriptions.values()][0]?.id ?? '';
      const token = await d.identity().issueAccessToken(principalName);
      const path = `${policyId(sub, args.resourceGroup, args.location, args.policy)}/initiate?api-version=2020-01-01`;
      // Over HTTPS like any client, so it shows in the request log under that principal.
      return new Promise((resolve, reject) => {
        const url = new URL(path, env.armUrl());
        const payload = Buffer.from(JSON.stringify(args.body));
        const req = httpsRequest(
          url,
          {
            method: 'POST',
            ca: d.caPem,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json; charset=utf-8',
              'Content-Length': payload.length,
            },
            timeout: 30_000,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                status: res.statusCode ?? 0,
                body: text ? (JSON.parse(text) as unknown) : undefined,
              });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('initiateAs: timed out after 30 s')));
        req.on('error', reject);
        req.end(payload);
      });
    },

    setEgressIp(ip, principalName) {
      if (principalName === undefined) d.ipEcho.setEgressIp(ip);
      else d.principalEgress.set(principalName, ip);
    },
    ipEcho: {
      set: (i, b) => d.ipEcho.set(i, b),
      reset: () => {
        d.ipEcho.reset();
        d.ipEcho.setEgressIp(d.scenarioEgressIp);
      },
    },

    removeRule(nsgName, ruleName) {
      for (const nsg of state.nsgs.values()) {
        if (key(nsg.name) !== key(nsgName)) continue;
        const before = nsg.rules.length;
        nsg.rules = nsg.rules.filter((r) => key(r.name) !== key(ruleName));
        if (nsg.rules.length !== before) {
          touch(nsg);
          return true;
        }
      }
      return false;
    },

    updatePolicy(policyName, update, resourceGroup) {
      const policy = findPolicy(policyName, resourceGroup);
      if (typeof update === 'function') {
        update(policy);
        d.engine.applyDenyRules(policy);
        return;
      }
      for (const vm of update.virtualMachines) {
        if (!state.vms.has(key(vm.id)))
          throw new Error(`updatePolicy('${policyName}'): VM '${nameOf(vm.id)}' (${vm.id}) does not exist.`);
      }
      try {
        d.engine.setVirtualMachines(policy, update.virtualMachines);
      } catch (error) {
        if (error instanceof ArmError)
          throw new Error(`updatePolicy('${policyName}'): ${error.message}`, { cause: error });
        throw error;
      }
    },

    setSecurityReadBudget(n, options = {}) {
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`setSecurityReadBudget: n must be an integer >= 0, got ${n}`);
      for (const s of state.subscriptions.values()) s.securityReadBudget = n;
      d.setThrottle({ retryAfterSeconds: options.retryAfterSeconds ?? 1, refill: options.refill ?? true });
    },

    setPageSize(n) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`setPageSize: n must be an integer >= 1, got ${n}`);
      d.setPageSize(n);
    },
  };
  return control;
}
