/**
 * The source prefix to request. `auto` asks several IP echo services and
 * requires agreement (shared/ip); `explicit` is sent verbatim (JIT matches
 * verbatim); `azure` sends none, so JIT uses the address the initiate call
 * comes from, learnt back from the rule it writes.
 */
import type { SourceSpec } from '../config';
import { resolvePublicIp } from '../ip';
import type { ProxyRoute } from '../proxy';
import type { RequestedSource } from './plan';

export interface SourceOptions {
  readonly providers: readonly string[];
  readonly tlsCa?: string;
  /** The session's explicit proxy (the Azure DevOps agent's); absent: HTTPS_PROXY. */
  readonly proxy?: ProxyRoute;
  readonly signal?: AbortSignal;
  readonly debug: (message: string) => void;
}

export async function resolveRequestedSource(
  spec: SourceSpec,
  options: SourceOptions,
): Promise<RequestedSource> {
  switch (spec.kind) {
    case 'explicit':
      return { kind: 'explicit', prefix: spec.prefix };
    case 'azure':
      return { kind: 'azure' };
    case 'auto': {
      const ip = await resolvePublicIp({
        providers: options.providers,
        debug: options.debug,
        ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
        ...(options.proxy ? { proxy: options.proxy } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { kind: 'auto', prefix: ip.address, agreedBy: ip.agreedBy };
    }
  }
}
