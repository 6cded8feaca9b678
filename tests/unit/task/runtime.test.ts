/** The entry's mapping of the core's verdict to task.complete and the exit code. */
import './agentTemp'; // first: task-lib writes its vault key where it loads
import { AuthError } from '../../../shared/errors';
import type { AdoPlatform } from '../../../task/adoPlatform';
import { finish } from '../../../task/runtime';

function fakePlatform(alreadyFailed = false) {
  const calls: string[] = [];
  const platform = {
    failed: alreadyFailed,
    succeed: (m: string) => calls.push(`succeed:${m}`),
    setFailed: (m: string) => calls.push(`failed:${m}`),
  };
  return { platform: platform as unknown as AdoPlatform, calls };
}

describe('finish', () => {
  const before = process.exitCode;
  afterEach(() => {
    process.exitCode = before;
  });

  it('reports success with task.complete Succeeded and exit code 0', async () => {
    const { platform, calls } = fakePlatform();
    await finish(platform, Promise.resolve({ ok: true }));
    expect(calls).toEqual(['succeed:']);
    expect(process.exitCode).toBe(0);
  });

  it('does not report a second failure when the core already failed the step', async () => {
    const { platform, calls } = fakePlatform(true);
    await finish(platform, Promise.resolve({ ok: false }));
    expect(calls).toEqual([]);
    expect(process.exitCode).toBe(1);
  });

  it('fails the step when the core returns false without saying why', async () => {
    const { platform, calls } = fakePlatform();
    await finish(platform, Promise.resolve({ ok: false }));
    expect(calls).toEqual(['failed:The step did not complete; see the log above.']);
  });

  it('fails the step with the error and its hint when the core breaks its no-throw contract', async () => {
    const { platform, calls } = fakePlatform();
    await finish(platform, Promise.reject(new AuthError('sign-in failed', 'check the connection')));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('sign-in failed');
    expect(calls[0]).toContain('check the connection');
    expect(process.exitCode).toBe(1);
  });
});
