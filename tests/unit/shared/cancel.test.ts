import { EventEmitter } from 'node:events';
import { abortSignalFromProcess, throwIfCancelled, type SignalSource } from '../../../shared/cancel';
import { CancelledError } from '../../../shared/errors';

class FakeProcess extends EventEmitter implements SignalSource {
  readonly exits: number[] = [];
  exit(code: number): never {
    this.exits.push(code);
    return undefined as never;
  }
}

describe('abortSignalFromProcess', () => {
  it('aborts on the first SIGINT with a CancelledError, exits on the second', () => {
    const proc = new FakeProcess();
    const seen: string[] = [];
    const c = abortSignalFromProcess(proc, (s) => seen.push(s));
    expect(c.signal.aborted).toBe(false);
    proc.emit('SIGINT');
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBeInstanceOf(CancelledError);
    expect((c.signal.reason as CancelledError).message).toBe('The run was cancelled (SIGINT).');
    expect(proc.exits).toEqual([]);
    proc.emit('SIGTERM');
    expect(proc.exits).toEqual([143]);
    expect(seen).toEqual(['SIGINT', 'SIGTERM']);
  });

  it('removes its handlers on dispose', () => {
    const proc = new FakeProcess();
    const c = abortSignalFromProcess(proc);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    c.dispose();
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    proc.emit('SIGTERM');
    expect(c.signal.aborted).toBe(false);
  });
});

describe('throwIfCancelled', () => {
  it('throws the reason, or a CancelledError for a plain abort', () => {
    expect(() => throwIfCancelled(undefined)).not.toThrow();
    expect(() => throwIfCancelled(new AbortController().signal)).not.toThrow();
    const plain = new AbortController();
    plain.abort();
    expect(() => throwIfCancelled(plain.signal)).toThrow(CancelledError);
    const custom = new AbortController();
    const reason = new CancelledError('deadline');
    custom.abort(reason);
    expect(() => throwIfCancelled(custom.signal)).toThrow(reason);
  });
});
