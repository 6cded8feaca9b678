/**
 * Two reads of @azure/arm-security's JIT operation group as its generated operation specs say
 * them (same path, api-version, parameters and error mapper), with the policy's request history
 * (`properties.requests`) read differently:
 * - `listByResourceGroup` without it: main checks a request against the VM entries only;
 * - `get` with it as the JSON Azure sent (`RawJitRequest`, dates as text): post, the wait's
 *   supersession check and readBack look for this run's own entry in it, and take its times
 *   through `instantOf`, as the SDK would (`new Date(text)`).
 *
 * Why: the Security provider returns every request a policy ever had (whether it trims them is not
 * known: emulator behaviour `history`), and the SDK's classic deserializer turns each entry into
 * objects and Dates, model by model: ~30 ms of CPU per 1,000 entries, on every read of a busy policy.
 */
import {
  CloudError,
  CloudErrorBody,
  ErrorAdditionalInfo,
  JitNetworkAccessPoliciesList,
  JitNetworkAccessPolicy,
  JitNetworkAccessPolicyVirtualMachine,
  JitNetworkAccessPortRule,
} from '@azure/arm-security/dist-esm/src/models/mappers';
import * as Parameters from '@azure/arm-security/dist-esm/src/models/parameters';
import type { JitNetworkAccessPolicy as Policy } from '@azure/arm-security';
import { createSerializer, type CompositeMapper, type OperationSpec } from '@azure/core-client';

/** One port of a request in a policy's history, as the JSON says it. */
export interface RawJitRequestPort {
  readonly number: number;
  readonly endTimeUtc: string;
  readonly status: string;
  readonly statusReason: string;
  readonly allowedSourceAddressPrefix?: string;
  readonly allowedSourceAddressPrefixes?: readonly string[];
  readonly mappedPort?: number;
}

/** One request of a policy's history, as the JSON says it (nothing checked: read it defensively). */
export interface RawJitRequest {
  readonly virtualMachines?: readonly {
    readonly id?: string;
    readonly ports?: readonly RawJitRequestPort[];
  }[];
  readonly startTimeUtc?: string;
  readonly requestor?: string;
  readonly justification?: string;
}

/** A policy read by `getWithRawHistory`. */
export type PolicyWithRawHistory = Omit<Policy, 'requests'> & {
  readonly requests?: readonly RawJitRequest[];
};

const { requests: history, ...withoutHistory } = JitNetworkAccessPolicy.type.modelProperties ?? {};

/**
 * The models the serializer looks up by `className` on these paths (the policy itself is given
 * inline). Named one by one (not `import * as`): the whole namespace would put every model name of
 * the Security provider in the bundle. tests/unit/shared/azure/policyReadSpecs.test.ts checks that
 * every `className` they reach is here.
 */
const MODELS = {
  CloudError,
  CloudErrorBody,
  ErrorAdditionalInfo,
  JitNetworkAccessPoliciesList,
  JitNetworkAccessPolicyVirtualMachine,
  JitNetworkAccessPortRule,
};

function policyModel(requests?: CompositeMapper['type']['modelProperties']): CompositeMapper {
  return { type: { ...JitNetworkAccessPolicy.type, modelProperties: { ...withoutHistory, ...requests } } };
}

/** Without `requests`: the history in the body is skipped. */
const POLICY_WITHOUT_HISTORY = policyModel();
/** `requests` as a sequence of JSON values: each entry is the object JSON.parse made, unchanged. */
const POLICY_WITH_RAW_HISTORY = policyModel({
  requests: {
    serializedName: history?.serializedName ?? 'properties.requests',
    type: { name: 'Sequence', element: { type: { name: 'Object' } } },
  },
});

export const READ_MODELS: Readonly<Record<string, CompositeMapper>> = {
  ...MODELS,
  JitNetworkAccessPolicy: POLICY_WITHOUT_HISTORY,
};

const listSerializer = createSerializer(READ_MODELS, false);
const getSerializer = createSerializer(MODELS, false);

const listResponses: OperationSpec['responses'] = {
  200: { bodyMapper: JitNetworkAccessPoliciesList },
  default: { bodyMapper: CloudError },
};

/** The first page: GET .../resourceGroups/{rg}/providers/Microsoft.Security/jitNetworkAccessPolicies. */
export const listByResourceGroupWithoutHistory: OperationSpec = {
  path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Security/jitNetworkAccessPolicies',
  httpMethod: 'GET',
  responses: listResponses,
  queryParameters: [Parameters.apiVersion9],
  urlParameters: [Parameters.$host, Parameters.subscriptionId, Parameters.resourceGroupName],
  headerParameters: [Parameters.accept],
  serializer: listSerializer,
};

/** The next pages: GET {nextLink}. */
export const listByResourceGroupNextWithoutHistory: OperationSpec = {
  path: '{nextLink}',
  httpMethod: 'GET',
  responses: listResponses,
  queryParameters: [Parameters.apiVersion9],
  urlParameters: [
    Parameters.$host,
    Parameters.subscriptionId,
    Parameters.resourceGroupName,
    Parameters.nextLink,
  ],
  headerParameters: [Parameters.accept],
  serializer: listSerializer,
};

/** GET .../locations/{ascLocation}/jitNetworkAccessPolicies/{name}, its history as JSON. */
export const getWithRawHistory: OperationSpec = {
  path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Security/locations/{ascLocation}/jitNetworkAccessPolicies/{jitNetworkAccessPolicyName}',
  httpMethod: 'GET',
  responses: { 200: { bodyMapper: POLICY_WITH_RAW_HISTORY }, default: { bodyMapper: CloudError } },
  queryParameters: [Parameters.apiVersion9],
  urlParameters: [
    Parameters.$host,
    Parameters.subscriptionId,
    Parameters.resourceGroupName,
    Parameters.ascLocation,
    Parameters.jitNetworkAccessPolicyName,
  ],
  headerParameters: [Parameters.accept],
  serializer: getSerializer,
};
