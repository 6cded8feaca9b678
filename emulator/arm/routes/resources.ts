/**
 * Microsoft.Resources: tenants, subscriptions and resource groups, what the Azure
 * CLI and `az login --service-principal` read before anything else.
 */
import { RESOURCES_VERSIONS } from '../apiVersions';
import { hasAnyAccess } from '../authz';
import { page, type ArmRequest, type Params, type Route } from '../context';
import { resourceGroupNotFound } from '../errors';
import { key, rgKey, type ResourceGroupState, type SubscriptionState } from '../state';

function subscriptionOut(req: ArmRequest, s: SubscriptionState): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: req.env.state.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

function rgOut(rg: ResourceGroupState): Record<string, unknown> {
  return {
    id: rg.id,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    properties: { provisioningState: 'Succeeded' },
  };
}

function visibleSubscriptions(req: ArmRequest): SubscriptionState[] {
  const principal = req.env.principalsByObjectId.get(key(req.principal.objectId));
  const assignments = principal?.roleAssignments ?? [];
  return [...req.env.state.subscriptions.values()].filter((s) =>
    hasAnyAccess(assignments, `/subscriptions/${s.id}`),
  );
}

const route = (r: Omit<Route, 'provider' | 'versions'>): Route => ({
  provider: 'resources',
  versions: RESOURCES_VERSIONS,
  ...r,
});
const subScope = (p: Params): string => `/subscriptions/${p.subscriptionId}`;

export const resourceRoutes: Route[] = [
  route({
    method: 'GET',
    pattern: '/tenants',
    resourceType: 'Microsoft.Resources/tenants',
    handle: (req) => ({
      status: 200,
      body: {
        value: [
          {
            id: `/tenants/${req.env.state.tenantId}`,
            tenantId: req.env.state.tenantId,
            countryCode: 'US',
            displayName: 'Contoso (emulated)',
            domains: ['contoso.onmicrosoft.com'],
            tenantCategory: 'Home',
            defaultDomain: 'contoso.onmicrosoft.com',
            tenantType: 'AAD',
          },
        ],
      },
    }),
  }),
  route({
    method: 'GET',
    pattern: '/subscriptions',
    resourceType: 'Microsoft.Resources/subscriptions',
    handle: (req) => {
      const subs = visibleSubscriptions(req);
      return {
        status: 200,
        body: {
          value: subs.map((s) => subscriptionOut(req, s)),
          count: { type: 'Total', value: subs.length },
        },
      };
    },
  }),
  route({
    method: 'GET',
    pattern: '/subscriptions/{subscriptionId}',
    resourceType: 'Microsoft.Resources/subscriptions',
    authz: (p) => ({ action: 'Microsoft.Resources/subscriptions/read', scope: subScope(p) }),
    handle: (req, p) => {
      const sub = req.env.state.subscriptions.get(key(p.subscriptionId as string)) as SubscriptionState;
      return { status: 200, body: subscriptionOut(req, sub) };
    },
  }),
  route({
    method: 'GET',
    pattern: '/subscriptions/{subscriptionId}/resourceGroups',
    resourceType: 'Microsoft.Resources/resourceGroups',
    authz: (p) => ({ action: 'Microsoft.Resources/subscriptions/resourceGroups/read', scope: subScope(p) }),
    handle: (req, p) => ({
      status: 200,
      body: page(
        req,
        [...req.env.state.resourceGroups.values()].filter(
          (r) => key(r.subscriptionId) === key(p.subscriptionId as string),
        ),
        rgOut,
      ),
    }),
  }),
  route({
    method: 'GET',
    pattern: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}',
    resourceType: 'Microsoft.Resources/resourceGroups',
    authz: (p) => ({
      action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
      scope: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}`,
    }),
    handle: (req, p) => {
      const rg = req.env.state.resourceGroups.get(
        rgKey(p.subscriptionId as string, p.resourceGroupName as string),
      );
      if (!rg) throw resourceGroupNotFound(p.resourceGroupName as string);
      return { status: 200, body: rgOut(rg) };
    },
  }),
];
