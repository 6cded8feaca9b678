import { createClock } from '../../../emulator/clock';

describe('virtual clock', () => {
  test('advance moves time and runs due tasks in time order', () => {
    const clock = createClock();
    clock.freeze();
    const start = clock.nowMs();
    const ran: string[] = [];
    clock.schedule(start + 2000, () => ran.push('b'));
    clock.schedule(start + 1000, () => ran.push('a'));
    clock.schedule(start + 1000, () => ran.push('a2'));
    clock.advance(999);
    expect(ran).toEqual([]);
    clock.advance(1);
    expect(ran).toEqual(['a', 'a2']);
    clock.advance(5000);
    expect(ran).toEqual(['a', 'a2', 'b']);
    expect(clock.nowMs() - start).toBe(6000);
    clock.stop();
  });

  test('a task in the past runs at once; tasks may schedule more work', () => {
    const clock = createClock();
    clock.freeze();
    const ran: number[] = [];
    clock.schedule(clock.nowMs() - 1, () => {
      ran.push(1);
      clock.schedule(clock.nowMs(), () => ran.push(2));
    });
    expect(ran).toEqual([1, 2]);
    clock.stop();
  });

  test('unfrozen, virtual time follows real time and real timers fire', async () => {
    const clock = createClock();
    const fired = new Promise<number>((resolve) =>
      clock.schedule(clock.nowMs() + 20, () => resolve(clock.nowMs())),
    );
    const before = clock.nowMs();
    expect((await fired) - before).toBeGreaterThanOrEqual(20);
    clock.stop();
  });

  test('advance refuses negative or non-finite values', () => {
    const clock = createClock();
    expect(() => clock.advance(-1)).toThrow(/>= 0/);
    expect(() => clock.advance(Number.NaN)).toThrow(/finite/);
    clock.stop();
  });
});
