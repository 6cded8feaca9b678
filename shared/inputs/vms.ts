/**
 * The `vms` input: full VM resource IDs and/or bare names (which take their
 * resource group from the `resource-group` input and their subscription from
 * the session), separated by commas or new lines.
 *
 * Decision: duplicates are DE-DUPLICATED with a warning, not rejected. Listing
 * a VM twice (a pasted list, a matrix) asks for nothing different, and failing
 * the run over it helps nobody. ARM names are case-insensitive, so duplicates
 * are found case-insensitively. A bare name and a full ID can only be compared
 * once the session's subscription is known (that is left to the core).
 */
import type { VmRef } from '../config';
import { InputError, type InputIssue } from '../errors';
import { isGuid } from '../guid';
import { splitList } from './collect';

/** ARM's resourceGroupName pattern (common types.json); 1-90 characters, not ending in a period. */
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;
/**
 * VM resource names: 1-64 characters from letters, digits, `_`, `.`, `-`;
 * not starting with `.` or `-`, not ending with `.` or `-`. (The stricter
 * 15-character Windows limit applies to the computer name, not the resource.)
 */
const VM_NAME = /^(?=.{1,64}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const VM_ID =
  /^\/subscriptions\/([^/]*)\/resourceGroups\/([^/]*)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]*)\/?$/i;

const ID_SHAPE =
  '/subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>';

export function resourceGroupProblem(rg: string): string | undefined {
  if (!RESOURCE_GROUP.test(rg)) {
    return 'is not a valid resource group name (1-90 letters, digits, and - _ . ( ) characters)';
  }
  if (rg.endsWith('.')) return 'is not a valid resource group name (it must not end with a period)';
  return undefined;
}

function vmNameProblem(name: string): string | undefined {
  return VM_NAME.test(name)
    ? undefined
    : 'is not a valid VM name (1-64 letters, digits, and - _ . characters, starting and ending with a letter, digit or _)';
}

function parseOne(
  input: string,
  item: string,
  resourceGroup: string,
  issues: InputIssue[],
): VmRef | undefined {
  if (item.startsWith('/')) {
    const m = VM_ID.exec(item);
    if (!m) {
      const rule =
        /\/providers\//i.test(item) && !/\/Microsoft\.Compute\/virtualMachines\//i.test(item)
          ? 'is a resource ID but not of a virtual machine (Microsoft.Compute/virtualMachines)'
          : `is not a valid VM resource ID; expected ${ID_SHAPE}`;
      issues.push({ input, value: item, rule });
      return undefined;
    }
    const [, sub = '', rg = '', name = ''] = m;
    const before = issues.length;
    if (!isGuid(sub))
      issues.push({ input, value: item, rule: `has subscription '${sub}', which is not a GUID` });
    const rgProblem = resourceGroupProblem(rg);
    if (rgProblem)
      issues.push({ input, value: item, rule: `has resource group '${rg}', which ${rgProblem}` });
    const nameProblem = vmNameProblem(name);
    if (nameProblem) issues.push({ input, value: item, rule: `has VM name '${name}', which ${nameProblem}` });
    if (issues.length > before) return undefined;
    return { input: item, name, resourceGroup: rg, subscriptionId: sub.toLowerCase() };
  }
  const nameProblem = vmNameProblem(item);
  if (nameProblem) {
    issues.push({
      input,
      value: item,
      rule: `${nameProblem}; give a VM name or a full resource ID (${ID_SHAPE})`,
    });
    return undefined;
  }
  if (!resourceGroup) {
    issues.push({
      input,
      value: item,
      rule: (fe) => `is a bare VM name, so ${fe.quote('resource-group')} is required`,
      hint: (fe) => `set ${fe.input('resource-group')}, or give the full resource ID`,
    });
    return undefined;
  }
  return { input: item, name: item, resourceGroup };
}

export interface ParsedVms {
  readonly vms: readonly VmRef[];
  /** The duplicates dropped, as written, for the warning. */
  readonly duplicates: readonly string[];
}

/**
 * @param resourceGroup the `resource-group` input, already validated ('' when unset or invalid).
 * @throws InputError holding one issue per bad entry.
 */
export function parseVms(input: string, raw: string, resourceGroup: string): ParsedVms {
  const items = splitList(raw);
  if (items.length === 0) {
    throw new InputError(
      input,
      raw,
      (fe) => `is required: list VM resource IDs, or VM names together with ${fe.input('resource-group')}`,
    );
  }
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  const vms: VmRef[] = [];
  const duplicates: string[] = [];
  for (const item of items) {
    const vm = parseOne(input, item, resourceGroup, issues);
    if (!vm) continue;
    const key = `${vm.subscriptionId ?? ''}/${vm.resourceGroup}/${vm.name}`.toLowerCase();
    if (seen.has(key)) {
      duplicates.push(item);
      continue;
    }
    seen.add(key);
    vms.push(Object.freeze(vm));
  }
  if (issues.length > 0) throw new InputError(issues);
  return { vms, duplicates };
}
