/**
 * ARM error envelopes with the real codes and messages (see
 * ../shared/reference/azure-jit-api.md §4). core-client surfaces `error.code` and
 * `error.message` of this envelope as RestError.code/.message, so the exact text
 * is what users of Microsoft's SDKs will see.
 */
export class ArmError extends Error {
  override name = 'ArmError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  envelope(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

export function subscriptionNotFound(subscriptionId: string): ArmError {
  return new ArmError(
    404,
    'SubscriptionNotFound',
    `The subscription '${subscriptionId}' could not be found.`,
  );
}

export function authorizationFailed(objectId: string, action: string, scope: string): ArmError {
  return new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function throttled(
  subscriptionId: string,
  objectId: string,
  retryAfterSeconds: number,
  kind = 'read',
): ArmError {
  return new ArmError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${kind}' requests for subscription '${subscriptionId}' actor '${objectId}' exceeded. Please try again after '${retryAfterSeconds}' seconds.`,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** The real portal text for any initiate outside the policy (VM, port, duration or source). */
export function notSubsetOfPolicy(policyId: string): ArmError {
  // Status/code not captured from Azure (reference §7): 400 BadRequest is our documented choice.
  return new ArmError(
    400,
    'BadRequest',
    `The given access request is not a subset of policy '${policyId}'. Please make sure that the access request is within the allowed policy properties.`,
  );
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
