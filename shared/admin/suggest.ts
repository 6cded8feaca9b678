/**
 * The `enable` command `audit` suggests for a VM without JIT: everything it
 * knows filled in (VM, resource group, subscription, the portal's port for
 * the VM's OS) and the one thing only the administrator knows, the agents'
 * source range, as a shell variable so the line can be pasted as it is.
 */
import { DEFAULT_PORT_BY_OS } from './options';

export interface UnprotectedVm {
  readonly name: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  readonly osType?: string;
}

export const SOURCES_VARIABLE = 'AGENTS_CIDR';

/** Quotes a word for POSIX shells only when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:,=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function enableSuggestion(vm: UnprotectedVm): string {
  const port = vm.osType ? DEFAULT_PORT_BY_OS[vm.osType.toLowerCase()] : undefined;
  const words = [
    'azure-jit-access',
    'enable',
    '--vms',
    vm.name,
    '--resource-group',
    vm.resourceGroup,
    '--subscription',
    vm.subscriptionId,
    ...(port !== undefined ? ['--ports', String(port)] : []),
  ].map(shellWord);
  return `${words.join(' ')} --allowed-sources "$${SOURCES_VARIABLE}" --dry-run`;
}
