/**
 * The agent's proxy (Agent.ProxyUrl / ProxyUsername / ProxyPassword /
 * ProxyBypassList, read by `tl.getHttpProxyConfiguration()`), applied to every
 * Azure call of this process.
 *
 * Why through the environment: the agent does NOT set HTTPS_PROXY for tasks, and
 * the SDK clients are created by the core, which knows nothing about agents.
 * @azure/core-rest-pipeline's proxyPolicy reads HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY when a pipeline is created, so setting them in `process.env` before the
 * core runs covers the credential and every client at once, with no seam change.
 * The entry files call `applyAgentProxy` first thing.
 *
 * The agent's bypass list holds regular expressions matched against the URL;
 * NO_PROXY holds host names. Entries that are host names in regex clothing
 * (`github\.com`, `.*\.corp\.local`, `^localhost$`) are converted to suffix
 * patterns; anything else is reported and skipped.
 */
import type { Localize } from './messages';

/** The fields of task-lib's ProxyConfiguration we use. */
export interface AgentProxyConfig {
  readonly proxyUrl: string;
  readonly proxyUsername?: string;
  readonly proxyPassword?: string;
  readonly proxyBypassHosts?: readonly string[];
}

export interface ProxyEnvironment {
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY values to set. */
  readonly env: Readonly<Record<string, string>>;
  /** The proxy URL without credentials, for the log. */
  readonly display: string;
  /** The NO_PROXY entries made from the bypass list. */
  readonly bypass: readonly string[];
  /** Bypass entries that could not be expressed as host names. */
  readonly skipped: readonly string[];
  /** Values to mask: the password, and the proxy URL that carries it. */
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

/** Pure: what to put in the environment for the agent's proxy; undefined when it is not a URL. */
export function proxyEnvironment(
  config: AgentProxyConfig,
  existingNoProxy: string,
): ProxyEnvironment | undefined {
  let url: URL;
  try {
    url = new URL(config.proxyUrl.trim());
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || !url.hostname) return undefined;
  const display = `${url.protocol}//${url.host}`;
  if (config.proxyUsername) url.username = encodeURIComponent(config.proxyUsername);
  if (config.proxyPassword) url.password = encodeURIComponent(config.proxyPassword);
  const withCredentials = url.toString().replace(/\/$/, '');

  const bypass: string[] = [];
  const skipped: string[] = [];
  for (const entry of config.proxyBypassHosts ?? []) {
    const host = bypassEntryToHost(entry);
    if (host) bypass.push(host);
    else if (entry.trim()) skipped.push(entry);
  }
  const existing = existingNoProxy
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const noProxy = [...new Set([...existing, ...bypass])];

  const secrets = config.proxyPassword
    ? [config.proxyPassword, encodeURIComponent(config.proxyPassword), withCredentials]
    : [];
  return {
    env: {
      HTTPS_PROXY: withCredentials,
      HTTP_PROXY: withCredentials,
      ...(noProxy.length > 0 ? { NO_PROXY: noProxy.join(',') } : {}),
    },
    display,
    bypass,
    skipped,
    secrets: [...new Set(secrets)],
  };
}

export interface ProxyDeps {
  /** tl.getHttpProxyConfiguration(); null when the agent has no proxy. */
  readonly config: AgentProxyConfig | null;
  readonly env: NodeJS.ProcessEnv;
  setSecret(value: string): void;
  info(message: string): void;
  warning(message: string): void;
  loc: Localize;
}

/** Sets the proxy variables in `deps.env` (process.env in the task). Returns whether a proxy is in use. */
export function applyAgentProxy(deps: ProxyDeps): boolean {
  if (!deps.config?.proxyUrl) return false;
  const existingNoProxy = [deps.env.NO_PROXY, deps.env.no_proxy].filter(Boolean).join(',');
  const proxy = proxyEnvironment(deps.config, existingNoProxy);
  if (!proxy) {
    deps.warning(deps.loc('ProxyInvalid', deps.config.proxyUrl));
    return false;
  }
  for (const s of proxy.secrets) deps.setSecret(s);
  // Lower-case variants would be shadowed anyway; drop them so nothing disagrees.
  for (const name of ['https_proxy', 'http_proxy', 'no_proxy']) delete deps.env[name];
  Object.assign(deps.env, proxy.env);
  for (const entry of proxy.skipped) deps.warning(deps.loc('ProxyBypassSkipped', entry));
  deps.info(deps.loc('ProxyInUse', proxy.display, proxy.bypass.join(', ') || '(none)'));
  return true;
}
