/**
 * runMain and runPost resolve to what happened as data: the front-ends pick
 * exit codes and next steps from these fields, never from log text or state.
 */
import { failureOutcome } from '../../../shared/jit/close';
import { AzureApiError, InputError } from '../../../shared/errors';
import { leftOpen } from '../../../shared/outcome';
import { runMain, runPost } from '../../../shared/run';
import type { Connect } from '../../../shared/session';
import { FakePlatform } from '../../helpers/fakePlatform';

const noConnect: Connect = () => Promise.reject(new Error('connect must not be called'));

function savedState(closeOnPost: 'delete-rule' | 'none'): string {
  return JSON.stringify({
    version: 1,
    createdAt: '2026-12-01T10:00:00.000Z',
    cloud: {
      name: 'AzureCloud',
      resourceManager: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
      scope: 'https://management.azure.com/.default',
    },
    subscriptionIds: ['sub'],
    closeOnPost,
    source: { kind: 'explicit', prefix: '203.0.113.10' },
    requests: [
      {
        policyId:
          '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/p',
        policyName: 'p',
        resourceGroup: 'rg',
        location: 'eastus',
        status: 'accepted',
        startTimeUtc: '2026-12-01T10:00:00.000Z',
        endTimeUtc: '2026-12-01T11:00:00.000Z',
        vms: [
          {
            id: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01',
            name: 'web-01',
            privateIps: ['10.0.1.4'],
            ports: [22],
            nsgIds: [],
            rules: [],
          },
        ],
      },
    ],
  });
}

describe('runMain', () => {
  it('bad inputs: not ok, the typed error, a failed summary, nothing recorded', async () => {
    const platform = new FakePlatform({ inputs: { vms: 'web-01', ports: '22,abc' } });
    const outcome = await runMain({ platform, connect: noConnect });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(InputError);
    expect(outcome.summary).toMatchObject({ kind: 'main', outcome: 'failed' });
    expect(outcome.recorded).toBe(false);
    // The platform got the same: the failure text and the one summary.
    expect(platform.failures.join('\n')).toContain('abc');
  });
});

describe('runPost', () => {
  it('no saved state: nothing to close, nothing left open', async () => {
    const outcome = await runPost({ platform: new FakePlatform(), connect: noConnect });
    expect(outcome).toEqual({ ok: true, result: 'nothing-to-close' });
    expect(leftOpen(outcome)).toBe(false);
  });

  it('unreadable state: success (JIT closes it by itself), but reported as possibly open', async () => {
    const platform = new FakePlatform({ state: { 'jit-state': '{not json' } });
    const outcome = await runPost({ platform, connect: noConnect });
    expect(outcome).toEqual({ ok: true, result: 'state-unreadable' });
    expect(leftOpen(outcome)).toBe(true);
  });

  it('close-on-post none: left open on purpose, with its summary', async () => {
    const platform = new FakePlatform({ state: { 'jit-state': savedState('none') } });
    const outcome = await runPost({ platform, connect: noConnect });
    expect(outcome).toMatchObject({ ok: true, result: 'left-open' });
    expect(outcome.summary?.remaining).toEqual([
      { vm: 'web-01', until: '2026-12-01T11:00:00.000Z', reason: expect.stringContaining('none') as unknown },
    ]);
    expect(leftOpen(outcome)).toBe(true);
  });

  it('a sign-in failure: not ok, the typed error and a post summary naming the problem', async () => {
    const platform = new FakePlatform({ state: { 'jit-state': savedState('delete-rule') } });
    const connect: Connect = () => Promise.reject(new InputError('vms', '', 'is required'));
    const outcome = await runPost({ platform, connect });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('input');
    expect(outcome.summary.kind).toBe('post');
    expect(outcome.summary.problems?.length).toBe(1);
  });
});

describe('failureOutcome', () => {
  const azure = (status: number | undefined) =>
    new AzureApiError({ status, code: 'X', azureMessage: 'm', operation: 'delete rule' });
  it("a 403 is 'forbidden' (a missing permission), anything else 'failed'", () => {
    expect(failureOutcome(azure(403))).toBe('forbidden');
    expect(failureOutcome(azure(409))).toBe('failed');
    expect(failureOutcome(azure(undefined))).toBe('failed');
    expect(failureOutcome(new Error('403'))).toBe('failed');
  });
});
