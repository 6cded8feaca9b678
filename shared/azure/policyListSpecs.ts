/**
 * `listByResourceGroup` of @azure/arm-security's JIT operation group, as its generated operation
 * specs say (same path, api-version, parameters and error mapper), except that the policies come
 * back without their request history (`properties.requests`): the serializer reads them with a
 * JitNetworkAccessPolicy model that has no `requests`, so the history in the body is skipped.
 *
 * Why: the Security provider returns every request a policy ever had (whether it trims them is not
 * known: emulator behaviour `history`), and the classic deserializer turns each into objects and
 * Dates: ~30 ms of CPU per 1,000 entries, on every run of a busy policy. Main checks a request
 * against the VM entries only; it reads the history after initiate (readBack), as post does.
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
import { createSerializer, type CompositeMapper, type OperationSpec } from '@azure/core-client';

const { requests: _history, ...withoutHistory } = JitNetworkAccessPolicy.type.modelProperties ?? {};

/**
 * The models the serializer looks up by `className` on this path, the policy without `requests`.
 * Named one by one (not `import * as`): the whole namespace would put every model name of the
 * Security provider in the bundle. tests/unit/shared/azure/policyListSpecs.test.ts checks that
 * every `className` they reach is here.
 */
export const LIST_MODELS: Readonly<Record<string, CompositeMapper>> = {
  CloudError,
  CloudErrorBody,
  ErrorAdditionalInfo,
  JitNetworkAccessPoliciesList,
  JitNetworkAccessPolicy: { type: { ...JitNetworkAccessPolicy.type, modelProperties: withoutHistory } },
  JitNetworkAccessPolicyVirtualMachine,
  JitNetworkAccessPortRule,
};

const serializer = createSerializer(LIST_MODELS, false);

const responses: OperationSpec['responses'] = {
  200: { bodyMapper: JitNetworkAccessPoliciesList },
  default: { bodyMapper: CloudError },
};

/** The first page: GET .../resourceGroups/{rg}/providers/Microsoft.Security/jitNetworkAccessPolicies. */
export const listByResourceGroupWithoutHistory: OperationSpec = {
  path: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Security/jitNetworkAccessPolicies',
  httpMethod: 'GET',
  responses,
  queryParameters: [Parameters.apiVersion9],
  urlParameters: [Parameters.$host, Parameters.subscriptionId, Parameters.resourceGroupName],
  headerParameters: [Parameters.accept],
  serializer,
};

/** The next pages: GET {nextLink}. */
export const listByResourceGroupNextWithoutHistory: OperationSpec = {
  path: '{nextLink}',
  httpMethod: 'GET',
  responses,
  queryParameters: [Parameters.apiVersion9],
  urlParameters: [
    Parameters.$host,
    Parameters.subscriptionId,
    Parameters.resourceGroupName,
    Parameters.nextLink,
  ],
  headerParameters: [Parameters.accept],
  serializer,
};
