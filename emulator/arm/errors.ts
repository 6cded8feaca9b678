/**
 * ARM error envelopes with the real codes and messages (see
 * ../shared/reference/azure-jit-api.md §4). core-client surfaces `error.code` and
 * `error.message` of this envelope as RestError.code/.message, so the exact text
 * is what users of Microsoft's SDKs will see.
 */
export class ArmError extends Error {
  override name = 'ArmError';
  /**
   * Answered by ARM's front door, not by a resource provider (reference §8): compact JSON,
   * `x-ms-failure-cause: gateway`, request id = correlation id, no RP `Server` header and
   * no rate-limit count spent. Set by the front door for the checks it owns.
   */
  gateway = false;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The Network RP's envelope always carries `details` (an empty array for most errors). */
    readonly details?: unknown[],
  ) {
    super(message);
  }

  envelope(): { error: { code: string; message: string; details?: unknown[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

/** Marks an error as ARM's own (see ArmError.gateway). */
export function fromGateway(error: ArmError): ArmError {
  error.gateway = true;
  return error;
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

/**
 * The Security RP's own not-found code for a JIT policy (404 `PolicyNotFound`, seen in the wild:
 * Azure/terraform-provider-azapi#697; reference §8). The message text was never captured.
 */
export function policyNotFound(name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'PolicyNotFound',
    `Just-in-time network access policy '${name}' was not found in resource group '${resourceGroup}'.`,
  );
}

/** The Security RP's 400 for an initiate port with neither or both of endTimeUtc and duration (reference §8). */
export function invalidInitiateInput(): ArmError {
  return new ArmError(
    400,
    'InvalidInitiateInput',
    "Only one of fields 'EndTimeUtc' and 'Duration' can be set.",
  );
}

/**
 * The Network RP's 409 for a write on an NSG (or a rule in it) while another write holds it:
 * real text and envelope (microsoft/AzureTRE#2222, Azure/bicep#5132), pointing at the operation
 * in flight, with `Retry-After` in seconds.
 */
export function anotherOperationInProgress(operationUrl: string, retryAfterSeconds: number): ArmError {
  return new ArmError(
    409,
    'AnotherOperationInProgress',
    `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${operationUrl}.`,
    { 'Retry-After': String(retryAfterSeconds) },
    [],
  );
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
