/**
 * Where post signs in. Saved state is not trusted: on GitHub an earlier step can
 * plant `STATE_jit-state` through GITHUB_ENV, and a CLI state file can come with
 * the repository. So post takes the cloud from the same place main does (inputs,
 * flags, the service connection) and uses the state's cloud only to notice that
 * main ran somewhere else, which is refused before any credential is used.
 */
import { resolveCloud, sameCloud } from '../cloud';
import { StateError } from '../errors';
import { INPUTS, type InputName } from '../inputs/table';
import type { Platform } from '../platform';
import type { CloudEndpoints, Connect } from '../session';

function input(platform: Platform, name: InputName): string {
  const value = platform.getInput(name);
  return value.trim() === '' ? INPUTS[name].default : value;
}

const describe = (c: CloudEndpoints): string =>
  `${c.name} (Resource Manager ${c.resourceManager}, sign-in ${c.authorityHost})`;

/**
 * The cloud post signs in to, from the inputs (or what `connect` says it will use).
 * @throws InputError for bad cloud inputs; StateError when the state names another cloud.
 */
export function cloudForPost(platform: Platform, connect: Connect, recorded: CloudEndpoints): CloudEndpoints {
  const cloud = resolveCloud(
    input(platform, 'cloud'),
    input(platform, 'arm-endpoint'),
    input(platform, 'authority-host'),
  );
  const actual = connect.cloudFor?.(cloud) ?? cloud;
  if (!sameCloud(recorded, actual)) {
    throw new StateError(
      `The saved state names cloud ${describe(recorded)}, but this step is configured for ${describe(actual)}. ` +
        'Nothing was closed and no sign-in was attempted: the saved state never decides where credentials are sent.',
      (fe) =>
        (fe.uses('cloud')
          ? `Give this step the same ${fe.input('cloud')}, ${fe.input('arm-endpoint')} and ${fe.input('authority-host')} as the step that opened access. `
          : 'Give this step the same service connection as the step that opened access. ') +
        'If that step did not run against that cloud, the state was not written by it: remove it. ' +
        'Access closes by itself at its end time.',
    );
  }
  return cloud;
}
