/**
 * The emulator's concurrent-writer switch (emulator/control/concurrentWriter.ts):
 * which logged calls count as reads of the policy, and when the change lands.
 */
import type { JitPolicyState } from '../../../emulator/arm/state';
import {
  createConcurrentWriter,
  readsPolicy,
  writesPolicy,
} from '../../../emulator/control/concurrentWriter';
import type { RequestLogEntry } from '../../../emulator/control/requestLog';

const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
const policy = {
  id: `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`,
  name: 'web-jit',
  subscriptionId: SUB,
  resourceGroup: 'rg-web',
  location: 'eastus',
  virtualMachines: [],
} as unknown as JitPolicyState;

const entry = (method: string, path: string, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  time: new Date(),
  method,
  path,
  status: 200,
  durationMs: 1,
  provider: 'security',
  write: method !== 'GET',
  principal: 'admin',
  ...extra,
});

const sec = (tail: string): string => `/subscriptions/${SUB}${tail}`;

describe('readsPolicy', () => {
  it.each([
    [
      sec(
        '/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit',
      ),
      true,
    ],
    [
      sec('/resourceGroups/RG-WEB/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies'),
      true,
    ],
    [sec('/resourceGroups/rg-web/providers/Microsoft.Security/jitNetworkAccessPolicies'), true],
    [sec('/providers/Microsoft.Security/jitNetworkAccessPolicies'), true],
    [sec('/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies'), true],
    [sec('/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies'), false],
    [sec('/resourceGroups/rg-api/providers/Microsoft.Security/jitNetworkAccessPolicies'), false],
    [
      sec(
        '/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/other',
      ),
      false,
    ],
    [
      '/subscriptions/b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e/providers/Microsoft.Security/jitNetworkAccessPolicies',
      false,
    ],
  ])('%s → %s', (path, expected) => {
    expect(readsPolicy(entry('GET', path), policy)).toBe(expected);
  });

  it('writes, failed reads and other providers are not reads of the policy', () => {
    const path = sec(
      '/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit',
    );
    expect(readsPolicy(entry('PUT', path), policy)).toBe(false);
    expect(readsPolicy(entry('GET', path, { status: 429 }), policy)).toBe(false);
    expect(readsPolicy(entry('GET', path, { provider: 'network' }), policy)).toBe(false);
  });
});

describe('writesPolicy', () => {
  const path = sec(
    '/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit',
  );
  it('is an answered PUT of exactly that policy', () => {
    expect(writesPolicy(entry('PUT', path), policy)).toBe(true);
    expect(writesPolicy(entry('PUT', path, { status: 403 }), policy)).toBe(false);
    expect(writesPolicy(entry('GET', path), policy)).toBe(false);
    expect(writesPolicy(entry('PUT', path.replace('web-jit', 'other')), policy)).toBe(false);
  });
});

describe('createConcurrentWriter', () => {
  const read = entry(
    'GET',
    sec(
      '/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit',
    ),
  );

  function writer() {
    const applied: string[] = [];
    const w = createConcurrentWriter({
      findPolicy: (name) => {
        if (name !== 'web-jit') throw new Error(`No single JIT policy named '${name}'`);
        return policy;
      },
      apply: (_p, update) => applied.push(typeof update === 'function' ? 'fn' : 'list'),
    });
    return { w, applied };
  }

  it('fires once, after the given number of reads by the given principal', () => {
    const { w, applied } = writer();
    w.arm({ policy: 'web-jit', afterReads: 2, principal: 'admin', update: { virtualMachines: [] } });
    w.observe({ ...read, principal: 'someone-else' });
    w.observe(read);
    expect(applied).toEqual([]);
    w.observe(read);
    expect(applied).toEqual(['list']);
    w.observe(read);
    expect(applied).toEqual(['list']);
    expect(w.fired()).toBe(1);
  });

  it("trigger 'write' fires after the policy's PUT, not after reads", () => {
    const { w, applied } = writer();
    w.arm({ policy: 'web-jit', trigger: 'write', update: () => undefined });
    w.observe(read);
    expect(applied).toEqual([]);
    w.observe({ ...read, method: 'PUT', write: true });
    expect(applied).toEqual(['fn']);
  });

  it('clear disarms; an unknown policy is refused when armed; a failing update is kept, not thrown', () => {
    const { w, applied } = writer();
    w.arm({ policy: 'web-jit', update: () => undefined });
    w.clear();
    w.observe(read);
    expect(applied).toEqual([]);
    expect(() => w.arm({ policy: 'nope', update: () => undefined })).toThrow(/No single JIT policy/);
    expect(() => w.arm({ policy: 'web-jit', afterReads: 0, update: () => undefined })).toThrow(/afterReads/);

    const failing = createConcurrentWriter({
      findPolicy: () => policy,
      apply: () => {
        throw new Error('boom');
      },
    });
    failing.arm({ policy: 'web-jit', update: () => undefined });
    expect(() => failing.observe(read)).not.toThrow();
    expect(failing.errors()).toEqual(['boom']);
    expect(failing.fired()).toBe(0);
  });
});
