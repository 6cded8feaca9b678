/**
 * A small fake of the ARM reads and deletes the core's operations make (VMs,
 * NICs, NSGs and their rules, JIT policies), for unit tests of shared/ops
 * without the emulator. Each VM has one NIC with one private IP and a NIC NSG.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { JitNetworkAccessPolicy } from '@azure/arm-security';
import { RestError } from '@azure/core-rest-pipeline';
import type { AzureClients } from '../../../../shared/azure/clients';
import { ServerClock } from '../../../../shared/azure/serverClock';
import { resolveCloud } from '../../../../shared/cloud';
import type { JitState, StateVm } from '../../../../shared/state';

export const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const base = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers`;
export const vmId = (name: string, rg = 'rg-web') => `${base(rg)}/Microsoft.Compute/virtualMachines/${name}`;
export const nsgId = (name: string, rg = 'rg-web') =>
  `${base(rg)}/Microsoft.Network/networkSecurityGroups/${name}`;
export const policyId = (name: string, rg = 'rg-web') =>
  `${base(rg)}/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${name}`;

/** A JIT allow rule as JIT writes it. */
export function jitRule(n: number, source: string, ports: string[], destination: string): SecurityRule {
  return {
    name: `SecurityCenter-JITRule-${n}-${n.toString(16).padStart(32, '0')}`,
    access: 'Allow',
    direction: 'Inbound',
    protocol: '*',
    priority: 100 + n,
    sourceAddressPrefix: source,
    destinationAddressPrefix: destination,
    ...(ports.length === 1 ? { destinationPortRange: ports[0] ?? '' } : { destinationPortRanges: ports }),
    provisioningState: 'Succeeded',
  };
}

const notFound = () => new RestError('Not found', { statusCode: 404 });

export class FakeWorld {
  readonly vms = new Map<string, { rg: string; ip: string; nsg: string; osType?: string }>();
  readonly nsgs = new Map<string, SecurityRule[]>();
  readonly policies: JitNetworkAccessPolicy[] = [];
  readonly calls: string[] = [];
  /** Status DELETE answers instead of deleting (e.g. 403). */
  deleteStatus: number | undefined;
  /** Called after each successful delete (e.g. to write the rule back). */
  afterDelete: (nsg: string, rule: string) => void = () => undefined;
  /** Status an NSG GET answers instead of the NSG (e.g. 403), per read; undefined: the NSG. */
  nsgReadStatus: (nsg: string) => number | undefined = () => undefined;
  /** Called before each NSG read is answered, with how many reads of that NSG came before (e.g. JIT writing a rule late). */
  beforeNsgRead: (nsg: string, earlierReads: number) => void = () => undefined;
  private readonly nsgReads = new Map<string, number>();

  addVm(name: string, ip: string, rg = 'rg-web', osType?: string): void {
    const nsg = `${name}-nsg`;
    this.vms.set(name, { rg, ip, nsg, ...(osType ? { osType } : {}) });
    if (!this.nsgs.has(nsg)) this.nsgs.set(nsg, []);
  }

  rules(nsg: string): SecurityRule[] {
    return this.nsgs.get(nsg) ?? [];
  }

  clients(now = new Date('2026-12-01T10:00:00Z')): AzureClients {
    const vmOf = (name: string) => {
      const vm = this.vms.get(name);
      if (!vm) throw notFound();
      return vm;
    };
    const vmJson = (name: string) => {
      const vm = vmOf(name);
      return {
        id: vmId(name, vm.rg),
        name,
        location: 'eastus',
        networkProfile: {
          networkInterfaces: [
            { id: `${base(vm.rg)}/Microsoft.Network/networkInterfaces/${name}-nic`, primary: true },
          ],
        },
        ...(vm.osType ? { storageProfile: { osDisk: { osType: vm.osType } } } : {}),
      };
    };
    // One page, as the SDKs' lists give it: item by item or `byPage()`.
    const pages = <T>(items: T[]) => ({
      async *[Symbol.asyncIterator]() {
        await Promise.resolve();
        for (const i of items) yield i;
      },
      async *byPage() {
        await Promise.resolve();
        yield items;
      },
    });
    const compute = {
      virtualMachines: {
        get: (_rg: string, name: string) => this.call(`GET vm ${name}`, () => vmJson(name)),
        list: (rg: string) => {
          this.calls.push(`LIST vms ${rg}`);
          return pages([...this.vms].filter(([, v]) => v.rg === rg).map(([n]) => vmJson(n)));
        },
        listAll: () => {
          this.calls.push('LIST vms');
          return pages([...this.vms.keys()].map((n) => vmJson(n)));
        },
      },
    };
    const nicJson = (name: string) => {
      const vm = vmOf(name);
      return {
        id: `${base(vm.rg)}/Microsoft.Network/networkInterfaces/${name}-nic`,
        networkSecurityGroup: { id: nsgId(vm.nsg, vm.rg) },
        ipConfigurations: [{ primary: true, privateIPAddress: vm.ip }],
      };
    };
    const network = {
      networkInterfaces: {
        get: (_rg: string, nic: string) =>
          this.call(`GET nic ${nic}`, () => nicJson(nic.replace(/-nic$/, ''))),
        list: (rg: string) => {
          this.calls.push(`LIST nics ${rg}`);
          return pages([...this.vms].filter(([, v]) => v.rg === rg).map(([n]) => nicJson(n)));
        },
      },
      networkSecurityGroups: {
        get: (_rg: string, name: string) =>
          this.call(`GET nsg ${name}`, () => {
            const earlier = this.nsgReads.get(name) ?? 0;
            this.nsgReads.set(name, earlier + 1);
            this.beforeNsgRead(name, earlier);
            const status = this.nsgReadStatus(name);
            if (status !== undefined) throw new RestError('refused', { statusCode: status });
            const rules = this.nsgs.get(name);
            if (!rules) throw notFound();
            return { id: nsgId(name), name, securityRules: structuredClone(rules) };
          }),
      },
      securityRules: {
        get: (_rg: string, nsg: string, name: string) =>
          this.call(`GET rule ${name}`, () => {
            const rule = this.rules(nsg).find((r) => r.name === name);
            if (!rule) throw notFound();
            return structuredClone(rule);
          }),
        deleteOnce: (_rg: string, nsg: string, name: string) =>
          this.call(`DELETE ${nsg}/${name}`, () => {
            const headers = { get: () => undefined };
            if (this.deleteStatus !== undefined)
              return {
                status: this.deleteStatus,
                headers,
                body: { error: { code: 'AuthorizationFailed', message: 'no' } },
              };
            const rules = this.rules(nsg);
            const i = rules.findIndex((r) => r.name === name);
            if (i < 0) return { status: 404, headers, body: undefined };
            rules.splice(i, 1);
            this.afterDelete(nsg, name);
            return { status: 202, headers, body: undefined };
          }),
      },
    };
    const security = {
      jitNetworkAccessPolicies: {
        listByResourceGroup: (rg: string) => {
          this.calls.push(`LIST policies ${rg}`);
          return pages(this.policies.filter((p) => p.id?.includes(`/resourceGroups/${rg}/`)));
        },
        get: (rg: string, _location: string, name: string) =>
          this.call(`GET policy ${name}`, () => structuredClone(this.policy(rg, name))),
        // As the JSON Azure sent: the history's dates as text (shared/azure/policyReadSpecs.ts).
        getWithRawHistory: (rg: string, _location: string, name: string) =>
          this.call(`GET policy ${name}`, () => JSON.parse(JSON.stringify(this.policy(rg, name))) as unknown),
      },
    };
    return {
      session: { subscriptionId: SUB },
      clock: new ServerClock(() => now),
      compute: () => compute,
      network: () => network,
      security: () => security,
    } as unknown as AzureClients;
  }

  private policy(rg: string, name: string): JitNetworkAccessPolicy {
    const policy = this.policies.find((p) => p.name === name && p.id?.includes(`/resourceGroups/${rg}/`));
    if (!policy) throw notFound();
    return policy;
  }

  private call<T>(what: string, answer: () => T): Promise<T> {
    this.calls.push(what);
    try {
      return Promise.resolve(answer());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** What main saved for web-01 (port 22, rg-web, policy web-jit) in this world; `vm` adds what differs. */
export function savedState(
  source: string,
  endTimeUtc: string,
  vm: Pick<StateVm, 'rules'> & Partial<StateVm>,
): JitState {
  return {
    version: 1,
    createdAt: '2026-12-01T10:00:00.000Z',
    cloud: resolveCloud('AzureCloud'),
    subscriptionIds: [SUB],
    closeOnPost: 'delete-rule',
    source: { kind: 'explicit', prefix: source },
    requests: [
      {
        policyId: policyId('web-jit'),
        policyName: 'web-jit',
        resourceGroup: 'rg-web',
        location: 'eastus',
        status: 'accepted',
        endTimeUtc,
        vms: [
          {
            id: vmId('web-01'),
            name: 'web-01',
            privateIps: ['10.0.1.4'],
            ports: [22],
            nsgIds: [nsgId('web-01-nsg')],
            ...vm,
          },
        ],
      },
    ],
  };
}
