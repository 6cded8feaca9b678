import { actionMatches, hasAnyAccess, isAuthorized, scopeCovers } from '../../../emulator/arm/authz';

describe('RBAC', () => {
  test.each([
    ['*', 'Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action', true],
    ['*/read', 'Microsoft.Compute/virtualMachines/read', true],
    ['*/read', 'Microsoft.Compute/virtualMachines/write', false],
    ['Microsoft.Network/*', 'microsoft.network/networkSecurityGroups/securityRules/delete', true],
    [
      'Microsoft.Network/networkInterfaces/*/read',
      'Microsoft.Network/networkInterfaces/ipConfigurations/read',
      true,
    ],
    ['Microsoft.Network/networkInterfaces/*/read', 'Microsoft.Network/networkInterfaces/read', false],
    ['Microsoft.Compute/virtualMachines/read', 'Microsoft.Compute/virtualMachinesX/read', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  test('scopes cover their descendants only, case-insensitively', () => {
    expect(scopeCovers('/subscriptions/a', '/subscriptions/A/resourceGroups/x')).toBe(true);
    expect(scopeCovers('/subscriptions/a', '/subscriptions/ab')).toBe(false);
    expect(scopeCovers('/', '/subscriptions/a')).toBe(true);
    expect(scopeCovers('/subscriptions/a/resourceGroups/x', '/subscriptions/a')).toBe(false);
  });

  test('notActions take an action away; another assignment can still grant it', () => {
    const owner = {
      scope: '/subscriptions/a',
      actions: ['*'],
      notActions: ['Microsoft.Authorization/*/write'],
    };
    expect(isAuthorized([owner], 'Microsoft.Network/networkSecurityGroups/read', '/subscriptions/a/x')).toBe(
      true,
    );
    expect(isAuthorized([owner], 'Microsoft.Authorization/roleAssignments/write', '/subscriptions/a/x')).toBe(
      false,
    );
    expect(
      isAuthorized(
        [owner, { scope: '/subscriptions/a/x', actions: ['Microsoft.Authorization/roleAssignments/write'] }],
        'Microsoft.Authorization/roleAssignments/write',
        '/subscriptions/a/x',
      ),
    ).toBe(true);
    expect(isAuthorized([owner], 'Microsoft.Network/networkSecurityGroups/read', '/subscriptions/b/x')).toBe(
      false,
    );
  });

  test('a resource-group assignment makes the subscription visible', () => {
    expect(
      hasAnyAccess([{ scope: '/subscriptions/a/resourceGroups/x', actions: ['*/read'] }], '/subscriptions/a'),
    ).toBe(true);
    expect(
      hasAnyAccess([{ scope: '/subscriptions/a/resourceGroups/x', actions: ['*/read'] }], '/subscriptions/b'),
    ).toBe(false);
  });
});
