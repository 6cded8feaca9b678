/**
 * What the wait looks for: one JIT allow rule per accepted request, VM port
 * and NSG on the VM's path (its NIC's and its subnet's).
 */
import type { VmTopology } from '../azure/topology';
import type { AcceptedRequest } from './initiate';
import type { RuleTarget } from './nsgRules';

/** One rule we wait for: a VM port in one NSG. */
export interface Expectation {
  readonly request: AcceptedRequest;
  readonly vm: VmTopology;
  readonly nsgId: string;
  readonly target: RuleTarget;
}

/** The rule found live for an expectation. */
export interface FoundRule {
  readonly expectation: Expectation;
  readonly name: string;
  readonly source: string;
  readonly destination: string;
}

export function expectationsFor(
  requests: readonly AcceptedRequest[],
  source: string | undefined,
): Expectation[] {
  return requests.flatMap((request) =>
    request.plan.vms.flatMap((planned) =>
      planned.match.vm.nsgs.flatMap((nsg) =>
        planned.ports.map((port) => ({
          request,
          vm: planned.match.vm,
          nsgId: nsg.id,
          target: {
            port: port.number,
            destinations: nsg.privateIps.length > 0 ? nsg.privateIps : planned.match.vm.privateIps,
            protocol: port.protocol,
            ...(source !== undefined ? { source } : {}),
          },
        })),
      ),
    ),
  );
}
