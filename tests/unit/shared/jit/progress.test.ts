import { ProgressTracker } from '../../../../shared/jit/progress';
import type { Expectation } from '../../../../shared/jit/expectation';

const NSG = (name: string): string =>
  `/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/${name}`;

function expectation(vm: string, nsg: string, level: 'nic' | 'subnet', port = 22): Expectation {
  return {
    vm: { name: vm, nsgs: [{ id: NSG(nsg), level }] },
    nsgId: NSG(nsg),
    target: { port },
  } as unknown as Expectation;
}

function tracker(options: { intervalMs?: number; status?: boolean } = {}) {
  let now = 1_000_000;
  const lines: string[] = [];
  const statuses: string[] = [];
  const t = new ProgressTracker({
    timeoutMs: 300_000,
    report: (l) => lines.push(l),
    now: () => now,
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    ...(options.status ? { status: (s: string) => statuses.push(s) } : {}),
  });
  return { t, lines, statuses, advance: (ms: number) => (now += ms) };
}

describe('ProgressTracker', () => {
  const nic = expectation('web-01', 'web-01-nsg', 'nic');
  const subnet = expectation('web-01', 'snet-web-nsg', 'subnet');

  it('says at once what it waits for, then one line per pending VM/NSG every interval', () => {
    const { t, lines, advance } = tracker({ intervalMs: 10_000 });
    t.round([nic, subnet]);
    expect(lines).toEqual([
      'web-01: waiting for the allow rule in web-01-nsg (NIC), 0 s of 300 s',
      'web-01: waiting for the allow rule in snet-web-nsg (subnet), 0 s of 300 s',
    ]);
    advance(5_000);
    t.round([nic, subnet]);
    expect(lines).toHaveLength(2);
    advance(5_000);
    t.round([subnet]);
    expect(lines.slice(2)).toEqual([
      'web-01: waiting for the allow rule in snet-web-nsg (subnet), 10 s of 300 s',
    ]);
  });

  it('takes the interval from the caller', () => {
    const { t, lines, advance } = tracker({ intervalMs: 1_000 });
    for (let i = 0; i < 4; i++) {
      t.round([nic]);
      advance(500);
    }
    expect(lines).toHaveLength(2);
  });

  it('reports each change once: a rule seen, then live with the time it took', () => {
    const { t, lines, advance } = tracker();
    advance(1_500);
    t.ruleSeen(nic, 'SecurityCenter-JITRule-1-AB', 'Updating');
    t.ruleSeen(nic, 'SecurityCenter-JITRule-1-AB', 'Updating');
    advance(2_600);
    t.ruleLive(nic, 'SecurityCenter-JITRule-1-AB');
    t.ruleLive(nic, 'SecurityCenter-JITRule-1-AB');
    expect(lines).toEqual([
      'web-01: rule SecurityCenter-JITRule-1-AB is Updating in web-01-nsg (NIC)',
      'web-01: rule SecurityCenter-JITRule-1-AB live in web-01-nsg after 4.1 s',
    ]);
    expect(t.liveAfterMs(nic)).toBe(4_100);
    expect(t.liveAfterMs(subnet)).toBeUndefined();
  });

  it('says one line for several ports of a VM in the same NSG', () => {
    const { t, lines } = tracker();
    const other = expectation('web-01', 'web-01-nsg', 'nic', 5986);
    t.round([nic, other]);
    t.ruleLive(nic, 'R');
    t.ruleLive(other, 'R');
    expect(lines).toHaveLength(2);
  });

  it('says a state once per VM/NSG while another port of it is in that state, and again after', () => {
    const { t, lines } = tracker();
    const [a, b, c] = [22, 3389, 5986].map((port) => expectation('web-01', 'web-01-nsg', 'nic', port));
    const other = expectation('web-02', 'web-01-nsg', 'nic');
    t.ruleSeen(a!, 'R', 'Updating');
    t.ruleSeen(b!, 'r', 'Updating');
    t.ruleSeen(other, 'R', 'Updating');
    t.ruleSeen(a!, 'R', 'Succeeded');
    t.ruleSeen(b!, 'R', 'Succeeded');
    // No port of web-01 in web-01-nsg is Updating any more: a third one being so is news.
    t.ruleSeen(c!, 'R', 'Updating');
    expect(lines).toEqual([
      'web-01: rule R is Updating in web-01-nsg (NIC)',
      'web-02: rule R is Updating in web-01-nsg (NIC)',
      'web-01: rule R is Succeeded in web-01-nsg (NIC)',
      'web-01: rule R is Updating in web-01-nsg (NIC)',
    ]);
  });

  it('on a status line, updates it every round instead of logging waiting lines', () => {
    const { t, lines, statuses, advance } = tracker({ status: true });
    t.round([nic, subnet]);
    advance(1_000);
    t.round([subnet]);
    expect(lines).toEqual([]);
    expect(statuses).toEqual([
      'web-01: waiting for the allow rule in web-01-nsg (NIC), 0 s of 300 s (and 1 more NSG(s))',
      'web-01: waiting for the allow rule in snet-web-nsg (subnet), 1 s of 300 s',
    ]);
  });
});
