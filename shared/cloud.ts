/**
 * Azure clouds: Resource Manager URL, Entra ID authority and the ARM token
 * scope. The scope must be passed explicitly to every SDK client: left to
 * their defaults they ask for https://management.azure.com/.default even when
 * pointed at a sovereign cloud (see reference/ecosystem.md, "Scope option").
 */
import { InputError, type InputIssue } from './errors';
import type { CloudEndpoints } from './session';

export type KnownCloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';
export type CloudName = KnownCloudName | 'Custom';

export const CLOUD_NAMES: readonly CloudName[] = [
  'AzureCloud',
  'AzureUSGovernment',
  'AzureChinaCloud',
  'Custom',
];

function endpoints(name: string, resourceManager: string, authorityHost: string): CloudEndpoints {
  return Object.freeze({ name, resourceManager, authorityHost, scope: `${resourceManager}/.default` });
}

/** Same values as `az cloud show` (resourceManager / activeDirectory), without trailing slashes. */
export const KNOWN_CLOUDS: Readonly<Record<KnownCloudName, CloudEndpoints>> = Object.freeze({
  AzureCloud: endpoints('AzureCloud', 'https://management.azure.com', 'https://login.microsoftonline.com'),
  AzureUSGovernment: endpoints(
    'AzureUSGovernment',
    'https://management.usgovcloudapi.net',
    'https://login.microsoftonline.us',
  ),
  AzureChinaCloud: endpoints(
    'AzureChinaCloud',
    'https://management.chinacloudapi.cn',
    'https://login.chinacloudapi.cn',
  ),
});

/**
 * Validates an endpoint URL: https only (tokens are sent there, and
 * core-rest-pipeline refuses bearer tokens over http anyway), no credentials,
 * query or fragment. Returns it without trailing slashes.
 * @throws InputError naming `input`.
 */
export function parseHttpsUrl(
  input: string,
  value: string,
  purpose: string,
  whyHttps = 'plain http can be read and altered on the way',
): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, value, `is not a URL; ${purpose} must be an absolute https:// URL`);
  }
  if (url.protocol !== 'https:') {
    throw new InputError(
      input,
      value,
      `uses ${url.protocol.replace(/:$/, '')}; only https:// is accepted`,
      whyHttps,
    );
  }
  if (url.username || url.password) {
    throw new InputError(
      input,
      '(a URL with credentials, not shown)',
      'must not contain a user name or password',
    );
  }
  if (url.search || url.hash) throw new InputError(input, value, 'must not have a query string or fragment');
  return url.href.replace(/\/+$/, '');
}

/**
 * Resolves the `cloud` input (case-insensitive) and, for `Custom`, the
 * `arm-endpoint` and `authority-host` inputs.
 *
 * Decision: arm-endpoint / authority-host given with a named cloud is an ERROR,
 * not a warning: silently ignoring a URL the user typed would send their token
 * to a different cloud than they believe.
 * @throws InputError holding every problem found.
 */
export function resolveCloud(name: string, armEndpoint = '', authorityHost = ''): CloudEndpoints {
  const wanted = name.trim() === '' ? 'AzureCloud' : name.trim();
  const canonical = CLOUD_NAMES.find((c) => c.toLowerCase() === wanted.toLowerCase());
  const arm = armEndpoint.trim();
  const authority = authorityHost.trim();
  if (!canonical) {
    throw new InputError('cloud', name, `is not a known cloud; use one of ${CLOUD_NAMES.join(', ')}`);
  }
  if (canonical !== 'Custom') {
    const issues: InputIssue[] = [];
    for (const [input, value] of [
      ['arm-endpoint', arm],
      ['authority-host', authority],
    ] as const) {
      if (value) {
        issues.push({
          input,
          value,
          rule: (fe) =>
            `is only used with ${fe.setting('cloud', 'Custom')}, but ${fe.input('cloud')} is ${canonical}`,
          hint: (fe) => `set ${fe.setting('cloud', 'Custom')} to use this URL, or remove ${fe.input(input)}`,
        });
      }
    }
    if (issues.length > 0) throw new InputError(issues);
    return KNOWN_CLOUDS[canonical];
  }

  const issues: InputIssue[] = [];
  const check = (input: 'arm-endpoint' | 'authority-host', value: string, purpose: string): string => {
    if (!value) {
      issues.push({
        input,
        value,
        rule: (fe) => `is required when ${fe.input('cloud')} is Custom`,
        hint: `give ${purpose} (https://...)`,
      });
      return '';
    }
    try {
      return parseHttpsUrl(input, value, purpose);
    } catch (e) {
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
      return '';
    }
  };
  const resourceManager = check('arm-endpoint', arm, 'the Resource Manager URL');
  const authority2 = check('authority-host', authority, 'the Entra ID authority URL');
  if (issues.length > 0) throw new InputError(issues);
  return endpoints('Custom', resourceManager, authority2);
}

/** Same cloud when both URLs agree, ignoring case and trailing slashes. */
export function sameCloud(a: CloudEndpoints, b: CloudEndpoints): boolean {
  const norm = (u: string): string => u.trim().replace(/\/+$/, '').toLowerCase();
  return (
    norm(a.resourceManager) === norm(b.resourceManager) && norm(a.authorityHost) === norm(b.authorityHost)
  );
}
