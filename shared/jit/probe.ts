/**
 * Optional readiness probe: a TCP connect to host:port. An NSG rule in
 * `Succeeded` is usually enough, but the data plane can lag the control plane
 * by a few seconds; users who run `ssh` right after can ask for this. Behind
 * Azure Firewall it is on by default (`probe: auto`): there the rule users
 * connect through is JIT's DNAT rule in the firewall, which we cannot read.
 */
import { connect } from 'node:net';
import type { ProbeMode } from '../config';
import { TimeoutError } from '../errors';
import { sleep } from '../abort';
import type { Target } from './targets';

export function tcpConnect(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs, ...(signal ? { signal } : {}) });
    const fail = (message: string): void => {
      socket.destroy();
      reject(new Error(message));
    };
    socket.once('connect', () => {
      socket.end();
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (e) => fail(e.message));
  });
}

/** Retries the connect until it succeeds or `deadlineMs` (from now) passes. */
export async function probeUntilOpen(
  host: string,
  port: number,
  deadlineMs: number,
  signal?: AbortSignal,
  attemptTimeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    try {
      await tcpConnect(host, port, Math.min(attemptTimeoutMs, Math.max(1, end - Date.now())), signal);
      return;
    } catch (e) {
      if (signal?.aborted) throw e;
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(Math.min(1000, Math.max(0, end - Date.now())), signal, `probing ${host}:${port}`);
  }
  throw new TimeoutError(
    `The JIT rule is live but ${host}:${port} did not accept a TCP connection within ${Math.round(deadlineMs / 1000)} s (last error: ${last || 'none'})`,
    (fe) =>
      `Check that the service listens on that port on the VM, that no other firewall (OS firewall, Azure Firewall, route) blocks it, or turn the probe off with ${fe.setting('probe', 'false')}.`,
  );
}

/**
 * Which targets get a TCP connect before ready. Through Azure Firewall, JIT also
 * writes a DNAT rule in the firewall that no read of ours shows, so an NSG rule
 * on the path proves only half of the way: `auto` probes those targets.
 */
export function targetsToProbe(mode: ProbeMode, targets: readonly Target[]): Target[] {
  if (mode === 'always') return [...targets];
  if (mode === 'never') return [];
  return targets.filter((t) => t.firewallIp !== undefined);
}
