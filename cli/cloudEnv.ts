/**
 * The cloud of a CLI run: each of --cloud, --arm-endpoint and --authority-host falls back to an
 * environment variable, so what a shell exported for @azure/identity is honoured and not silently
 * overridden by the public cloud's authority:
 *
 *   --cloud           $JIT_ACCESS_CLOUD
 *   --arm-endpoint    $JIT_ACCESS_ARM_ENDPOINT
 *   --authority-host  $AZURE_AUTHORITY_HOST (as @azure/identity reads it)
 *
 * With no cloud named, an ARM endpoint means `Custom`, and an authority alone means the cloud it
 * belongs to (login.microsoftonline.us → AzureUSGovernment) or, if none, a custom cloud that then
 * also needs its ARM endpoint. Flags win over the environment.
 */
import { KNOWN_CLOUDS, InputError, type KnownCloudName } from '../shared';
import { flagText, type FlagValues } from './flags';

export const CLOUD_ENV = {
  cloud: 'JIT_ACCESS_CLOUD',
  'arm-endpoint': 'JIT_ACCESS_ARM_ENDPOINT',
  'authority-host': 'AZURE_AUTHORITY_HOST',
} as const;

export type CloudInput = keyof typeof CLOUD_ENV;

const sameUrl = (a: string, b: string): boolean =>
  a.trim().replace(/\/+$/, '').toLowerCase() === b.trim().replace(/\/+$/, '').toLowerCase();

function knownCloudOf(authority: string): KnownCloudName | undefined {
  return (Object.keys(KNOWN_CLOUDS) as KnownCloudName[]).find((name) =>
    sameUrl(KNOWN_CLOUDS[name].authorityHost, authority),
  );
}

/**
 * The three cloud inputs as the core should read them.
 * @throws InputError when the environment's authority contradicts the cloud asked for, or names
 *   a custom cloud without its Resource Manager URL.
 */
export function cloudInputs(
  flags: FlagValues,
  env: Readonly<Record<string, string | undefined>>,
): Record<CloudInput, string> {
  const fromEnv = (input: CloudInput): string => (env[CLOUD_ENV[input]] ?? '').trim();
  const flagCloud = flagText(flags, 'cloud').trim();
  const flagArm = flagText(flags, 'arm-endpoint').trim();
  const flagAuthority = flagText(flags, 'authority-host').trim();
  const named = flagCloud || fromEnv('cloud');
  const arm = flagArm || fromEnv('arm-endpoint');
  const envAuthority = flagAuthority ? '' : fromEnv('authority-host');
  const authority = flagAuthority || envAuthority;

  if (named !== '') {
    const known = (Object.keys(KNOWN_CLOUDS) as KnownCloudName[]).find(
      (c) => c.toLowerCase() === named.toLowerCase(),
    );
    if (known && envAuthority) {
      // The exported authority is the named cloud's own: nothing to choose. Any other would send
      // the secret to a host the user did not name for this cloud.
      if (sameUrl(KNOWN_CLOUDS[known].authorityHost, envAuthority))
        return { cloud: named, 'arm-endpoint': arm, 'authority-host': '' };
      throw new InputError(
        CLOUD_ENV['authority-host'],
        envAuthority,
        `is not the authority of ${known} (${KNOWN_CLOUDS[known].authorityHost})`,
        `unset ${CLOUD_ENV['authority-host']}, or use --cloud Custom with --arm-endpoint for a custom cloud`,
      );
    }
    return { cloud: named, 'arm-endpoint': arm, 'authority-host': authority };
  }
  if (arm !== '') return { cloud: 'Custom', 'arm-endpoint': arm, 'authority-host': authority };
  if (authority === '') return { cloud: '', 'arm-endpoint': '', 'authority-host': '' };
  const known = knownCloudOf(authority);
  if (known) return { cloud: known, 'arm-endpoint': '', 'authority-host': '' };
  throw new InputError(
    'arm-endpoint',
    '',
    `is needed: the authority ${authority}${envAuthority ? ` (from ${CLOUD_ENV['authority-host']})` : ''} belongs to no public cloud, so this is a custom cloud`,
    `set ${CLOUD_ENV['arm-endpoint']} (or --arm-endpoint) to its Resource Manager URL, or unset ${CLOUD_ENV['authority-host']}`,
  );
}
