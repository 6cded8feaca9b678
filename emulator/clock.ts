/**
 * The emulator's virtual clock. Virtual time runs at the speed of real time plus
 * an offset that tests push forward with `advance(ms)`, so a 3-hour JIT window
 * expires in milliseconds while the demo still sees rules appear after real seconds.
 *
 * Work scheduled for a virtual instant (rule creation after the configured delay,
 * expiry at `endTimeUtc`) runs either when a real timer fires or synchronously
 * inside `advance`, whichever comes first; `runDue()` is also called before every
 * request so a response never shows state that should already have changed.
 */
export interface Clock {
  now(): Date;
  nowMs(): number;
  advance(ms: number): void;
  /** Stops virtual time from following real time (only `advance` moves it), for exact timing tests. */
  freeze(): void;
  unfreeze(): void;
  /** Runs `task` once virtual time reaches `atMs` (immediately via runDue if already past). */
  schedule(atMs: number, task: () => void): void;
  runDue(): void;
  stop(): void;
}

interface Task {
  at: number;
  seq: number;
  run: () => void;
}

export function createClock(): Clock {
  let offset = 0;
  let seq = 0;
  let tasks: Task[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running = false;
  let frozenAt: number | undefined;

  const nowMs = (): number => frozenAt ?? Date.now() + offset;

  function arm(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stopped || tasks.length === 0 || frozenAt !== undefined) return;
    const next = tasks.reduce((a, b) => (a.at <= b.at ? a : b));
    // Cap the wait so a long expiry never overflows setTimeout's 2^31 ms limit.
    const wait = Math.min(Math.max(0, next.at - nowMs()), 2 ** 30);
    timer = setTimeout(runDue, wait);
    timer.unref();
  }

  function runDue(): void {
    if (running) return; // a task that schedules or advances must not re-enter
    running = true;
    try {
      for (;;) {
        const due = tasks.filter((t) => t.at <= nowMs());
        if (due.length === 0) break;
        due.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const first = due[0] as Task;
        tasks = tasks.filter((t) => t !== first);
        first.run();
      }
    } finally {
      running = false;
      arm();
    }
  }

  return {
    now: () => new Date(nowMs()),
    nowMs,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0)
        throw new Error(`clock.advance: ms must be a finite number >= 0, got ${ms}`);
      if (frozenAt !== undefined) frozenAt += ms;
      else offset += ms;
      runDue();
    },
    freeze(): void {
      frozenAt ??= nowMs();
      arm();
    },
    unfreeze(): void {
      if (frozenAt === undefined) return;
      offset = frozenAt - Date.now();
      frozenAt = undefined;
      arm();
    },
    schedule(atMs: number, task: () => void): void {
      tasks.push({ at: atMs, seq: seq++, run: task });
      if (atMs <= nowMs()) runDue();
      else arm();
    },
    runDue,
    stop(): void {
      stopped = true;
      tasks = [];
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
