/**
 * api-version values each emulated resource type accepts: every version the current
 * SDKs (arm-security 5, arm-network 36-39, arm-compute 23-25), the Azure CLI and
 * PowerShell send, so a client never fails here where Azure would answer.
 */
import { ArmError } from './errors';

const monthly = (from: number, to: number, months: number[]): string[] => {
  const out: string[] = [];
  for (let y = from; y <= to; y += 1)
    for (const m of months) out.push(`${y}-${String(m).padStart(2, '0')}-01`);
  return out;
};

export const SECURITY_JIT_VERSIONS = ['2015-06-01-preview', '2020-01-01'];
export const SECURITY_LOCATION_VERSIONS = ['2015-06-01-preview', '2020-01-01'];

// Network publishes a version almost every other month; accepting the whole grid from
// 2017 to 2026 covers every published one (and a few unpublished, which is harmless).
export const NETWORK_VERSIONS = [
  '2015-06-15',
  '2016-03-30',
  '2016-06-01',
  '2016-09-01',
  '2016-12-01',
  ...monthly(2017, 2026, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
];

export const COMPUTE_VERSIONS = [
  '2015-06-15',
  '2016-03-30',
  '2016-04-30-preview',
  '2017-03-30',
  '2017-12-01',
  '2018-04-01',
  '2018-06-01',
  '2018-10-01',
  '2019-03-01',
  '2019-07-01',
  '2019-12-01',
  '2020-06-01',
  '2020-12-01',
  '2021-03-01',
  '2021-04-01',
  '2021-07-01',
  '2021-11-01',
  '2022-03-01',
  '2022-08-01',
  '2022-11-01',
  '2023-03-01',
  '2023-07-01',
  '2023-09-01',
  '2024-03-01',
  '2024-07-01',
  '2024-11-01',
  '2025-02-01',
  '2025-04-01',
  '2025-11-01',
  '2026-04-01',
];

export const RESOURCES_VERSIONS = [
  '2014-04-01',
  '2015-11-01',
  '2016-02-01',
  '2016-06-01',
  '2016-09-01',
  '2017-05-10',
  '2018-02-01',
  '2018-05-01',
  '2019-05-01',
  '2019-06-01',
  '2019-07-01',
  '2019-08-01',
  '2019-10-01',
  '2019-11-01',
  '2020-01-01',
  '2020-06-01',
  '2020-08-01',
  '2020-10-01',
  '2021-01-01',
  '2021-04-01',
  '2022-01-01',
  '2022-09-01',
  '2022-12-01',
  '2023-07-01',
  '2024-03-01',
  '2024-07-01',
  '2024-11-01',
  '2025-01-01',
  '2025-03-01',
  '2025-04-01',
];

export function checkApiVersion(
  apiVersion: string | null,
  accepted: readonly string[],
  resourceType: string,
  location = 'global',
): string {
  if (!apiVersion) {
    throw new ArmError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!accepted.includes(apiVersion)) {
    const type = resourceType.slice(resourceType.indexOf('/') + 1);
    throw new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${accepted.join(', ')}'.`,
    );
  }
  return apiVersion;
}
