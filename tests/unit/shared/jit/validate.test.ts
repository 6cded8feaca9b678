import { GITHUB, render } from '../../../../shared/frontEnd';
/**
 * Local validation of a request against each VM's JIT policy (shared/jit/validate.ts),
 * with policies shaped like the emulator's default scenario. Every violation must
 * name the field, the VM, the policy and what would be accepted; all are reported together.
 */
import type { JitNetworkAccessPortRule } from '@azure/arm-security';
import type { VmTopology } from '../../../../shared/azure/topology';
import { InputError, PolicyError } from '../../../../shared/errors';
import type { RequestedSource } from '../../../../shared/jit/plan';
import type { JitPolicy, VmPolicyMatch } from '../../../../shared/jit/policies';
import { validateRequest, type ValidationInput } from '../../../../shared/jit/validate';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

function port(number: number, max: string, sources: string | string[] = '*'): JitNetworkAccessPortRule {
  return {
    number,
    protocol: 'TCP',
    maxRequestAccessDuration: max,
    ...(Array.isArray(sources)
      ? { allowedSourceAddressPrefixes: sources }
      : { allowedSourceAddressPrefix: sources }),
  };
}

function vm(name: string, rg: string, nsgs = 1, privateIps = ['10.0.1.4']): VmTopology {
  const id = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
  return {
    ref: { input: name, name, resourceGroup: rg },
    id,
    name,
    subscriptionId: SUB,
    resourceGroup: rg,
    location: 'eastus',
    privateIps,
    nsgs: Array.from({ length: nsgs }, (_, i) => ({
      id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}-nsg${i}`,
      level: i === 0 ? ('nic' as const) : ('subnet' as const),
      privateIps: ['10.0.1.4'],
    })),
  };
}

function match(target: VmTopology, policyName: string, ports: JitNetworkAccessPortRule[]): VmPolicyMatch {
  const entry = { id: target.id, ports };
  const policy: JitPolicy = {
    id: `/subscriptions/${SUB}/resourceGroups/${target.resourceGroup}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${policyName}`,
    name: policyName,
    subscriptionId: SUB,
    resourceGroup: target.resourceGroup,
    location: 'eastus',
    virtualMachines: [entry],
    requests: [],
  };
  return { vm: target, policy, entry };
}

const web01 = match(vm('web-01', 'rg-web'), 'web-jit', [port(22, 'PT3H')]);
const web01v6 = match(vm('web-01', 'rg-web', 1, ['10.0.1.4', 'fd00::4']), 'web-jit', [port(22, 'PT3H')]);
const win01 = match(vm('win-01', 'rg-web'), 'web-jit', [port(3389, 'PT1H'), port(5986, 'PT1H')]);
const api01 = match(vm('api-01', 'rg-api', 2), 'default', [
  port(22, 'PT1H', ['203.0.113.10', '198.51.100.0/24']),
  port(5985, 'PT30M'),
]);
const api01v6 = match(vm('api-01', 'rg-api', 2, ['10.0.2.4', 'fd00::24']), 'default', [
  port(22, 'PT1H', ['203.0.113.10', '198.51.100.0/24']),
]);

const auto = (prefix: string): RequestedSource => ({ kind: 'auto', prefix });
const explicit = (prefix: string): RequestedSource => ({ kind: 'explicit', prefix });
const input = (over: Partial<ValidationInput> = {}): ValidationInput => ({
  ports: [22],
  durationMinutes: 15,
  source: auto('203.0.113.10'),
  ...over,
});

function policyError(matches: VmPolicyMatch[], request: ValidationInput): PolicyError {
  try {
    validateRequest(matches, request);
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('validateRequest accepts', () => {
  it.each<[string, VmPolicyMatch[], ValidationInput]>([
    ['a port in the policy', [web01], input()],
    ['exactly the policy maximum', [web01], input({ durationMinutes: 180 })],
    ['several ports', [win01], input({ ports: [3389, 5986], durationMinutes: 60 })],
    ['a source listed verbatim', [api01], input({ source: auto('198.51.100.0/24') })],
    ['any source where the policy allows *', [web01], input({ source: { kind: 'explicit', prefix: '*' } })],
    [
      'an IPv6 source where the policy allows * and the VM has IPv6',
      [web01v6],
      input({ source: auto('2001:db8::10') }),
    ],
  ])('%s', (_name, matches, request) => {
    const result = validateRequest(matches, request);
    expect(result.vms.map((v) => v.match.vm.name)).toEqual(matches.map((m) => m.vm.name));
    expect(result.vms[0]?.ports.map((p) => p.number)).toEqual(request.ports);
  });

  it('warns (cannot check) for source: azure against a restricted policy', () => {
    const result = validateRequest([api01], input({ source: { kind: 'azure' } }));
    expect(result.warnings).toHaveLength(1);
    expect(render(result.warnings[0] ?? '', GITHUB)).toContain(
      "JIT policy 'default' for VM api-01 port 22 only allows sources 203.0.113.10, 198.51.100.0/24",
    );
  });
});

describe('validateRequest refuses, naming the field', () => {
  it('a port the policy does not list', () => {
    const e = policyError([win01], input({ ports: [22] }));
    expect(e.message).toBe("port 22 is not in JIT policy 'web-jit' for VM win-01 (allowed: 3389, 5986)");
  });

  it('a duration over the port maximum', () => {
    const e = policyError([api01], input({ ports: [5985], durationMinutes: 31 }));
    expect(e.message).toContain('duration 31 minutes exceeds the maximum');
    expect(e.message).toContain("JIT policy 'default' for VM api-01 port 5985: PT30M (30 minutes)");
  });

  it('a source inside an allowed range but not equal to it, suggesting the exact prefix', () => {
    const e = policyError([api01], input({ source: auto('198.51.100.7') }));
    expect(e.message).toContain('source 198.51.100.7 is not allowed by');
    expect(e.hint).toContain("Set source to '198.51.100.0/24' exactly");
  });

  it('an IPv6 source against an IPv4-only policy', () => {
    const e = policyError([api01v6], input({ source: auto('2001:db8::10') }));
    expect(e.message).toContain('is an IPv6 address but');
    expect(e.message).toContain('only allows IPv4 sources');
  });

  it.each([
    ['an explicit IPv6 source', explicit('2001:db8::/48'), '"2001:db8::/48"'],
    ['an IPv6 answer of the IP providers', auto('2001:db8::10'), '"auto (resolved to 2001:db8::10)"'],
  ])('%s for a VM without an IPv6 private address, as an input error', (_, source, shown) => {
    let thrown: unknown;
    try {
      validateRequest([web01], input({ source }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).message).toContain(`input 'source' = ${shown}: is IPv6, but VM web-01`);
  });

  it('a VM without any NSG', () => {
    const bare = match(vm('bare-01', 'rg-web', 0), 'web-jit', [port(22, 'PT3H')]);
    const e = policyError([bare], input());
    expect(e.message).toContain('VM bare-01 has no network security group');
  });

  it('reports every violation of every VM at once', () => {
    const e = policyError(
      [web01, win01, api01],
      input({ ports: [22, 3389], durationMinutes: 120, source: auto('192.0.2.1') }),
    );
    expect(e.message.split('\n')[0]).toMatch(/^\d+ requests do not fit their JIT policy:$/);
    const lines = e.message.split('\n').slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining("port 3389 is not in JIT policy 'web-jit' for VM web-01"),
        expect.stringContaining("port 22 is not in JIT policy 'web-jit' for VM win-01"),
        expect.stringContaining(
          "duration 120 minutes exceeds the maximum of JIT policy 'web-jit' for VM win-01 port 3389",
        ),
        expect.stringContaining(
          "source 192.0.2.1 is not allowed by JIT policy 'default' for VM api-01 port 22",
        ),
        expect.stringContaining("port 3389 is not in JIT policy 'default' for VM api-01"),
      ]),
    );
    expect(lines).toHaveLength(e.more.length + 1);
  });
});

describe('policy name + VM name over 56 characters', () => {
  const input: ValidationInput = {
    ports: [22],
    durationMinutes: 15,
    source: { kind: 'explicit', prefix: '203.0.113.10' },
  };

  it('is a local error before initiate that says why (Azure would accept it and never write the rule)', () => {
    const long = match(vm('web-01', 'rg-web'), 'p'.repeat(51), [port(22, 'PT3H')]);
    expect(() => validateRequest([long], input)).toThrow(PolicyError);
    expect(() => validateRequest([long], input)).toThrow(
      /57 characters, over 56.*never writes the allow rule/,
    );
  });

  it('56 exactly is fine', () => {
    const edge = match(vm('web-01', 'rg-web'), 'p'.repeat(50), [port(22, 'PT3H')]);
    expect(validateRequest([edge], input).vms).toHaveLength(1);
  });

  it('a VM behind an Azure Firewall needs no NSG; any other VM does', () => {
    const bare = vm('fw-02', 'rg-hub', 0);
    const viaFirewall = match(bare, 'hub-jit', [port(22, 'PT1H')]);
    const firewallEntry = {
      ...viaFirewall,
      entry: { ...viaFirewall.entry, publicIpAddress: '52.170.20.30' },
    };
    expect(validateRequest([firewallEntry], input).vms).toHaveLength(1);
    expect(() => validateRequest([viaFirewall], input)).toThrow(/no network security group/);
  });
});
