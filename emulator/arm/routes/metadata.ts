/**
 * Subscription metadata that generic ARM clients read before touching a resource:
 * resource-provider registrations (`az provider show`, and `az resource show --ids`,
 * which looks up the api-version for a resource type there) and the subscription's
 * regions (`az account list-locations`). Both are derived from what this emulator
 * serves, so a provider lists exactly the resource types and api-versions its routes
 * accept, newest first as ARM orders them.
 */
import { RESOURCES_VERSIONS } from '../apiVersions';
import { hasAnyAccess } from '../authz';
import type { ArmRequest, Params, Route } from '../context';
import { ArmError, authorizationFailed } from '../errors';
import { REGIONS, regionsWith, type Region } from '../regions';
import { key } from '../state';

interface ProviderType {
  resourceType: string;
  apiVersions: Set<string>;
}

/** Namespace -> resource types (without the namespace) and the api-versions their routes accept. */
function providerCatalogue(
  routes: readonly Route[],
): Map<string, { namespace: string; types: ProviderType[] }> {
  const out = new Map<string, { namespace: string; types: ProviderType[] }>();
  for (const route of routes) {
    const slash = route.resourceType.indexOf('/');
    const namespace = route.resourceType.slice(0, slash);
    const type = route.resourceType.slice(slash + 1);
    let provider = out.get(key(namespace));
    if (!provider) {
      provider = { namespace, types: [] };
      out.set(key(namespace), provider);
    }
    let entry = provider.types.find((t) => key(t.resourceType) === key(type));
    if (!entry) {
      entry = { resourceType: type, apiVersions: new Set() };
      provider.types.push(entry);
    }
    for (const v of route.versions) entry.apiVersions.add(v);
  }
  return out;
}

/** ARM lists api-versions newest first (previews sort by their date like any other). */
const newestFirst = (versions: Iterable<string>): string[] =>
  [...versions].sort((a, b) => b.localeCompare(a));

function scenarioRegions(req: ArmRequest): Region[] {
  const names = new Set<string>();
  for (const rg of req.env.state.resourceGroups.values()) names.add(rg.location);
  for (const vm of req.env.state.vms.values()) names.add(vm.location);
  for (const p of req.env.state.policies.values()) names.add(p.location);
  return regionsWith(names);
}

/** ARM shows the subscription's metadata to anyone holding a role in (or under) it. */
function requireAnyAccess(req: ArmRequest, subscriptionId: string, action: string): void {
  const scope = `/subscriptions/${subscriptionId}`;
  const principal = req.env.principalsByObjectId.get(key(req.principal.objectId));
  if (!hasAnyAccess(principal?.roleAssignments ?? [], scope)) {
    throw authorizationFailed(req.principal.objectId, action, scope);
  }
}

function providerOut(
  req: ArmRequest,
  subscriptionId: string,
  provider: { namespace: string; types: ProviderType[] },
): Record<string, unknown> {
  const locations = scenarioRegions(req).map((r) => r.displayName);
  return {
    id: `/subscriptions/${subscriptionId}/providers/${provider.namespace}`,
    namespace: provider.namespace,
    resourceTypes: provider.types.map((t) => ({
      resourceType: t.resourceType,
      locations,
      apiVersions: newestFirst(t.apiVersions),
      capabilities: 'None',
    })),
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
  };
}

function locationOut(subscriptionId: string, region: Region, recommended: boolean): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscriptionId}/locations/${region.name}`,
    name: region.name,
    type: 'Region',
    displayName: region.displayName,
    regionalDisplayName: `(${region.geographyGroup}) ${region.displayName}`,
    metadata: {
      regionType: 'Physical',
      regionCategory: recommended ? 'Recommended' : 'Other',
      geographyGroup: region.geographyGroup,
      physicalLocation: region.physicalLocation,
      pairedRegion: region.pairedRegion
        ? [
            {
              name: region.pairedRegion,
              id: `/subscriptions/${subscriptionId}/locations/${region.pairedRegion}`,
            },
          ]
        : [],
    },
  };
}

// The first 25 table entries are Azure's "Recommended" regions; the rest are "Other".
const RECOMMENDED = new Set(REGIONS.slice(0, 25).map((r) => r.name));

const route = (r: Omit<Route, 'provider' | 'versions'>): Route => ({
  provider: 'resources',
  versions: RESOURCES_VERSIONS,
  ...r,
});

/** Routes describing `routes` (the emulator's own resource routes). */
export function metadataRoutes(routes: readonly Route[]): Route[] {
  const catalogue = providerCatalogue(routes);
  const providerAction = 'Microsoft.Resources/subscriptions/providers/read';
  return [
    route({
      method: 'GET',
      pattern: '/subscriptions/{subscriptionId}/providers',
      resourceType: 'Microsoft.Resources/providers',
      handle: (req, p: Params) => {
        const sub = p.subscriptionId as string;
        requireAnyAccess(req, sub, providerAction);
        return { status: 200, body: { value: [...catalogue.values()].map((c) => providerOut(req, sub, c)) } };
      },
    }),
    route({
      method: 'GET',
      pattern: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}',
      resourceType: 'Microsoft.Resources/providers',
      handle: (req, p: Params) => {
        const sub = p.subscriptionId as string;
        requireAnyAccess(req, sub, providerAction);
        const ns = p.resourceProviderNamespace as string;
        const provider = catalogue.get(key(ns));
        if (!provider) {
          throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
        }
        return { status: 200, body: providerOut(req, sub, provider) };
      },
    }),
    route({
      method: 'GET',
      pattern: '/subscriptions/{subscriptionId}/locations',
      resourceType: 'Microsoft.Resources/subscriptions/locations',
      handle: (req, p: Params) => {
        const sub = p.subscriptionId as string;
        requireAnyAccess(req, sub, 'Microsoft.Resources/subscriptions/locations/read');
        return {
          status: 200,
          body: { value: scenarioRegions(req).map((r) => locationOut(sub, r, RECOMMENDED.has(r.name))) },
        };
      },
    }),
  ];
}
