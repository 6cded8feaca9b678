/**
 * A fake of the two SDK surfaces the admin commands use (JIT policies and VM
 * reads), holding policies as Azure's JSON. Calls hand `onResponse` the JSON
 * text as the real SDK does, count writes, and let a test play another writer
 * at a chosen moment.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { AzureClients } from '../../../../shared/azure/clients';
import type { RawVmEntry } from '../../../../shared/admin/diff';

export const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

export const vmId = (vm: string, rg = 'rg-web'): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`;

export const policyId = (rg: string, location: string, name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Security/locations/${location}/jitNetworkAccessPolicies/${name}`;

interface StoredJson {
  kind: string;
  id: string;
  name: string;
  location: string;
  properties: { virtualMachines: RawVmEntry[]; provisioningState: string };
}

type Hook = (call: { op: 'get' | 'list' | 'put' | 'delete'; fake: FakeAzure }) => void;
type Options = { onResponse?: (r: { bodyAsText?: string }) => void } | undefined;

function notFound(): RestError {
  return new RestError('Not found', { statusCode: 404 });
}

export class FakeAzure {
  readonly policies = new Map<string, StoredJson>();
  readonly vms = new Map<string, { name: string; location: string; osType?: string }>();
  readonly calls: string[] = [];
  /** Called after each answered call (like the emulator's concurrent writer). */
  after: Hook = () => undefined;
  /** Thrown by the next PUT when set. */
  putError: Error | undefined;

  addPolicy(rg: string, location: string, name: string, entries: RawVmEntry[]): void {
    const id = policyId(rg, location, name);
    this.policies.set(id.toLowerCase(), {
      kind: 'Basic',
      id,
      name,
      location,
      properties: { virtualMachines: structuredClone(entries), provisioningState: 'Updating' },
    });
  }

  addVm(rg: string, name: string, location = 'eastus', osType?: string): void {
    this.vms.set(vmId(name, rg).toLowerCase(), { name, location, ...(osType ? { osType } : {}) });
  }

  entries(rg: string, location: string, name: string): RawVmEntry[] | undefined {
    return this.policies.get(policyId(rg, location, name).toLowerCase())?.properties.virtualMachines;
  }

  writes(): number {
    return this.calls.filter((c) => c.startsWith('PUT') || c.startsWith('DELETE')).length;
  }

  clients(): AzureClients {
    const jit = {
      get: (rg: string, location: string, name: string, o: Options) => {
        this.calls.push(`GET ${name}`);
        const p = this.policies.get(policyId(rg, location, name).toLowerCase());
        if (!p) return Promise.reject(notFound());
        o?.onResponse?.({ bodyAsText: JSON.stringify(p) });
        const typed = {
          ...structuredClone(p),
          virtualMachines: structuredClone(p.properties.virtualMachines),
        };
        this.after({ op: 'get', fake: this });
        return Promise.resolve(typed);
      },
      listByResourceGroupAndRegion: (rg: string, location: string, o: Options) => this.list(rg, location, o),
      listByResourceGroup: (rg: string, o: Options) => this.list(rg, undefined, o),
      createOrUpdate: (
        rg: string,
        location: string,
        name: string,
        body: { kind?: string; virtualMachines?: RawVmEntry[] },
        o: Options,
      ) => {
        this.calls.push(`PUT ${name}`);
        if (this.putError) return Promise.reject(this.putError);
        const id = policyId(rg, location, name);
        const stored: StoredJson = {
          kind: body.kind ?? 'Basic',
          id,
          name,
          location,
          properties: {
            virtualMachines: structuredClone(body.virtualMachines ?? []),
            provisioningState: 'Updating',
          },
        };
        this.policies.set(id.toLowerCase(), stored);
        o?.onResponse?.({ bodyAsText: JSON.stringify(stored) });
        this.after({ op: 'put', fake: this });
        return Promise.resolve({ ...stored, virtualMachines: stored.properties.virtualMachines });
      },
      delete: (rg: string, location: string, name: string) => {
        this.calls.push(`DELETE ${name}`);
        this.policies.delete(policyId(rg, location, name).toLowerCase());
        this.after({ op: 'delete', fake: this });
        return Promise.resolve();
      },
    };
    const compute = {
      virtualMachines: {
        get: (rg: string, name: string) => {
          this.calls.push(`GET VM ${name}`);
          const vm = this.vms.get(vmId(name, rg).toLowerCase());
          if (!vm) return Promise.reject(notFound());
          return Promise.resolve({
            id: vmId(vm.name, rg),
            name: vm.name,
            location: vm.location,
            storageProfile: vm.osType ? { osDisk: { osType: vm.osType } } : {},
          });
        },
      },
    };
    return {
      session: { subscriptionId: SUB } as AzureClients['session'],
      clock: {} as AzureClients['clock'],
      security: () => ({ jitNetworkAccessPolicies: jit }) as unknown as ReturnType<AzureClients['security']>,
      compute: () => compute as unknown as ReturnType<AzureClients['compute']>,
      network: () => {
        throw new Error('the admin commands read no network resources');
      },
    };
  }

  private async *list(rg: string, location: string | undefined, o: Options): AsyncGenerator<unknown> {
    this.calls.push(`LIST ${rg}${location ? `/${location}` : ''}`);
    const prefix = `/subscriptions/${SUB}/resourcegroups/${rg}/`.toLowerCase();
    const found = [...this.policies.values()].filter(
      (p) =>
        p.id.toLowerCase().startsWith(prefix) &&
        (location === undefined || p.location.toLowerCase() === location),
    );
    o?.onResponse?.({ bodyAsText: JSON.stringify({ value: found }) });
    this.after({ op: 'list', fake: this });
    for (const p of found)
      yield { ...structuredClone(p), virtualMachines: structuredClone(p.properties.virtualMachines) };
  }
}
