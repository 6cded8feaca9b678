/**
 * The Azure actions the flow uses, the same list as the least-privilege roles
 * in docs/roles/*.json (tests/unit/shared/permissions.test.ts keeps the two,
 * the README, overview.md and docs/permissions.md in step). Every read is at
 * resource-group or resource scope, so the roles work assigned to one group.
 */

/** Request access and wait until it is live. */
export const REQUESTER_ACTIONS = [
  'Microsoft.Security/locations/jitNetworkAccessPolicies/read',
  'Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action',
  'Microsoft.Compute/virtualMachines/read',
  'Microsoft.Network/networkInterfaces/read',
  'Microsoft.Network/virtualNetworks/subnets/read',
  'Microsoft.Network/networkSecurityGroups/read',
  'Microsoft.Network/publicIPAddresses/read',
] as const;

/** Plus closing early (post with `close-on-post: delete-rule`, `azure-jit-access close`). */
export const CLOSER_ACTIONS = [
  ...REQUESTER_ACTIONS,
  'Microsoft.Network/networkSecurityGroups/securityRules/read',
  'Microsoft.Network/networkSecurityGroups/securityRules/delete',
] as const;

/** What a 403 tells the user to grant. */
export function permissionHint(): string {
  return (
    `The identity lacks a permission. Requesting needs ${REQUESTER_ACTIONS.join(', ')}; ` +
    `closing early also needs ${CLOSER_ACTIONS.slice(REQUESTER_ACTIONS.length).join(', ')}. ` +
    "Grant them on the VMs' resource group (and on any group holding their NICs, subnets or NSGs); " +
    'docs/roles/ has both as custom roles.'
  );
}
