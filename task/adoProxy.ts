/**
 * The agent's proxy (Agent.ProxyUrl / ProxyUsername / ProxyPassword /
 * ProxyBypassList, read by `tl.getHttpProxyConfiguration()`), for every Azure
 * call and IP lookup of this process.
 *
 * The agent does NOT set HTTPS_PROXY for tasks. Its proxy becomes a ProxyRoute
 * (shared/proxy.ts) that the service connection's credential takes as options
 * and the session hands to the core's clients; process.env is left alone.
 *
 * The agent's bypass list holds regular expressions matched against the URL;
 * the route's list holds host names, as NO_PROXY does. Entries that are host
 * names in regex clothing (`github\.com`, `.*\.corp\.local`, `^localhost$`) are
 * converted to suffix patterns; anything else is reported and skipped. The
 * environment's own NO_PROXY is kept in the list.
 */
import type { ProxyRoute } from '../shared';
import type { Localize } from './messages';

/** The fields of task-lib's ProxyConfiguration we use. */
export interface AgentProxyConfig {
  readonly proxyUrl: string;
  readonly proxyUsername?: string;
  readonly proxyPassword?: string;
  readonly proxyBypassHosts?: readonly string[];
}

export interface AgentProxy {
  /** What the credential and the clients are given. */
  readonly route: ProxyRoute;
  /** The proxy URL without credentials, for the log. */
  readonly display: string;
  /** The NO_PROXY-style entries made from the bypass list. */
  readonly bypass: readonly string[];
  /** Bypass entries that could not be expressed as host names. */
  readonly skipped: readonly string[];
  /** Values to mask: the password as given and as it travels (URL-encoded). */
  readonly secrets: readonly string[];
}

const HOST_PATTERN = /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

/** `github\.com` -> `.github.com`; undefined when the regex is not a plain host (suffix). */
export function bypassEntryToHost(entry: string): string | undefined {
  let s = entry.trim();
  if (!s) return undefined;
  s = s.replace(/^\^/, '').replace(/\$$/, '');
  s = s.replace(/^(https?:\\?\/\\?\/)/i, '');
  s = s.replace(/^(\.\*|\*)(\\?\.)?/, '');
  s = s.replace(/\\\./g, '.');
  if (!HOST_PATTERN.test(s)) return undefined;
  // A bypass regex matches anywhere in the URL, so a host also covers its subdomains.
  return s.startsWith('.') ? s : `.${s}`;
}

/** Pure: the route for the agent's proxy; undefined when it is not an http(s) URL. */
export function agentProxyRoute(config: AgentProxyConfig, existingNoProxy: string): AgentProxy | undefined {
  let url: URL;
  try {
    url = new URL(config.proxyUrl.trim());
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || !url.hostname) return undefined;
  const { bypass, skipped } = bypassHosts(config.proxyBypassHosts ?? []);
  const existing = existingNoProxy
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // URL-encoded, as in a proxy URL (the proxy agents decode both); the agent's fields win over
  // credentials written into the URL itself.
  const username = config.proxyUsername ? encodeURIComponent(config.proxyUsername) : url.username;
  const password = config.proxyPassword ? encodeURIComponent(config.proxyPassword) : url.password;
  return {
    route: {
      settings: {
        host: `${url.protocol}//${url.hostname}`,
        port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
      },
      noProxy: [...new Set([...existing, ...bypass])],
    },
    display: `${url.protocol}//${url.host}`,
    bypass,
    skipped,
    secrets: password ? [...new Set([safeDecode(password), password])] : [],
  };
}

function safeDecode(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function bypassHosts(entries: readonly string[]): { bypass: string[]; skipped: string[] } {
  const bypass: string[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    const host = bypassEntryToHost(entry);
    if (host) bypass.push(host);
    else if (entry.trim()) skipped.push(entry);
  }
  return { bypass, skipped };
}

export interface ProxyDeps {
  /** tl.getHttpProxyConfiguration(); null when the agent has no proxy. */
  readonly config: AgentProxyConfig | null;
  /** Read only, for the NO_PROXY / no_proxy entries the route keeps. */
  readonly env: Readonly<Record<string, string | undefined>>;
  setSecret(value: string): void;
  info(message: string): void;
  warning(message: string): void;
  loc: Localize;
}

/** The agent's proxy for the session, its password masked first; undefined without one (or with a bad URL). */
export function agentProxy(deps: ProxyDeps): ProxyRoute | undefined {
  if (!deps.config?.proxyUrl) return undefined;
  const existingNoProxy = [deps.env.NO_PROXY, deps.env.no_proxy].filter(Boolean).join(',');
  const proxy = agentProxyRoute(deps.config, existingNoProxy);
  if (!proxy) {
    deps.warning(deps.loc('ProxyInvalid', deps.config.proxyUrl));
    return undefined;
  }
  for (const s of proxy.secrets) deps.setSecret(s);
  for (const entry of proxy.skipped) deps.warning(deps.loc('ProxyBypassSkipped', entry));
  deps.info(deps.loc('ProxyInUse', proxy.display, proxy.bypass.join(', ') || '(none)'));
  return proxy.route;
}
