/**
 * Local policy validation (no Azure): each problem names the VM, policy,
 * field and what would be accepted; all problems come back together.
 */
import type { JitNetworkAccessPortRule } from '@azure/arm-security';
import type { VmTopology } from '../../../../shared/azure/topology';
import { PolicyError } from '../../../../shared/errors';
import { GITHUB, render } from '../../../../shared/frontEnd';
import type { VmPolicyMatch } from '../../../../shared/jit/policies';
import { isoDurationMinutes } from '../../../../shared/time';
import { validateRequest, type ValidationInput } from '../../../../shared/jit/validate';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';

function vm(name: string, nsgs = 1): VmTopology {
  const id = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/${name}`;
  return {
    ref: { input: name, name, resourceGroup: 'rg-web' },
    id,
    name,
    subscriptionId: SUB,
    resourceGroup: 'rg-web',
    location: 'eastus',
    privateIps: ['10.0.1.4'],
    nsgs: Array.from({ length: nsgs }, (_, i) => ({
      id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/nsg${i}`,
      level: 'nic' as const,
      privateIps: ['10.0.1.4'],
    })),
  };
}

function match(
  name: string,
  ports: JitNetworkAccessPortRule[],
  policyName = 'web-jit',
  nsgs = 1,
): VmPolicyMatch {
  const v = vm(name, nsgs);
  return {
    vm: v,
    policy: {
      id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${policyName}`,
      name: policyName,
      subscriptionId: SUB,
      resourceGroup: 'rg-web',
      location: 'eastus',
      virtualMachines: [],
      requests: [],
    },
    entry: { id: v.id, ports },
  };
}

const tcp = (number: number, max = 'PT3H', prefix: string | string[] = '*'): JitNetworkAccessPortRule => ({
  number,
  protocol: 'TCP',
  maxRequestAccessDuration: max,
  ...(Array.isArray(prefix)
    ? { allowedSourceAddressPrefixes: prefix }
    : { allowedSourceAddressPrefix: prefix }),
});

const input = (over: Partial<ValidationInput> = {}): ValidationInput => ({
  ports: [22],
  durationMinutes: 15,
  source: { kind: 'explicit', prefix: '203.0.113.10' },
  ...over,
});

function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('validateRequest', () => {
  it('accepts a request inside the policy and keeps the policy rule per port', () => {
    const r = validateRequest([match('web-01', [tcp(22), tcp(5986)])], input({ ports: [22, 5986] }));
    expect(r.vms[0]?.ports.map((p) => p.number)).toEqual([22, 5986]);
    expect(r.warnings).toEqual([]);
  });

  it('names the port, policy, VM and the allowed ports', () => {
    const e = policyError(() =>
      validateRequest([match('web-01', [tcp(22), tcp(5986)])], input({ ports: [3389] })),
    );
    expect(e.message).toBe("port 3389 is not in JIT policy 'web-jit' for VM web-01 (allowed: 22, 5986)");
  });

  it('refuses a duration above maxRequestAccessDuration, with the maximum in minutes', () => {
    const e = policyError(() =>
      validateRequest([match('win-01', [tcp(3389, 'PT1H')])], input({ ports: [3389], durationMinutes: 90 })),
    );
    expect(e.message).toContain('duration 90 minutes');
    expect(e.message).toContain('PT1H (60 minutes)');
    expect(e.hint).toContain('60 or less');
  });

  it('accepts a duration equal to the maximum', () => {
    expect(() =>
      validateRequest([match('win-01', [tcp(3389, 'PT1H')])], input({ ports: [3389], durationMinutes: 60 })),
    ).not.toThrow();
  });

  it('matches source prefixes verbatim and suggests the containing prefix', () => {
    const e = policyError(() =>
      validateRequest(
        [match('api-01', [tcp(22, 'PT1H', ['203.0.113.10', '198.51.100.0/24'])], 'default')],
        input({ source: { kind: 'explicit', prefix: '198.51.100.7' } }),
      ),
    );
    expect(e.message).toContain('source 198.51.100.7 is not allowed');
    expect(e.message).toContain('verbatim');
    expect(e.message).toContain("Set source to '198.51.100.0/24' exactly");
  });

  it('accepts a source listed in allowedSourceAddressPrefixes exactly', () => {
    expect(() =>
      validateRequest(
        [match('api-01', [tcp(22, 'PT1H', ['203.0.113.10', '198.51.100.0/24'])])],
        input({ source: { kind: 'explicit', prefix: '198.51.100.0/24' } }),
      ),
    ).not.toThrow();
  });

  it('explains an IPv6 source against IPv4-only prefixes', () => {
    // A dual-stack VM: an IPv6 source is possible, but this policy only allows IPv4 prefixes.
    const dual = match('api-01', [tcp(22, 'PT1H', ['203.0.113.10'])]);
    const e = policyError(() =>
      validateRequest(
        [{ ...dual, vm: { ...dual.vm, privateIps: [...dual.vm.privateIps, 'fd00::4'] } }],
        input({ source: { kind: 'auto', prefix: '2001:db8::1' } }),
      ),
    );
    expect(e.message).toContain('IPv6');
    expect(e.message).toContain('only allows IPv4 sources (203.0.113.10)');
  });

  it('warns (does not fail) for source azure against a restricted policy, passes silently for *', () => {
    const restricted = validateRequest(
      [match('api-01', [tcp(22, 'PT1H', ['203.0.113.10'])])],
      input({ source: { kind: 'azure' } }),
    );
    expect(restricted.warnings).toHaveLength(1);
    expect(render(restricted.warnings[0] ?? '', GITHUB)).toContain('203.0.113.10');
    expect(
      validateRequest([match('web-01', [tcp(22)])], input({ source: { kind: 'azure' } })).warnings,
    ).toEqual([]);
  });

  it('reports every violation of every VM together', () => {
    const e = policyError(() =>
      validateRequest(
        [match('web-01', [tcp(22, 'PT1H')]), match('win-01', [tcp(3389, 'PT1H', '10.0.0.0/8')], 'web-jit')],
        input({ ports: [22, 3389], durationMinutes: 120 }),
      ),
    );
    // web-01: 3389 missing, 22 too long; win-01: 22 missing, 3389 too long, 3389 source
    expect(e.more.length + 1).toBe(5);
    expect(e.message).toContain('port 3389 is not in JIT policy');
    expect(e.message).toContain('port 22 is not in JIT policy');
  });

  it('refuses a VM without any NSG on its path', () => {
    const e = policyError(() => validateRequest([match('web-09', [tcp(22)], 'web-jit', 0)], input()));
    expect(e.message).toContain('no network security group');
  });
});

describe('isoDurationMinutes', () => {
  it.each([
    ['PT3H', 180],
    ['PT30M', 30],
    ['P1D', 1440],
    ['PT1H30M', 90],
    ['PT90S', 1.5],
  ])('%s = %d minutes', (iso, minutes) => expect(isoDurationMinutes(iso)).toBe(minutes));

  // Anchored: tinyduration alone reads the first duration it finds and ignores the rest.
  it.each(['', 'three hours', 'P1M', '-PT1H', 'PT5Mjunk', 'xPT5M', 'PT', 'P'])('%j is not usable', (iso) =>
    expect(isoDurationMinutes(iso)).toBeUndefined(),
  );
});
