import { cacheIdToken } from '../../../action/idTokenCache';
import { idTokenExpiry } from '../../../action/idTokenClaims';

const jwt = (exp: number): string =>
  ['{"alg":"RS256"}', JSON.stringify({ exp, n: Math.random() })]
    .map((p) => Buffer.from(p).toString('base64url'))
    .join('.') + '.sig';

describe('cacheIdToken', () => {
  it('reuses a token until a minute before it expires, then fetches a new one', async () => {
    let now = 1_000_000_000_000;
    const issued: string[] = [];
    const fetch = () => {
      const token = jwt(Math.floor(now / 1000) + 300); // GitHub: 5 minutes
      issued.push(token);
      return Promise.resolve(token);
    };
    const get = cacheIdToken(fetch, () => now);

    const first = await get();
    now += 239_000;
    expect(await get()).toBe(first);
    now += 2_000; // 59 s left
    const second = await get();

    expect(second).not.toBe(first);
    expect(issued).toEqual([first, second]);
  });

  it('shares one request between concurrent callers, and retries after a failure', async () => {
    let calls = 0;
    const get = cacheIdToken(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('503')) : Promise.resolve(jwt(4_000_000_000));
    });

    await expect(Promise.all([get(), get()])).rejects.toThrow('503');
    expect(calls).toBe(1);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(calls).toBe(2);
  });

  it('does not cache a token without an expiry', async () => {
    let calls = 0;
    const get = cacheIdToken(() => Promise.resolve(`opaque-${++calls}`));
    expect([await get(), await get()]).toEqual(['opaque-1', 'opaque-2']);
    expect(idTokenExpiry('opaque')).toBeUndefined();
  });
});
