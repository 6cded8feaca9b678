/**
 * Microsoft.Security: JIT network access policies (every list scope, get, put,
 * delete, initiate) and Security locations. Behaviour follows the real recordings
 * where they disagree with the swagger (reference §0).
 */
import { validateSecurity } from '../../specs/validate';
import type { InitiateBody } from '../../jit/engine';
import { policyOut, isPreview, visibleRequests } from '../../jit/serialize';
import { SECURITY_JIT_VERSIONS, SECURITY_LOCATION_VERSIONS } from '../apiVersions';
import { jsonBody, page, type ArmRequest, type Params, type Route } from '../context';
import { durationMs } from '../../jit/time';
import { ArmError, invalidInitiateInput, policyNotFound } from '../errors';
import type { ArmResponse } from '../respond';
import { key, policyId, rgId, type JitPolicyState, type JitPolicyVm } from '../state';

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const JIT = 'Microsoft.Security/locations/jitNetworkAccessPolicies';
const POLICY = `${RG}/providers/Microsoft.Security/locations/{ascLocation}/jitNetworkAccessPolicies/{policyName}`;

const readJit = (scope: (p: Params) => string) => (p: Params) => ({ action: `${JIT}/read`, scope: scope(p) });
const subScope = (p: Params): string => `/subscriptions/${p.subscriptionId}`;
const rgScope = (p: Params): string => rgId(p.subscriptionId as string, p.resourceGroupName as string);
const policyScope = (p: Params): string =>
  policyId(
    p.subscriptionId as string,
    p.resourceGroupName as string,
    p.ascLocation as string,
    p.policyName as string,
  );

function policies(req: ArmRequest, filter: (p: JitPolicyState) => boolean): JitPolicyState[] {
  return [...req.env.state.policies.values()].filter(filter);
}

function list(req: ArmRequest, filter: (p: JitPolicyState) => boolean, fanOut = false): ArmResponse {
  return {
    status: 200,
    body: page(req, policies(req, filter), (p) =>
      policyOut(p, req.apiVersion, visibleRequests(p, req.env.behaviour)),
    ),
    // Subscription-wide lists fan out to the regional backends (CLI-JIT, PS-SUB23: three ids, empty since 2023).
    ...(fanOut ? { headers: { 'x-ms-original-request-ids': ['', '', ''] } } : {}),
  };
}

function findPolicy(req: ArmRequest, p: Params): JitPolicyState {
  const policy = req.env.state.policies.get(key(policyScope(p)));
  // The Security RP's own code (reference §8); the message text was never captured.
  if (!policy) throw policyNotFound(p.policyName as string, p.resourceGroupName as string);
  return policy;
}

function invalid(problems: string[]): ArmError {
  return new ArmError(
    400,
    'InvalidRequestContent',
    `The request content was invalid: ${problems.slice(0, 5).join('; ')}.`,
  );
}

interface PolicyBody {
  kind?: string;
  properties: { virtualMachines: JitPolicyVm[]; requests?: unknown[] };
}

function putPolicy(req: ArmRequest, p: Params): ArmResponse {
  const body = jsonBody<PolicyBody>(req);
  const problems = validateSecurity('JitNetworkAccessPolicy', body);
  if (problems.length > 0) throw invalid(problems);
  const id = policyScope(p);
  const state = req.env.state;
  let policy = state.policies.get(key(id));
  if (!policy) {
    policy = {
      id,
      name: p.policyName as string,
      subscriptionId: p.subscriptionId as string,
      resourceGroup: p.resourceGroupName as string,
      location: p.ascLocation as string,
      kind: body.kind ?? 'Basic',
      virtualMachines: [],
      mappedPorts: {},
      requests: [],
      provisioningState: 'Updating',
    };
  }
  // A policy covers VMs of its own subscription, resource group and location only (reference §8).
  const elsewhere = body.properties.virtualMachines
    .map((v) => state.vms.get(key(v.id)))
    .filter(
      (vm) =>
        vm !== undefined &&
        (key(vm.subscriptionId) !== key(p.subscriptionId as string) ||
          key(vm.resourceGroup) !== key(p.resourceGroupName as string) ||
          key(vm.location) !== key(p.ascLocation as string)),
    )
    .map((vm) => vm?.id ?? '');
  if (elsewhere.length > 0) {
    // The text is real (quoted by public code); the status and code were never captured.
    throw new ArmError(
      400,
      'BadRequest',
      `The following Virtual Machines are in a different cloud, subscription, location or resource group than the JIT policy: ${elsewhere.join(', ')}`,
    );
  }
  const vms: JitPolicyVm[] = body.properties.virtualMachines.map((v) => ({
    id: v.id,
    ports: v.ports.map((port) => ({ ...port })),
    ...(v.publicIpAddress !== undefined ? { publicIpAddress: v.publicIpAddress } : {}),
  }));
  req.env.engine.setVirtualMachines(policy, vms); // throws on the 56-character limit before storing
  if (body.kind !== undefined) policy.kind = body.kind;
  // 2020-01-01 stays `Updating` after a PUT (PS-GET20, PS-SUB23); the preview said Succeeded.
  policy.provisioningState = isPreview(req.apiVersion) ? 'Succeeded' : 'Updating';
  state.policies.set(key(id), policy);
  // The PUT echoes the request's (normally empty) requests; the stored history survives (§0.5).
  return { status: 200, body: policyOut(policy, req.apiVersion, []) };
}

function deletePolicy(req: ArmRequest, p: Params): ArmResponse {
  const policy = req.env.state.policies.get(key(policyScope(p)));
  if (!policy) return { status: 204 };
  req.env.engine.removePolicyRules(policy);
  req.env.state.policies.delete(key(policy.id));
  return { status: 200 };
}

/**
 * Each initiate port carries exactly one of `endTimeUtc` and `duration` (the portal sends
 * `duration`, absent from the swagger): neither or both is 400 InvalidInitiateInput, as the
 * real service answers (reference §8). A duration becomes the end time it stands for.
 */
function durationsToEndTimes(req: ArmRequest, body: unknown): void {
  const vms = (body as { virtualMachines?: unknown } | null)?.virtualMachines;
  if (!Array.isArray(vms)) return; // the swagger check names what is wrong
  for (const vm of vms as { ports?: unknown }[]) {
    if (!Array.isArray(vm?.ports)) continue;
    for (const port of vm.ports as Record<string, unknown>[]) {
      if (port === null || typeof port !== 'object') continue;
      const hasEnd = port.endTimeUtc !== undefined;
      const hasDuration = port.duration !== undefined;
      if (hasEnd === hasDuration) throw invalidInitiateInput();
      if (!hasDuration) continue;
      const ms = typeof port.duration === 'string' ? durationMs(port.duration) : undefined;
      if (ms === undefined) {
        throw new ArmError(
          400,
          'InvalidInitiateInput',
          `The duration '${String(port.duration)}' is not a valid ISO 8601 duration.`,
        );
      }
      port.endTimeUtc = new Date(req.env.clock.nowMs() + ms).toISOString();
      delete port.duration;
    }
  }
}

function initiate(req: ArmRequest, p: Params): ArmResponse {
  if ((p.initiateType as string).toLowerCase() !== 'initiate') {
    throw new ArmError(404, 'NotFound', `The action '${p.initiateType}' is not supported on ${JIT}.`);
  }
  const policy = findPolicy(req, p);
  const body = jsonBody<InitiateBody>(req);
  durationsToEndTimes(req, body);
  const problems = validateSecurity('JitNetworkAccessPolicyInitiateRequest', body);
  if (problems.length > 0) throw invalid(problems);
  const request = req.env.engine.initiate(req.principal.name, policy, body);
  // 202 with the request as body; NOT a long-running operation (no Location header).
  return { status: 202, body: request };
}

function locationsOut(
  req: ArmRequest,
  sub: string,
): { id: string; name: string; type: string; properties: { homeRegionName: string } }[] {
  const locations = new Set<string>();
  for (const p of req.env.state.policies.values())
    if (key(p.subscriptionId) === key(sub)) locations.add(p.location);
  for (const vm of req.env.state.vms.values())
    if (key(vm.subscriptionId) === key(sub)) locations.add(vm.location);
  return [...locations].sort().map((l) => ({
    id: `/subscriptions/${sub}/providers/Microsoft.Security/locations/${l}`,
    name: l,
    type: 'Microsoft.Security/locations',
    properties: { homeRegionName: l },
  }));
}

const route = (r: Omit<Route, 'provider' | 'resourceType' | 'versions'> & Partial<Route>): Route => ({
  provider: 'security',
  resourceType: JIT,
  versions: SECURITY_JIT_VERSIONS,
  ...r,
});

export const securityRoutes: Route[] = [
  route({
    method: 'GET',
    pattern: `${SUB}/providers/Microsoft.Security/jitNetworkAccessPolicies`,
    authz: readJit(subScope),
    handle: (req, p) => list(req, (x) => key(x.subscriptionId) === key(p.subscriptionId as string), true),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/Microsoft.Security/locations/{ascLocation}/jitNetworkAccessPolicies`,
    authz: readJit(subScope),
    handle: (req, p) =>
      list(
        req,
        (x) =>
          key(x.subscriptionId) === key(p.subscriptionId as string) &&
          key(x.location) === key(p.ascLocation as string),
      ),
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/Microsoft.Security/jitNetworkAccessPolicies`,
    authz: readJit(rgScope),
    handle: (req, p) =>
      list(
        req,
        (x) =>
          key(x.subscriptionId) === key(p.subscriptionId as string) &&
          key(x.resourceGroup) === key(p.resourceGroupName as string),
      ),
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/Microsoft.Security/locations/{ascLocation}/jitNetworkAccessPolicies`,
    authz: readJit(rgScope),
    handle: (req, p) =>
      list(
        req,
        (x) =>
          key(x.subscriptionId) === key(p.subscriptionId as string) &&
          key(x.resourceGroup) === key(p.resourceGroupName as string) &&
          key(x.location) === key(p.ascLocation as string),
      ),
  }),
  route({
    method: 'GET',
    pattern: POLICY,
    authz: readJit(policyScope),
    handle: (req, p) => {
      const policy = findPolicy(req, p);
      return {
        status: 200,
        body: policyOut(policy, req.apiVersion, visibleRequests(policy, req.env.behaviour)),
      };
    },
  }),
  route({
    method: 'PUT',
    pattern: POLICY,
    authz: (p) => ({ action: `${JIT}/write`, scope: policyScope(p) }),
    handle: putPolicy,
  }),
  route({
    method: 'DELETE',
    pattern: POLICY,
    authz: (p) => ({ action: `${JIT}/delete`, scope: policyScope(p) }),
    handle: deletePolicy,
  }),
  route({
    method: 'POST',
    pattern: `${POLICY}/{initiateType}`,
    authz: (p) => ({
      action: `${JIT}/${(p.initiateType as string).toLowerCase()}/action`,
      scope: policyScope(p),
    }),
    handle: initiate,
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/Microsoft.Security/locations`,
    resourceType: 'Microsoft.Security/locations',
    versions: SECURITY_LOCATION_VERSIONS,
    authz: (p) => ({ action: 'Microsoft.Security/locations/read', scope: subScope(p) }),
    handle: (req, p) => ({ status: 200, body: { value: locationsOut(req, p.subscriptionId as string) } }),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/Microsoft.Security/locations/{ascLocation}`,
    resourceType: 'Microsoft.Security/locations',
    versions: SECURITY_LOCATION_VERSIONS,
    authz: (p) => ({ action: 'Microsoft.Security/locations/read', scope: subScope(p) }),
    handle: (req, p) => {
      const loc = locationsOut(req, p.subscriptionId as string).find(
        (l) => key(l.name) === key(p.ascLocation as string),
      );
      if (!loc) throw new ArmError(404, 'NotFound', `Location '${p.ascLocation}' was not found.`);
      return { status: 200, body: loc };
    },
  }),
];
