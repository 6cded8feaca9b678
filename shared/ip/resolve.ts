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
  const http = options.http ?? createEchoHttp(options);
  if (options.signal?.aborted)
    throw new CancelledError('The run was cancelled before the public IP was resolved.');
  return new Consensus(providers, options).run(http);
}

type Settled = { ok: true; value: PublicIp } | { ok: false; error: Error };

/** One resolution: every provider asked at once, answers counted until QUORUM agree. */
class Consensus {
  private readonly quorum: number;
  private readonly deadlineMs: number;
  private readonly stop = new AbortController();
  private readonly outcomes = new Map<string, IpProviderOutcome>();
  private readonly votes = new Map<string, string[]>();
  /** Providers whose TLS certificate was not trusted, with the TLS error code. */
  private readonly tlsCodes = new Map<string, string>();
  private settled = false;
  private pending: number;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private done: (result: Settled) => void = () => undefined;

  constructor(
    private readonly providers: readonly string[],
    private readonly options: ResolvePublicIpOptions,
  ) {
    this.quorum = quorumFor(providers.length);
    this.deadlineMs = options.deadlineMs ?? DEFAULT_IP_DEADLINE_MS;
    this.pending = providers.length;
  }

  run(http: EchoHttp): Promise<PublicIp> {
    return new Promise<PublicIp>((resolve, reject) => {
      this.done = (result) => (result.ok ? resolve(result.value) : reject(result.error));
      this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.deadline = setTimeout(() => {
        const seconds = this.deadlineMs / 1000;
        this.finish({
          ok: false,
          error: new IpResolutionError(
            `No ${this.quorum} IP providers agreed on this agent's public IP within ${seconds} s.`,
            this.snapshot(`no answer within the ${seconds} s deadline`),
          ),
        });
      }, this.deadlineMs);
      const timeoutMs = this.options.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
      for (const provider of this.providers) {
        askProvider(http, provider, timeoutMs, this.stop.signal, this.tlsCodes)
          .then((outcome) => this.record(provider, outcome))
          .catch((e: unknown) =>
            this.finish({ ok: false, error: e instanceof Error ? e : new Error(String(e)) }),
          );
      }
    });
  }

  private readonly onAbort = (): void =>
    this.finish({
      ok: false,
      error: new CancelledError('The run was cancelled while resolving the public IP.'),
    });

  private snapshot(pendingText: string): IpProviderOutcome[] {
    return this.providers.map((p) => this.outcomes.get(p) ?? { provider: p, problem: pendingText });
  }

  private finish(result: Settled): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.stop.abort();
    this.done(result);
  }

  private record(provider: string, outcome: IpProviderOutcome): void {
    if (this.settled) return;
    this.outcomes.set(provider, outcome);
    this.options.debug?.(
      `IP provider ${provider}: ${outcome.ip ?? ''}${outcome.problem ? ` (${outcome.problem})` : ''}`,
    );
    if (outcome.ip !== undefined) {
      const voters = [...(this.votes.get(outcome.ip) ?? []), provider];
      this.votes.set(outcome.ip, voters);
      if (voters.length >= this.quorum) {
        const address = outcome.ip;
        this.finish({
          ok: true,
          value: {
            address,
            family: address.includes(':') ? 'ipv6' : 'ipv4',
            agreedBy: voters,
            outcomes: this.snapshot('cancelled: consensus was reached without it'),
          },
        });
        return;
      }
    }
    this.pending -= 1;
    if (this.pending === 0) this.noConsensus();
  }

  private noConsensus(): void {
    const all = this.snapshot('no answer');
    const valid = all.filter((o) => o.ip !== undefined);
    const families = new Set(valid.map((o) => (o.ip?.includes(':') ? 'ipv6' : 'ipv4')));
    let message =
      this.quorum === 1
        ? "The IP provider gave no usable answer for this agent's public IP."
        : `The IP providers did not agree on this agent's public IP (${this.quorum} must report the same address).`;
    if (valid.length > 0 && families.size === 1 && families.has('ipv6')) {
      message += ' Only IPv6 answers came back: this agent seems to reach the internet over IPv6 only.';
    }
    // A certificate nobody trusts is not temporary: say what to trust instead.
    const [tlsProvider, tls] = [...this.tlsCodes][0] ?? [];
    const hint = tls && tlsProvider ? tlsTrustHint(tls, tlsProvider) : undefined;
    this.finish({ ok: false, error: new IpResolutionError(message, all, hint) });
  }
}

/** One provider's answer as an outcome: the address it reported, or what went wrong. */
async function askProvider(
  http: EchoHttp,
  provider: string,
  timeoutMs: number,
  signal: AbortSignal,
  tlsCodes: Map<string, string>,
): Promise<IpProviderOutcome> {
  let response;
  try {
    response = await http.get(provider, timeoutMs, signal);
  } catch (e) {
    if (e instanceof EchoTimeout) return { provider, problem: e.message };
    const tls = tlsTrustCode(e);
    if (tls) {
      tlsCodes.set(provider, tls);
      return { provider, problem: `its TLS certificate is not trusted (${tls})` };
    }
    const text = e instanceof Error ? e.message || e.name : String(e);
    return { provider, problem: `request failed: ${text}` };
  }
  if (response.status < 200 || response.status > 299) return { provider, problem: `HTTP ${response.status}` };
  const answer = readEchoAnswer(response.body);
  return answer.ok ? { provider, ip: answer.address } : { provider, problem: answer.problem };
}
