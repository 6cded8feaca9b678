/**
 * closeByAddress with a fake Azure: exactly the JIT allow rules for the source,
 * port and VM are deleted (confirmed by the rule's own 404), a rule that also
 * opens another port is kept with a warning, a rule written again is deleted
 * again, and a refused delete fails with Azure's 403.
 */
import { AzureApiError } from '../../../../shared/errors';
import { closeByAddress } from '../../../../shared/ops/closeByAddress';
import { FakeWorld, jitRule, SUB } from './fakeWorld';

const ref = (name: string) => ({ input: name, name, resourceGroup: 'rg-web', subscriptionId: SUB });
const SOURCE = '203.0.113.10';

function world(): FakeWorld {
  const w = new FakeWorld();
  w.addVm('web-01', '10.0.1.4');
  w.addVm('web-02', '10.0.1.5');
  w.nsgs.set('web-01-nsg', [
    jitRule(1, SOURCE, ['22'], '10.0.1.4'), // ours: deleted
    jitRule(2, '198.51.100.7', ['22'], '10.0.1.4'), // a colleague's source
    jitRule(3, SOURCE, ['22'], '10.0.1.99'), // another destination
    jitRule(4, SOURCE, ['3389', '5986'], '10.0.1.4'), // also opens 5986
    { ...jitRule(5, SOURCE, ['22'], '10.0.1.4'), name: 'my-own-allow-ssh' }, // not a JIT rule
  ]);
  w.nsgs.set('web-02-nsg', [jitRule(6, `${SOURCE}/32`, ['22'], '10.0.1.5')]);
  return w;
}

function log() {
  const lines: { info: string[]; warning: string[] } = { info: [], warning: [] };
  return {
    lines,
    log: {
      info: (m: string) => lines.info.push(m),
      warning: (m: string) => lines.warning.push(m),
      debug: () => undefined,
    },
  };
}

it('deletes only the matching JIT allow rules and says what it kept', async () => {
  const w = world();
  const { lines, log: l } = log();
  const closed = await closeByAddress(
    w.clients(),
    { vms: [ref('web-01'), ref('web-02')], ports: [22, 3389], source: SOURCE },
    l,
    undefined,
    { recheckDelayMs: 0 },
  );
  expect(closed).toEqual([
    {
      vm: 'web-01',
      nsg: 'web-01-nsg',
      rule: jitRule(1, '', [], '').name,
      port: 22,
      source: SOURCE,
      outcome: 'deleted',
    },
    {
      vm: 'web-02',
      nsg: 'web-02-nsg',
      rule: jitRule(6, '', [], '').name,
      port: 22,
      source: SOURCE,
      outcome: 'deleted',
    },
  ]);
  expect(w.rules('web-01-nsg').map((r) => r.name)).toEqual(
    [2, 3, 4].map((n) => jitRule(n, '', [], '').name).concat('my-own-allow-ssh'),
  );
  expect(w.rules('web-02-nsg')).toEqual([]);
  expect(lines.warning).toEqual([
    `Not deleting ${jitRule(4, '', [], '').name} in web-01-nsg: it also opens port(s) 3389, 5986; add them to --ports to close it.`,
  ]);
  // Each delete is confirmed by reading the rule until it answers 404.
  expect(w.calls.filter((c) => c.startsWith('GET rule'))).toHaveLength(2);
});

it('a rule written again after its delete is deleted once more', async () => {
  const w = world();
  let rewrites = 0;
  w.afterDelete = (nsg, name) => {
    if (nsg === 'web-01-nsg' && rewrites++ === 0)
      setTimeout(() => w.rules(nsg).push({ ...jitRule(1, SOURCE, ['22'], '10.0.1.4'), name }), 0);
  };
  const { lines, log: l } = log();
  await closeByAddress(w.clients(), { vms: [ref('web-01')], ports: [22], source: SOURCE }, l, undefined, {
    recheckDelayMs: 20,
  });
  expect(lines.warning.join('\n')).toContain('is back in web-01-nsg after it was deleted; deleting it again');
  expect(w.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(2);
  expect(w.rules('web-01-nsg').some((r) => r.name === jitRule(1, '', [], '').name)).toBe(false);
});

it('nothing matching: nothing deleted, no re-check', async () => {
  const w = world();
  const closed = await closeByAddress(
    w.clients(),
    { vms: [ref('web-01')], ports: [22], source: '192.0.2.1' },
    log().log,
    undefined,
    { recheckDelayMs: 60_000 },
  );
  expect(closed).toEqual([]);
  expect(w.calls.filter((c) => c.startsWith('DELETE'))).toEqual([]);
});

it('a refused delete fails with the 403, and the rule stays', async () => {
  const w = world();
  w.deleteStatus = 403;
  const run = closeByAddress(w.clients(), { vms: [ref('web-02')], ports: [22], source: SOURCE }, log().log);
  await expect(run).rejects.toBeInstanceOf(AzureApiError);
  await expect(run).rejects.toMatchObject({ status: 403 });
  expect(w.rules('web-02-nsg')).toHaveLength(1);
});
