/**
 * readBatched: when a list replaces GETs, and what each wanted item gets when
 * the list fails, is refused, lacks it or costs as much as the GETs.
 */
import { RestError } from '@azure/core-rest-pipeline';
import {
  callsFor,
  LIST_THRESHOLD,
  prefetchList,
  readBatched,
  type ListableKind,
  type Wanted,
} from '../../../../shared/azure/batchReads';
import type { AzureClients } from '../../../../shared/azure/clients';

interface Item {
  id: string;
  n: number;
}
const id = (rg: string, name: string) => `/subscriptions/s/resourceGroups/${rg}/providers/X/things/${name}`;

/** A kind whose list answers `pages` (or throws `status`), counting calls. */
function world(opts: { pages?: Item[][]; status?: number } = {}) {
  const calls: string[] = [];
  const kind: ListableKind<Item> = {
    plural: 'things',
    threshold: LIST_THRESHOLD,
    list: (_c, scope) => {
      const pages = opts.pages ?? [];
      async function* byPage() {
        calls.push(`LIST ${scope.resourceGroup}`);
        await Promise.resolve();
        if (opts.status) throw new RestError('no', { statusCode: opts.status });
        for (const [i, page] of pages.entries()) {
          if (i > 0) calls.push(`LIST ${scope.resourceGroup} page ${i + 1}`);
          yield page;
        }
      }
      return {
        async *[Symbol.asyncIterator]() {
          for await (const page of byPage()) yield* page;
        },
        byPage,
      };
    },
  };
  const wanted = (rg: string, name: string, n: number): Wanted<Item> => ({
    id: id(rg, name),
    scope: { subscriptionId: 's', resourceGroup: rg },
    get: () => {
      calls.push(`GET ${name}`);
      return n < 0
        ? Promise.reject(new RestError('not found', { statusCode: 404 }))
        : Promise.resolve({ id: id(rg, name), n });
    },
  });
  return { calls, kind, wanted, clients: {} as AzureClients };
}

it('below the threshold each item is read by GET; from it, one list per resource group', async () => {
  const w = world({ pages: [[1, 2, 3].map((n) => ({ id: id('A', `t${n}`).toUpperCase(), n }))] });
  const few = readBatched(w.clients, w.kind, [w.wanted('B', 'b1', 1), w.wanted('B', 'b2', 2)]);
  const many = readBatched(
    w.clients,
    w.kind,
    [1, 2, 3, 1].map((n) => w.wanted('A', `t${n}`, n)),
  );
  expect((await Promise.all(few)).map((i) => i.n)).toEqual([1, 2]);
  // Matched ignoring case; the same ID twice shares the one read.
  expect((await Promise.all(many)).map((i) => i.n)).toEqual([1, 2, 3, 1]);
  expect(w.calls.sort()).toEqual(['GET b1', 'GET b2', 'LIST A']);
});

it('follows every page; an item the list lacks is read by its own GET, which reports its 404', async () => {
  const w = world({ pages: [[{ id: id('A', 't1'), n: 1 }], [{ id: id('A', 't2'), n: 2 }], []] });
  const reads = readBatched(w.clients, w.kind, [
    w.wanted('A', 't1', 1),
    w.wanted('A', 't2', 2),
    w.wanted('A', 'gone', -1),
    w.wanted('A', 't4', 4),
    w.wanted('A', 't5', 5),
  ]);
  const settled = await Promise.allSettled(reads);
  expect(
    settled.map((s) => (s.status === 'fulfilled' ? s.value.n : (s.reason as RestError).statusCode)),
  ).toEqual([1, 2, 404, 4, 5]);
  expect(w.calls.sort()).toEqual([
    'GET gone',
    'GET t4',
    'GET t5',
    'LIST A',
    'LIST A page 2',
    'LIST A page 3',
  ]);
});

it.each([403, 404])(
  'a list answered %i falls back to GETs, and is not asked again in the run',
  async (status) => {
    const w = world({ status });
    const items = [1, 2, 3].map((n) => w.wanted('A', `t${n}`, n));
    expect((await Promise.all(readBatched(w.clients, w.kind, items))).map((i) => i.n)).toEqual([1, 2, 3]);
    await Promise.all(readBatched(w.clients, w.kind, items));
    expect(w.calls.filter((c) => c.startsWith('LIST'))).toEqual(['LIST A']);
    expect(w.calls.filter((c) => c.startsWith('GET'))).toHaveLength(6);
    // Another run (another clients object) tries the list again.
    await Promise.all(readBatched({} as AzureClients, w.kind, items));
    expect(w.calls.filter((c) => c.startsWith('LIST'))).toEqual(['LIST A', 'LIST A']);
  },
);

it('any other list failure is each wanted item’s failure (no silent fallback)', async () => {
  const w = world({ status: 503 });
  const settled = await Promise.allSettled(
    readBatched(
      w.clients,
      w.kind,
      [1, 2, 3].map((n) => w.wanted('A', `t${n}`, n)),
    ),
  );
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(settled[0]?.status === 'rejected' && String(settled[0].reason)).toContain(
    "list things in resource group 'A'",
  );
  expect(w.calls).toEqual(['LIST A']);
});

it('a list that took as many pages as items wanted is replaced by GETs for the rest of the run', async () => {
  const w = world({ pages: [1, 2, 3].map((n) => [{ id: id('A', `t${n}`), n }]) });
  const items = [1, 2, 3].map((n) => w.wanted('A', `t${n}`, n));
  await Promise.all(readBatched(w.clients, w.kind, items));
  expect(w.calls.filter((c) => c.startsWith('GET'))).toEqual([]);
  await Promise.all(readBatched(w.clients, w.kind, items));
  expect(w.calls.filter((c) => c.startsWith('LIST A'))).toHaveLength(3);
  expect(w.calls.filter((c) => c.startsWith('GET'))).toEqual(['GET t1', 'GET t2', 'GET t3']);
});

it('callsFor counts what a round of reads costs: one per listed group, one per GET, GETs after a refused list', async () => {
  const w = world({ status: 403 });
  const scope = (rg: string) => ({ subscriptionId: 's', resourceGroup: rg });
  const scopes = [...['A', 'A', 'A', 'A'].map(scope), ...['B', 'B'].map(scope)];
  // A: 4 wanted, listed (1 call); B: 2 wanted, below the threshold (2 GETs).
  expect(callsFor(w.clients, w.kind, scopes)).toBe(3);
  // A's list is refused: A is read by GETs from now on, and the count says so.
  await Promise.allSettled(
    readBatched(
      w.clients,
      w.kind,
      [1, 2, 3, 4].map((n) => w.wanted('A', `a${n}`, n)),
    ),
  );
  expect(callsFor(w.clients, w.kind, scopes)).toBe(6);
});

it('a prefetched list serves the next read of its group once; the read after lists again', async () => {
  const w = world({ pages: [[1, 2, 3].map((n) => ({ id: id('A', `t${n}`), n }))] });
  const wanted = [1, 2, 3].map((n) => w.wanted('A', `t${n}`, n));
  prefetchList(w.clients, w.kind, { subscriptionId: 's', resourceGroup: 'A' }, 3);
  prefetchList(w.clients, w.kind, { subscriptionId: 's', resourceGroup: 'B' }, 2); // below the threshold: nothing
  expect(w.calls).toEqual(['LIST A']);
  expect((await Promise.all(readBatched(w.clients, w.kind, wanted))).map((i) => i.n)).toEqual([1, 2, 3]);
  expect(w.calls).toEqual(['LIST A']);
  await Promise.all(readBatched(w.clients, w.kind, wanted));
  expect(w.calls).toEqual(['LIST A', 'LIST A']);
});
