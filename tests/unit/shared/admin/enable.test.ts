/**
 * planEnable / planDisable / applyPlans against a fake Azure: which policy is
 * chosen, the portal's defaults, the checks that need the policy, and the
 * guarded write (re-read before and after; never overwrite another writer).
 */
import { applyPlans } from '../../../../shared/admin/apply';
import { planDisable } from '../../../../shared/admin/disable';
import { choosePolicy, planEnable } from '../../../../shared/admin/enable';
import { PolicyChangedError } from '../../../../shared/admin/errors';
import { parseDisableOptions, parseEnableOptions, type EnableFlags } from '../../../../shared/admin/options';
import type { StoredPolicy } from '../../../../shared/admin/policyStore';
import { AzureApiError, InputError, PolicyError } from '../../../../shared/errors';
import { RestError } from '@azure/core-rest-pipeline';
import { FakeAzure, SUB, vmId } from './fakeAzure';

const rule = (number: number, max = 'PT3H') => ({
  number,
  protocol: 'TCP',
  allowedSourceAddressPrefix: '*',
  maxRequestAccessDuration: max,
});

function fake(): FakeAzure {
  const f = new FakeAzure();
  f.addVm('rg-web', 'web-01', 'eastus', 'Linux');
  f.addVm('rg-web', 'legacy-01', 'eastus', 'Linux');
  f.addVm('rg-web', 'win-02', 'eastus', 'Windows');
  f.addVm('rg-web', 'odd-01', 'eastus');
  f.addVm('rg-new', 'app-01', 'westeurope', 'Linux');
  f.addPolicy('rg-web', 'eastus', 'web-jit', [{ id: vmId('web-01'), ports: [rule(22)] }]);
  return f;
}

const enable = (flags: Partial<EnableFlags>) =>
  parseEnableOptions({
    vms: '',
    resourceGroup: 'rg-web',
    policy: '',
    dryRun: false,
    ports: '',
    protocol: '',
    maxDuration: '',
    allowedSources: '203.0.113.0/24',
    ...flags,
  });

describe('planEnable', () => {
  it("uses the group's one policy, the portal's port per OS, protocol * and PT3H; reads only", async () => {
    const f = fake();
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'legacy-01,win-02' }));
    expect(f.writes()).toBe(0);
    expect(f.calls).toEqual(['GET VM legacy-01', 'GET VM win-02', 'LIST rg-web/eastus']);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ action: 'update', existed: true, address: { name: 'web-jit' } });
    expect(
      plans[0]?.merge.after.map((e) => [
        e.id,
        e.ports.map((p) => [p.number, p.protocol, p.maxRequestAccessDuration]),
      ]),
    ).toEqual([
      [vmId('web-01'), [[22, 'TCP', 'PT3H']]],
      [vmId('legacy-01'), [[22, '*', 'PT3H']]],
      [vmId('win-02'), [[3389, '*', 'PT3H']]],
    ]);
  });

  it("creates `default` (or --policy) in the VM's own resource group and region when there is none", async () => {
    const f = fake();
    const { plans } = await planEnable(
      { clients: f.clients() },
      enable({ vms: 'app-01', resourceGroup: 'rg-new' }),
    );
    expect(plans[0]).toMatchObject({
      action: 'create',
      existed: false,
      address: { subscriptionId: SUB, resourceGroup: 'rg-new', location: 'westeurope', name: 'default' },
    });
    const named = await planEnable(
      { clients: f.clients() },
      enable({ vms: 'app-01', resourceGroup: 'rg-new', policy: 'ops' }),
    );
    expect(named.plans[0]?.address.name).toBe('ops');
  });

  it('a VM whose OS Azure does not report needs --ports', async () => {
    const f = fake();
    await expect(planEnable({ clients: f.clients() }, enable({ vms: 'odd-01' }))).rejects.toThrow(
      /'ports'.*needed for VM odd-01/,
    );
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'odd-01', ports: '2222' }));
    expect(plans[0]?.merge.after[1]?.ports[0]?.number).toBe(2222);
  });

  it('nothing to change when the VM already has exactly that rule', async () => {
    const f = fake();
    const { plans } = await planEnable(
      { clients: f.clients() },
      enable({ vms: 'web-01', protocol: 'tcp', allowedSources: '*' }),
    );
    expect(plans[0]?.action).toBe('none');
    expect(await applyPlans({ clients: f.clients() }, plans)).toEqual([]);
    expect(f.writes()).toBe(0);
  });

  it('a VM that does not exist is an input error naming it', async () => {
    const f = fake();
    await expect(planEnable({ clients: f.clients() }, enable({ vms: 'ghost' }))).rejects.toThrow(
      /'vms' = "ghost".*was not found in resource group 'rg-web'/,
    );
  });

  it('refuses a write that would drop fields the SDK does not model', async () => {
    const f = fake();
    f.addPolicy('rg-new', 'westeurope', 'default', [
      { id: vmId('other', 'rg-new'), ports: [{ ...rule(22), newField: true }] },
    ]);
    await expect(
      planEnable({ clients: f.clients() }, enable({ vms: 'app-01', resourceGroup: 'rg-new' })),
    ).rejects.toThrow(PolicyError);
  });
});

describe('choosePolicy', () => {
  const stored = (name: string, vms: string[] = []): StoredPolicy => ({
    id: `x/${name}`,
    subscriptionId: SUB,
    resourceGroup: 'rg',
    location: 'eastus',
    name,
    entries: vms.map((v) => ({ id: vmId(v), ports: [rule(22)] })),
  });

  it('several policies: the one holding the VM, else --policy is needed', () => {
    const both = [stored('a', ['web-01']), stored('b')];
    expect(choosePolicy(both, [vmId('web-01')], undefined, 'rg').name).toBe('a');
    expect(() => choosePolicy(both, [vmId('new')], undefined, 'rg')).toThrow(
      /'policy'.*several JIT policies \('a', 'b'\)/,
    );
    expect(choosePolicy(both, [vmId('new')], 'B', 'rg').name).toBe('b');
  });

  it('refuses a --policy other than the one that already covers the VM, or a second policy', () => {
    expect(() => choosePolicy([stored('a', ['web-01'])], [vmId('web-01')], 'other', 'rg')).toThrow(
      /already covers a VM/,
    );
    expect(() => choosePolicy([stored('a')], [vmId('web-01')], 'other', 'rg')).toThrow(/already has 'a'/);
  });
});

describe('applyPlans: read, compare, write, read, compare', () => {
  it('writes the merged list and reads it back', async () => {
    const f = fake();
    const before = JSON.stringify(f.entries('rg-web', 'eastus', 'web-jit')?.[0]);
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'legacy-01' }));
    f.calls.length = 0;
    const done = await applyPlans({ clients: f.clients() }, plans);
    expect(f.calls).toEqual(['GET web-jit', 'PUT web-jit', 'GET web-jit']);
    expect(done).toHaveLength(1);
    const after = f.entries('rg-web', 'eastus', 'web-jit');
    expect(JSON.stringify(after?.[0])).toBe(before);
    expect(after?.[1]?.id).toBe(vmId('legacy-01'));
  });

  it('another writer between our read and our write: stop, write nothing, report both sides', async () => {
    const f = fake();
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'legacy-01' }));
    // Someone adds port 3389 to web-01 after our plan was made.
    const theirs = f.entries('rg-web', 'eastus', 'web-jit') ?? [];
    (theirs[0]?.ports as unknown[]).push(rule(3389));
    const error = await applyPlans({ clients: f.clients() }, plans).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyChangedError);
    const changed = error as PolicyChangedError;
    expect(changed.stage).toBe('before-write');
    expect(changed.message).toContain('web-01 port 3389: added');
    expect(changed.message).toContain('legacy-01: added');
    expect(f.writes()).toBe(0);
  });

  it('a policy created by someone else since our read is a concurrent change too', async () => {
    const f = fake();
    const { plans } = await planEnable(
      { clients: f.clients() },
      enable({ vms: 'app-01', resourceGroup: 'rg-new' }),
    );
    f.addPolicy('rg-new', 'westeurope', 'default', [{ id: vmId('x', 'rg-new'), ports: [rule(22)] }]);
    await expect(applyPlans({ clients: f.clients() }, plans)).rejects.toMatchObject({
      stage: 'before-write',
    });
    expect(f.writes()).toBe(0);
    expect(f.entries('rg-new', 'westeurope', 'default')?.map((e) => e.id)).toEqual([vmId('x', 'rg-new')]);
  });

  it('another writer right after our write is reported (after-write)', async () => {
    const f = fake();
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'legacy-01' }));
    f.after = ({ op, fake: self }) => {
      if (op !== 'put') return;
      self.addPolicy('rg-web', 'eastus', 'web-jit', [{ id: vmId('web-01'), ports: [rule(22)] }]);
    };
    const error = (await applyPlans({ clients: f.clients() }, plans).catch(
      (e: unknown) => e,
    )) as PolicyChangedError;
    expect(error.stage).toBe('after-write');
    expect(error.message).toContain('legacy-01: removed');
  });

  it('a refused write names the administrator role', async () => {
    const f = fake();
    const { plans } = await planEnable({ clients: f.clients() }, enable({ vms: 'legacy-01' }));
    f.putError = new RestError('denied', { statusCode: 403, code: 'AuthorizationFailed' });
    const error = (await applyPlans({ clients: f.clients() }, plans).catch(
      (e: unknown) => e,
    )) as AzureApiError;
    expect(error).toBeInstanceOf(AzureApiError);
    expect(error.hint).toContain('jitNetworkAccessPolicies/write');
    expect(error.hint).toContain('docs/roles/jit-policy-admin.json');
  });
});

describe('planDisable', () => {
  const disable = (vms: string, policy = '') =>
    parseDisableOptions({ vms, resourceGroup: 'rg-web', policy, dryRun: false });

  it('removes only the named VM; a policy left empty is deleted', async () => {
    const f = fake();
    f.addPolicy('rg-web', 'eastus', 'web-jit', [
      { id: vmId('web-01'), ports: [rule(22)] },
      { id: vmId('legacy-01'), ports: [rule(22)] },
    ]);
    const one = await planDisable({ clients: f.clients() }, disable('legacy-01'));
    expect(f.calls).toEqual(['LIST rg-web']);
    expect(one.plans[0]?.action).toBe('update');
    await applyPlans({ clients: f.clients() }, one.plans);
    expect(f.entries('rg-web', 'eastus', 'web-jit')?.map((e) => e.id)).toEqual([vmId('web-01')]);

    const last = await planDisable({ clients: f.clients() }, disable('web-01'));
    expect(last.plans[0]?.action).toBe('delete');
    await applyPlans({ clients: f.clients() }, last.plans);
    expect(f.entries('rg-web', 'eastus', 'web-jit')).toBeUndefined();
  });

  it('a VM in no policy is a warning and nothing to write; an unknown --policy is an input error', async () => {
    const f = fake();
    const none = await planDisable({ clients: f.clients() }, disable('legacy-01'));
    expect(none.plans).toEqual([]);
    expect(none.warnings[0]).toContain('legacy-01 is in no JIT policy');
    await expect(planDisable({ clients: f.clients() }, disable('web-01', 'nope'))).rejects.toThrow(
      InputError,
    );
  });
});
