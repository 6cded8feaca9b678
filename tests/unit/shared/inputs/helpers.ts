import type { JitConfig } from '../../../../shared/config';
import { InputError, type InputIssue } from '../../../../shared/errors';
import { parseInputs } from '../../../../shared/inputs/parse';
import type { InputName } from '../../../../shared/inputs/table';
import { FakePlatform } from '../../../helpers/fakePlatform';

export type Inputs = Partial<Record<InputName, string>>;

export const SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const SUB2 = 'b2c3d4e5-2222-4b6c-9d0e-1f2a3b4c5d6e';
export const vmId = (name: string, rg = 'rg-web', sub = SUB): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

/** The smallest valid set of inputs. */
export const BASE: Inputs = { vms: 'web-01', 'resource-group': 'rg-web', ports: '22' };

export function parseWith(overrides: Inputs): { config: JitConfig; platform: FakePlatform } {
  const platform = new FakePlatform({ inputs: { ...BASE, ...overrides } });
  return { config: parseInputs(platform), platform };
}

/** The InputError parseInputs throws for these inputs; fails the test if it does not throw one. */
export function inputErrorFor(overrides: Inputs): InputError {
  const platform = new FakePlatform({ inputs: { ...BASE, ...overrides } });
  try {
    parseInputs(platform);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`expected an InputError for ${JSON.stringify(overrides)}`);
}

export function issuesFor(overrides: Inputs): readonly InputIssue[] {
  return inputErrorFor(overrides).issues;
}
