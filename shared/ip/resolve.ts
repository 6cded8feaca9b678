/**
 * This agent's public IP, by consensus of several HTTPS echo services asked
 * concurrently. One service can be down, slow, behind a captive portal or
 * simply wrong; the address becomes the JIT allow rule's source, so it must be
 * confirmed by a second, independent answer.
 *
 * Rules:
 * - every provider is asked at once, each with its own timeout, all within an
 *   overall deadline (and the caller's abort signal);
 * - the first address reported by QUORUM providers wins and the other requests
 *   are cancelled; QUORUM is 2, or every provider when fewer than 2 are
 *   configured: with 2 providers both must agree, with 1 its answer is taken
 *   alone (no cross-check; the input's description recommends at least 3);
 * - when no address reaches the quorum, IpResolutionError lists what each
 *   provider answered (address, HTTP status, timeout, garbage…).
 */
import { CancelledError, IpResolutionError, type IpProviderOutcome } from '../errors';
import type { IpFamily } from './address';
import { readEchoAnswer } from './answer';
import { tlsTrustCode, tlsTrustHint } from '../tlsTrust';
import { createEchoHttp, EchoTimeout, type EchoHttp, type EchoHttpOptions } from './fetchText';

export const DEFAULT_PROVIDER_TIMEOUT_MS = 5_000;
export const DEFAULT_IP_DEADLINE_MS = 15_000;

export interface ResolvePublicIpOptions extends EchoHttpOptions {
  readonly providers: readonly string[];
  readonly signal?: AbortSignal;
  /** Per provider, headers and body (default 5 s). */
  readonly providerTimeoutMs?: number;
  /** For the whole resolution (default 15 s). */
  readonly deadlineMs?: number;
  /** Debug log of each provider's answer. */
  readonly debug?: (message: string) => void;
  /** Injectable transport (tests); default: core-rest-pipeline with proxy and tlsCa. */
  readonly http?: EchoHttp;
}

export interface PublicIp {
  /** Canonical text (IPv4 dotted, IPv6 RFC 5952). */
  readonly address: string;
  readonly family: IpFamily;
  /** Providers whose answers agreed. */
  readonly agreedBy: readonly string[];
  /** What every provider had answered when consensus was reached (pending ones: 'cancelled'). */
  readonly outcomes: readonly IpProviderOutcome[];
}

export function quorumFor(providerCount: number): number {
  return Math.min(2, providerCount);
}

export async function resolvePublicIp(options: ResolvePublicIpOptions): Promise<PublicIp> {
  const providers = [...new Set(options.providers)];
  if (providers.length === 0) throw new IpResolutionError('No IP providers are configured.');
  const quorum = quorumFor(providers.length);
  const providerTimeoutMs = options.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_IP_DEADLINE_MS;
  const http = options.http ?? createEchoHttp(options);
  const debug = options.debug ?? (() => undefined);
  if (options.signal?.aborted)
    throw new CancelledError('The run was cancelled before the public IP was resolved.');

  const stop = new AbortController();
  const outcomes = new Map<string, IpProviderOutcome>();
  const votes = new Map<string, string[]>();
  const tlsCodes = new Map<string, string>();

  return new Promise<PublicIp>((resolve, reject) => {
    let settled = false;
    let pending = providers.length;

    const snapshot = (pendingText: string): IpProviderOutcome[] =>
      providers.map((p) => outcomes.get(p) ?? { provider: p, problem: pendingText });

    const finish = (result: { ok: true; value: PublicIp } | { ok: false; error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      if (result.ok) resolve(result.value);
      else reject(result.error);
    };

    const onAbort = (): void =>
      finish({
        ok: false,
        error: new CancelledError('The run was cancelled while resolving the public IP.'),
      });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const deadline = setTimeout(() => {
      finish({
        ok: false,
        error: new IpResolutionError(
          `No ${quorum} IP providers agreed on this agent's public IP within ${deadlineMs / 1000} s.`,
          snapshot(`no answer within the ${deadlineMs / 1000} s deadline`),
        ),
      });
    }, deadlineMs);

    const noConsensus = (): void => {
      const all = snapshot('no answer');
      const valid = all.filter((o) => o.ip !== undefined);
      const families = new Set(valid.map((o) => (o.ip?.includes(':') ? 'ipv6' : 'ipv4')));
      let message =
        quorum === 1
          ? "The IP provider gave no usable answer for this agent's public IP."
          : `The IP providers did not agree on this agent's public IP (${quorum} must report the same address).`;
      if (valid.length > 0 && families.size === 1 && families.has('ipv6')) {
        message += ' Only IPv6 answers came back: this agent seems to reach the internet over IPv6 only.';
      }
      // A certificate nobody trusts is not temporary: say what to trust instead.
      const [tlsProvider, tls] = [...tlsCodes][0] ?? [];
      const hint = tls && tlsProvider ? tlsTrustHint(tls, tlsProvider) : undefined;
      finish({ ok: false, error: new IpResolutionError(message, all, hint) });
    };

    const record = (provider: string, outcome: IpProviderOutcome): void => {
      if (settled) return;
      outcomes.set(provider, outcome);
      debug(`IP provider ${provider}: ${outcome.ip ?? ''}${outcome.problem ? ` (${outcome.problem})` : ''}`);
      if (outcome.ip !== undefined) {
        const voters = [...(votes.get(outcome.ip) ?? []), provider];
        votes.set(outcome.ip, voters);
        if (voters.length >= quorum) {
          const address = outcome.ip;
          finish({
            ok: true,
            value: {
              address,
              family: address.includes(':') ? 'ipv6' : 'ipv4',
              agreedBy: voters,
              outcomes: snapshot('cancelled: consensus was reached without it'),
            },
          });
          return;
        }
      }
      pending -= 1;
      if (pending === 0) noConsensus();
    };

    for (const provider of providers) {
      http
        .get(provider, providerTimeoutMs, stop.signal)
        .then(
          (response): IpProviderOutcome => {
            if (response.status < 200 || response.status > 299) {
              return { provider, problem: `HTTP ${response.status}` };
            }
            const answer = readEchoAnswer(response.body);
            return answer.ok ? { provider, ip: answer.address } : { provider, problem: answer.problem };
          },
          (e: unknown): IpProviderOutcome => {
            if (e instanceof EchoTimeout) return { provider, problem: e.message };
            const tls = tlsTrustCode(e);
            if (tls) {
              tlsCodes.set(provider, tls);
              return { provider, problem: `its TLS certificate is not trusted (${tls})` };
            }
            const text = e instanceof Error ? e.message || e.name : String(e);
            return { provider, problem: `request failed: ${text}` };
          },
        )
        .then((outcome) => record(provider, outcome))
        .catch((e: unknown) => finish({ ok: false, error: e instanceof Error ? e : new Error(String(e)) }));
    }
  });
}
