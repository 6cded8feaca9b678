/**
 * Keeps the run's JitState and saves it through the platform on every change:
 * just BEFORE each initiate is sent (pending: a lost 202 or a cancel is still
 * closed by post), when it is accepted, and again once rule names are known.
 */
import type { Platform } from '../platform';
import { normalizeId } from '../azure/resourceId';
import {
  STATE_KEY,
  serializeState,
  type JitState,
  type StateRequest,
  type StateRule,
  type StateSource,
} from '../state';

export class StateStore {
  private state: JitState;

  constructor(
    private readonly platform: Platform,
    initial: Omit<JitState, 'requests' | 'version'>,
  ) {
    this.state = { ...initial, version: 1, requests: [] };
  }

  get current(): JitState {
    return this.state;
  }

  /** Adds requests about to be sent, in one save. */
  addRequests(requests: readonly StateRequest[]): void {
    this.state = { ...this.state, requests: [...this.state.requests, ...requests] };
    this.save();
  }

  /** Replaces the request for `policyId` (pending → accepted with Azure's answer). */
  updateRequest(policyId: string, update: (r: StateRequest) => StateRequest): void {
    this.state = {
      ...this.state,
      requests: this.state.requests.map((r) =>
        normalizeId(r.policyId) === normalizeId(policyId) ? update(r) : r,
      ),
    };
    this.save();
  }

  /** Drops a pending request Azure certainly refused (nothing to close). */
  removeRequest(policyId: string): void {
    this.state = {
      ...this.state,
      requests: this.state.requests.filter((r) => normalizeId(r.policyId) !== normalizeId(policyId)),
    };
    // Nothing left to close: save no state at all, as if nothing had been sent.
    if (this.state.requests.length === 0) this.platform.saveState(STATE_KEY, '');
    else this.save();
  }

  /** Records the source Azure actually used (`source: azure` learns it from the first rule). */
  setSource(source: StateSource): void {
    this.state = { ...this.state, source };
    this.save();
  }

  /** Sets the rules found per VM of a request (replacing earlier ones), with one save for all VMs. */
  setRules(found: readonly { policyId: string; vmId: string; rules: readonly StateRule[] }[]): void {
    // By policy and VM, the last found for a pair winning (as when each replaced the one before).
    const byRequest = new Map<string, Map<string, readonly StateRule[]>>();
    for (const { policyId, vmId, rules } of found) {
      const key = normalizeId(policyId);
      const vms = byRequest.get(key) ?? new Map<string, readonly StateRule[]>();
      vms.set(normalizeId(vmId), rules);
      byRequest.set(key, vms);
    }
    this.state = {
      ...this.state,
      requests: this.state.requests.map((r) => {
        const vms = byRequest.get(normalizeId(r.policyId));
        if (!vms) return r;
        return {
          ...r,
          vms: r.vms.map((v) => {
            const rules = vms.get(normalizeId(v.id));
            return rules ? { ...v, rules } : v;
          }),
        };
      }),
    };
    this.save();
  }

  private save(): void {
    this.platform.saveState(STATE_KEY, serializeState(this.state));
  }
}
