/**
 * Microsoft.Network: NSGs (get/list), security rules (get/list/put/delete as the
 * LROs they are), NICs, public IPs (get/list), virtual networks and subnets (get/list), and the
 * async-operation URLs the SDKs poll.
 */
import { randomUUID } from 'node:crypto';
import { SERIALIZED_MIN_HOLD_MS, holdNsg, nsgBusy, touch } from '../../jit/rules';
import { NETWORK_VERSIONS } from '../apiVersions';
import { jsonBody, page, type ArmRequest, type Params, type Route } from '../context';
import { ArmError, anotherOperationInProgress, resourceNotFound } from '../errors';
import type { ArmResponse } from '../respond';
import {
  key,
  resourceId,
  rgId,
  type NsgState,
  type SecurityRuleProperties,
  type SecurityRuleState,
} from '../state';
import { nicOut, nsgOut, publicIpOut, ruleOut, subnetOut, vnetOut } from './networkOut';

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const NSG = `${RG}/providers/Microsoft.Network/networkSecurityGroups/{nsgName}`;
const RULE = `${NSG}/securityRules/{ruleName}`;
const N = 'Microsoft.Network';

const id = (p: Params, type: string, name: string): string =>
  resourceId(p.subscriptionId as string, p.resourceGroupName as string, `${N}/${type}`, p[name] as string);

function childNotFound(resource: string): ArmError {
  return new ArmError(404, 'NotFound', `Resource ${resource} not found.`);
}

function getNsg(req: ArmRequest, p: Params): NsgState {
  const nsg = req.env.state.nsgs.get(key(id(p, 'networkSecurityGroups', 'nsgName')));
  if (!nsg)
    throw resourceNotFound(`${N}/networkSecurityGroups`, p.nsgName as string, p.resourceGroupName as string);
  return nsg;
}

function findRule(nsg: NsgState, name: string): SecurityRuleState | undefined {
  return nsg.rules.find((r) => key(r.name) === key(name));
}

const inRg = (p: Params) => (x: { subscriptionId: string; resourceGroup: string }) =>
  key(x.subscriptionId) === key(p.subscriptionId as string) &&
  key(x.resourceGroup) === key(p.resourceGroupName as string);
const inSub = (p: Params) => (x: { subscriptionId: string }) =>
  key(x.subscriptionId) === key(p.subscriptionId as string);

function operationsBase(req: ArmRequest, nsg: NsgState): string {
  return `${req.env.armUrl()}/subscriptions/${nsg.subscriptionId}/providers/${N}/locations/${nsg.location}`;
}

/**
 * `nsgWrites: serialized`: a write on an NSG while another holds it gets the Network RP's
 * 409 AnotherOperationInProgress, naming the operation in flight, with Retry-After.
 */
function refuseIfBusy(req: ArmRequest, nsg: NsgState): void {
  if (req.env.behaviour.nsgWrites !== 'serialized') return;
  const now = req.env.clock.nowMs();
  if (!nsg.busy || !nsgBusy(nsg, now)) return;
  throw anotherOperationInProgress(
    `${operationsBase(req, nsg)}/operations/${nsg.busy.operationId}?api-version=${req.apiVersion}`,
    Math.max(1, Math.ceil((nsg.busy.until - now) / 1000)),
  );
}

/**
 * Starts a Network async operation that finishes after the engine's delay. Under serialized
 * NSG writes it holds the NSG until then (at least SERIALIZED_MIN_HOLD_MS).
 */
function startOperation(req: ArmRequest, nsg: NsgState, onDone: () => void): Record<string, string> {
  const opId = randomUUID();
  const serialized = req.env.behaviour.nsgWrites === 'serialized';
  const delay = serialized
    ? Math.max(SERIALIZED_MIN_HOLD_MS, req.env.operationDelayMs())
    : req.env.operationDelayMs();
  const doneAt = req.env.clock.nowMs() + delay;
  req.env.state.operations.set(key(opId), {
    doneAt,
    location: nsg.location,
    subscriptionId: nsg.subscriptionId,
  });
  if (serialized) holdNsg(req.env.state, nsg, doneAt, opId);
  req.env.clock.schedule(doneAt, onDone);
  const base = operationsBase(req, nsg);
  return {
    'Azure-AsyncOperation': `${base}/operations/${opId}?api-version=${req.apiVersion}`,
    'Azure-AsyncNotification': 'Enabled',
    Location: `${base}/operationResults/${opId}?api-version=${req.apiVersion}`,
  };
}

function deleteRule(req: ArmRequest, p: Params): ArmResponse {
  const nsg = getNsg(req, p);
  refuseIfBusy(req, nsg);
  const rule = findRule(nsg, p.ruleName as string);
  if (!rule) return { status: 204 };
  rule.provisioningState = 'Deleting';
  touch(nsg);
  const headers = startOperation(req, nsg, () => {
    nsg.rules = nsg.rules.filter((r) => r !== rule);
    touch(nsg);
  });
  delete headers['Azure-AsyncNotification'];
  return { status: 202, headers };
}

interface RuleBody {
  properties?: Partial<SecurityRuleProperties>;
}

function putRule(req: ArmRequest, p: Params): ArmResponse {
  const nsg = getNsg(req, p);
  refuseIfBusy(req, nsg);
  const body = jsonBody<RuleBody>(req);
  const props = body.properties ?? {};
  for (const field of ['protocol', 'access', 'priority', 'direction'] as const) {
    if (props[field] === undefined) {
      throw new ArmError(
        400,
        'InvalidRequestFormat',
        `Cannot parse the request. Required property '${field}' not found.`,
      );
    }
  }
  const name = p.ruleName as string;
  const clash = nsg.rules.find(
    (r) =>
      key(r.name) !== key(name) &&
      r.properties.priority === props.priority &&
      r.properties.direction === props.direction,
  );
  if (clash) {
    throw new ArmError(
      400,
      'SecurityRuleConflict',
      `Security rule ${name} conflicts with rule ${clash.name}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.`,
    );
  }
  const existing = findRule(nsg, name);
  const rule: SecurityRuleState = {
    name: existing?.name ?? name,
    provisioningState: 'Updating',
    properties: {
      ...(props.description !== undefined ? { description: props.description } : {}),
      protocol: props.protocol as string,
      sourcePortRange: props.sourcePortRange ?? '*',
      ...(props.destinationPortRanges?.length
        ? {}
        : { destinationPortRange: props.destinationPortRange ?? '*' }),
      sourceAddressPrefix: props.sourceAddressPrefix ?? '*',
      destinationAddressPrefix: props.destinationAddressPrefix ?? '*',
      access: props.access as string,
      priority: props.priority as number,
      direction: props.direction as string,
      sourcePortRanges: props.sourcePortRanges ?? [],
      destinationPortRanges: props.destinationPortRanges ?? [],
      sourceAddressPrefixes: props.sourceAddressPrefixes ?? [],
      destinationAddressPrefixes: props.destinationAddressPrefixes ?? [],
    },
  };
  nsg.rules = existing ? nsg.rules.map((r) => (r === existing ? rule : r)) : [...nsg.rules, rule];
  touch(nsg);
  const headers = startOperation(req, nsg, () => {
    rule.provisioningState = 'Succeeded';
    touch(nsg);
  });
  delete headers.Location;
  return { status: existing ? 200 : 201, body: ruleOut(nsg, rule), headers };
}

function operation(req: ArmRequest, p: Params, results: boolean): ArmResponse {
  const op = req.env.state.operations.get(key(p.operationId as string));
  if (!op || key(op.subscriptionId) !== key(p.subscriptionId as string)) {
    throw new ArmError(404, 'NotFound', `Operation ${p.operationId} not found.`);
  }
  const done = req.env.clock.nowMs() >= op.doneAt;
  if (results)
    return done
      ? { status: 204 }
      : { status: 202, headers: { Location: req.url.toString(), 'Retry-After': '1' } };
  return { status: 200, body: { status: done ? 'Succeeded' : 'InProgress' } };
}

const read = (type: string, scope: (p: Params) => string) => (p: Params) => ({
  action: `${N}/${type}/read`,
  scope: scope(p),
});
const route = (r: Omit<Route, 'provider' | 'versions'>): Route => ({
  provider: 'network',
  versions: NETWORK_VERSIONS,
  ...r,
});
const rgScope = (p: Params): string => rgId(p.subscriptionId as string, p.resourceGroupName as string);
const subScope = (p: Params): string => `/subscriptions/${p.subscriptionId}`;

export const networkRoutes: Route[] = [
  route({
    method: 'GET',
    pattern: NSG,
    resourceType: `${N}/networkSecurityGroups`,
    authz: read('networkSecurityGroups', (p) => id(p, 'networkSecurityGroups', 'nsgName')),
    handle: (req, p) => {
      const nsg = getNsg(req, p);
      return { status: 200, body: nsgOut(req.env.state, nsg), headers: { ETag: nsg.etag } };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/networkSecurityGroups`,
    resourceType: `${N}/networkSecurityGroups`,
    authz: read('networkSecurityGroups', rgScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.nsgs.values()].filter(inRg(p)), (n) => nsgOut(req.env.state, n)),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${N}/networkSecurityGroups`,
    resourceType: `${N}/networkSecurityGroups`,
    authz: read('networkSecurityGroups', subScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.nsgs.values()].filter(inSub(p)), (n) => nsgOut(req.env.state, n)),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${NSG}/securityRules`,
    resourceType: `${N}/networkSecurityGroups/securityRules`,
    authz: read('networkSecurityGroups/securityRules', (p) => id(p, 'networkSecurityGroups', 'nsgName')),
    handle: (req, p) => {
      const nsg = getNsg(req, p);
      return { status: 200, body: page(req, nsg.rules, (r) => ruleOut(nsg, r)) };
    },
  }),
  route({
    method: 'GET',
    pattern: RULE,
    resourceType: `${N}/networkSecurityGroups/securityRules`,
    authz: read(
      'networkSecurityGroups/securityRules',
      (p) => `${id(p, 'networkSecurityGroups', 'nsgName')}/securityRules/${p.ruleName}`,
    ),
    handle: (req, p) => {
      const nsg = getNsg(req, p);
      const rule = findRule(nsg, p.ruleName as string);
      if (!rule) throw childNotFound(`${nsg.id}/securityRules/${p.ruleName}`);
      return { status: 200, body: ruleOut(nsg, rule), headers: { ETag: nsg.etag } };
    },
  }),
  route({
    method: 'DELETE',
    pattern: RULE,
    resourceType: `${N}/networkSecurityGroups/securityRules`,
    authz: (p) => ({
      action: `${N}/networkSecurityGroups/securityRules/delete`,
      scope: `${id(p, 'networkSecurityGroups', 'nsgName')}/securityRules/${p.ruleName}`,
    }),
    handle: deleteRule,
  }),
  route({
    method: 'PUT',
    pattern: RULE,
    resourceType: `${N}/networkSecurityGroups/securityRules`,
    authz: (p) => ({
      action: `${N}/networkSecurityGroups/securityRules/write`,
      scope: `${id(p, 'networkSecurityGroups', 'nsgName')}/securityRules/${p.ruleName}`,
    }),
    handle: putRule,
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/networkInterfaces/{nicName}`,
    resourceType: `${N}/networkInterfaces`,
    authz: read('networkInterfaces', (p) => id(p, 'networkInterfaces', 'nicName')),
    handle: (req, p) => {
      const nic = req.env.state.nics.get(key(id(p, 'networkInterfaces', 'nicName')));
      if (!nic)
        throw resourceNotFound(`${N}/networkInterfaces`, p.nicName as string, p.resourceGroupName as string);
      return { status: 200, body: nicOut(nic), headers: { ETag: nic.etag } };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/networkInterfaces`,
    resourceType: `${N}/networkInterfaces`,
    authz: read('networkInterfaces', rgScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.nics.values()].filter(inRg(p)), nicOut),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${N}/networkInterfaces`,
    resourceType: `${N}/networkInterfaces`,
    authz: read('networkInterfaces', subScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.nics.values()].filter(inSub(p)), nicOut),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${N}/publicIPAddresses`,
    resourceType: `${N}/publicIPAddresses`,
    authz: read('publicIPAddresses', subScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.publicIps.values()].filter(inSub(p)), publicIpOut),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/publicIPAddresses/{pipName}`,
    resourceType: `${N}/publicIPAddresses`,
    authz: read('publicIPAddresses', (p) => id(p, 'publicIPAddresses', 'pipName')),
    handle: (req, p) => {
      const pip = req.env.state.publicIps.get(key(id(p, 'publicIPAddresses', 'pipName')));
      if (!pip)
        throw resourceNotFound(`${N}/publicIPAddresses`, p.pipName as string, p.resourceGroupName as string);
      return { status: 200, body: publicIpOut(pip), headers: { ETag: pip.etag } };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/publicIPAddresses`,
    resourceType: `${N}/publicIPAddresses`,
    authz: read('publicIPAddresses', rgScope),
    handle: (req, p) => ({
      status: 200,
      body: page(req, [...req.env.state.publicIps.values()].filter(inRg(p)), publicIpOut),
    }),
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/virtualNetworks/{vnetName}`,
    resourceType: `${N}/virtualNetworks`,
    authz: read('virtualNetworks', (p) => id(p, 'virtualNetworks', 'vnetName')),
    handle: (req, p) => {
      const vnet = req.env.state.vnets.get(key(id(p, 'virtualNetworks', 'vnetName')));
      if (!vnet)
        throw resourceNotFound(`${N}/virtualNetworks`, p.vnetName as string, p.resourceGroupName as string);
      return { status: 200, body: vnetOut(req.env.state, vnet), headers: { ETag: vnet.etag } };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/virtualNetworks/{vnetName}/subnets/{subnetName}`,
    resourceType: `${N}/virtualNetworks/subnets`,
    authz: read(
      'virtualNetworks/subnets',
      (p) => `${id(p, 'virtualNetworks', 'vnetName')}/subnets/${p.subnetName}`,
    ),
    handle: (req, p) => {
      const vnetId = id(p, 'virtualNetworks', 'vnetName');
      if (!req.env.state.vnets.has(key(vnetId))) {
        throw resourceNotFound(`${N}/virtualNetworks`, p.vnetName as string, p.resourceGroupName as string);
      }
      const subnet = req.env.state.subnets.get(key(`${vnetId}/subnets/${p.subnetName}`));
      if (!subnet) throw childNotFound(`${vnetId}/subnets/${p.subnetName}`);
      return { status: 200, body: subnetOut(req.env.state, subnet), headers: { ETag: subnet.etag } };
    },
  }),
  route({
    method: 'GET',
    pattern: `${RG}/providers/${N}/virtualNetworks/{vnetName}/subnets`,
    resourceType: `${N}/virtualNetworks/subnets`,
    authz: read('virtualNetworks/subnets', (p) => id(p, 'virtualNetworks', 'vnetName')),
    handle: (req, p) => {
      const vnet = req.env.state.vnets.get(key(id(p, 'virtualNetworks', 'vnetName')));
      if (!vnet)
        throw resourceNotFound(`${N}/virtualNetworks`, p.vnetName as string, p.resourceGroupName as string);
      const subnets = vnet.subnetIds
        .map((s) => req.env.state.subnets.get(key(s)))
        .filter((s): s is NonNullable<typeof s> => s !== undefined);
      return { status: 200, body: page(req, subnets, (s) => subnetOut(req.env.state, s)) };
    },
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${N}/locations/{location}/operations/{operationId}`,
    resourceType: `${N}/locations/operations`,
    authz: (p) => ({ action: `${N}/locations/operations/read`, scope: subScope(p) }),
    handle: (req, p) => operation(req, p, false),
  }),
  route({
    method: 'GET',
    pattern: `${SUB}/providers/${N}/locations/{location}/operationResults/{operationId}`,
    resourceType: `${N}/locations/operationResults`,
    authz: (p) => ({ action: `${N}/locations/operationResults/read`, scope: subScope(p) }),
    handle: (req, p) => operation(req, p, true),
  }),
];
