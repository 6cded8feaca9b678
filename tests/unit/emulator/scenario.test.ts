import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateScenario } from '../../../emulator/scenario/generate';
import { buildState } from '../../../emulator/scenario/build';
import {
  ScenarioError,
  defaultScenario,
  loadScenario,
  validateScenario,
} from '../../../emulator/scenario/load';
import { nsgsOnPath } from '../../../emulator/arm/state';

const file = join(__dirname, '..', '..', '..', 'emulator', 'scenarios', 'default.json');

describe('default scenario', () => {
  test('the file passes the scenario schema', () => {
    expect(() => validateScenario(JSON.parse(readFileSync(file, 'utf8')), 'default.json')).not.toThrow();
  });

  test('holds the contract identifiers (CONTRACT.md)', () => {
    const s = defaultScenario();
    expect(s.tenantId).toBe('5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b');
    expect(s.egressIp).toBe('203.0.113.10');
    expect(s.subscriptions.map((x) => [x.id, x.displayName])).toEqual([
      ['a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d', 'Contoso Production'],
      ['b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e', 'Contoso Data'],
    ]);
    expect(s.principals.map((p) => p.name)).toEqual([
      'jit-deployer',
      'jit-cert',
      'jit-readonly',
      'jit-agent-mi',
      'jit-rg-closer',
      'jit-admin',
    ]);
    const state = buildState(s, new Date());
    const path = (vm: string): string[] =>
      nsgsOnPath(
        state,
        [...state.vms.values()].find((v) => v.name === vm)!,
      ).map((p) => `${p.nsg.name}@${p.privateIp}`);
    expect(path('web-01')).toEqual(['web-01-nsg@10.1.1.4']);
    expect(path('web-02')).toEqual(['snet-web2-nsg@10.1.2.4']);
    expect(path('api-01')).toEqual(['api-01-nsg@10.2.1.4', 'snet-api-nsg@10.2.1.4']);
    expect(path('db-01')).toEqual(['db-01-nsg@10.4.1.4']);
    expect(path('fw-01')).toEqual(['fw-01-nsg@10.3.1.4']);
    expect(
      [...state.policies.values()].map((p) => `${p.resourceGroup}/${p.name}@${p.location}`).sort(),
    ).toEqual([
      'rg-api/default@eastus',
      'rg-data/data-jit@westeurope',
      'rg-hub/hub-jit@eastus',
      'rg-web/web-jit@eastus',
    ]);
  });

  test('each load is a private copy', () => {
    const a = loadScenario(undefined);
    a.principals.length = 0;
    expect(loadScenario(undefined).principals).toHaveLength(6);
  });
});

describe('validation errors name the file, the JSON path and the fix', () => {
  test('schema errors', () => {
    const bad = { ...defaultScenario(), tenantId: 'not-a-guid', extra: 1 };
    expect(() => validateScenario(bad, "scenario file 'x.json'")).toThrow(ScenarioError);
    try {
      validateScenario(bad, "scenario file 'x.json'");
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("Invalid scenario file 'x.json'");
      expect(message).toContain('/tenantId must match pattern');
      expect(message).toContain("('extra')");
      expect(message).toContain('emulator/README.md');
    }
  });

  test('dangling references', () => {
    const s = defaultScenario();
    const rg = s.subscriptions[0]!.resourceGroups[0]!;
    rg.virtualMachines![0]!.networkInterfaces[0]!.networkSecurityGroup = 'missing-nsg';
    expect(() => buildState(s, new Date())).toThrow(
      "NIC 'web-01-nic' references NSG 'missing-nsg', which is not defined.",
    );
    const t = defaultScenario();
    t.subscriptions[0]!.resourceGroups[0]!.jitPolicies![0]!.virtualMachines[0]!.vm = 'ghost';
    expect(() => buildState(t, new Date())).toThrow(
      "JIT policy 'web-jit' references VM 'ghost', which is not defined.",
    );
  });

  test('addresses that are not IPs', () => {
    const s = defaultScenario();
    s.subscriptions[0]!.resourceGroups[0]!.virtualMachines![1]!.networkInterfaces[0]!.privateIp =
      '10.1.2.300';
    expect(() => buildState(s, new Date())).toThrow(
      "NIC 'web-02-nic' of VM 'web-02': privateIp '10.1.2.300' is not an IP address.",
    );
  });

  test('unreadable and non-JSON files', () => {
    expect(() => loadScenario('/nonexistent/scenario.json')).toThrow(
      /Cannot read scenario file '\/nonexistent\/scenario.json'/,
    );
    expect(() => loadScenario(__filename)).toThrow(/is not valid JSON/);
  });
});

describe('generateScenario', () => {
  test('spreads VMs over resource groups, every VM in a policy, valid against the schema', () => {
    const s = generateScenario({ vms: 50, resourceGroups: 5 });
    validateScenario(s);
    const rgs = s.subscriptions[0]!.resourceGroups;
    expect(rgs).toHaveLength(5);
    expect(rgs.reduce((n, rg) => n + (rg.virtualMachines?.length ?? 0), 0)).toBe(50);
    expect(
      rgs.every((rg) => rg.jitPolicies?.[0]?.virtualMachines.length === rg.virtualMachines?.length),
    ).toBe(true);
    const state = buildState(s, new Date());
    expect(state.vms.size).toBe(50);
    expect(new Set([...state.nics.values()].map((n) => n.privateIp)).size).toBe(50);
  });

  test('refuses nonsense sizes', () => {
    expect(() => generateScenario({ vms: 0 })).toThrow(/vms must be an integer/);
  });
});
