import type { VmTopology } from '../../../../shared/azure/topology';
import { PolicyError } from '../../../../shared/errors';
import { matchPolicies, type JitPolicy } from '../../../../shared/jit/policies';

const SUB = '00000000-0000-0000-0000-000000000001';
const vmId = (rg: string, name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

function vm(rg: string, name: string): VmTopology {
  return {
    ref: { input: name },
    id: vmId(rg, name),
    name,
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'eastus',
    privateIps: ['10.0.0.4'],
    nsgs: [],
  } as unknown as VmTopology;
}

function policy(rg: string, name: string, vmIds: readonly string[]): JitPolicy {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${name}`,
    name,
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'eastus',
    virtualMachines: vmIds.map((id) => ({ id, ports: [] })),
    requests: [],
  };
}

describe('matchPolicies', () => {
  it("finds each VM's entry however ARM cased the IDs, with or without a trailing slash", () => {
    const web = vm('rg-web', 'web-01');
    const db = vm('rg-web', 'db-01');
    const p = policy('RG-WEB', 'web-jit', [`${web.id.toUpperCase()}/`, db.id.toLowerCase()]);
    const warnings: string[] = [];
    const matches = matchPolicies([web, db], [p], (w) => warnings.push(w));
    expect(matches.map((m) => [m.vm.name, m.policy.name, m.entry.id])).toEqual([
      ['web-01', 'web-jit', `${web.id.toUpperCase()}/`],
      ['db-01', 'web-jit', db.id.toLowerCase()],
    ]);
    expect(warnings).toEqual([]);
  });

  it('takes the first policy by ID when two list a VM, and says so', () => {
    const web = vm('rg-web', 'web-01');
    const warnings: string[] = [];
    const [match] = matchPolicies(
      [web],
      [policy('rg-web', 'zz-jit', [web.id]), policy('rg-web', 'aa-jit', [web.id])],
      (w) => warnings.push(w),
    );
    expect(match?.policy.name).toBe('aa-jit');
    expect(warnings).toEqual([
      "VM web-01 is listed in 2 JIT policies ('aa-jit' in rg-web, 'zz-jit' in rg-web); using 'aa-jit'. Remove it from the others to make this unambiguous.",
    ]);
  });

  it('names every VM no policy covers, and never matches one VM by another of a longer name', () => {
    const web = vm('rg-web', 'web-01');
    const p = policy('rg-web', 'web-jit', [`${web.id}0`, vmId('rg-web', 'web-0')]);
    let thrown: unknown;
    try {
      matchPolicies([web, vm('rg-web', 'db-01')], [p], () => undefined);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PolicyError);
    const message = (thrown as PolicyError).message;
    expect(message).toContain('VM web-01');
    expect(message).toContain('VM db-01');
  });
});
