import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  AuthError,
  AzureApiError,
  CancelledError,
  InputError,
  IpResolutionError,
  PolicyError,
  StateError,
  SupersededError,
  TimeoutError,
  UnexpectedError,
  describeError,
  isJitError,
  quoteValue,
  toJitError,
} from '../../../shared/errors';

function restError(
  status: number | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/x' });
  return new RestError(`raw message ${status ?? ''}`, {
    ...(status === undefined ? { code: 'ECONNRESET' } : { statusCode: status }),
    ...(status === undefined
      ? {}
      : {
          response: {
            status,
            request,
            headers: createHttpHeaders(headers),
            bodyAsText: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
          },
        }),
  });
}

describe('AzureApiError.fromRestError', () => {
  it('takes code and message from the CloudError body and the correlation ID from the headers', () => {
    const e = AzureApiError.fromRestError(
      restError(
        403,
        { error: { code: 'AuthorizationFailed', message: "The client 'x' does not have authorization" } },
        { 'x-ms-correlation-request-id': '7f3c1d2e-0000-4000-8000-000000000001' },
      ),
      "initiate JIT policy 'web-jit'",
    );
    expect(e).toMatchObject({
      kind: 'azure',
      status: 403,
      code: 'AuthorizationFailed',
      azureMessage: "The client 'x' does not have authorization",
      correlationId: '7f3c1d2e-0000-4000-8000-000000000001',
      operation: "initiate JIT policy 'web-jit'",
    });
    expect(e.hint).toContain('initiate/action');
  });

  it('falls back to x-ms-request-id and to the RestError message when the body is not a CloudError', () => {
    const e = AzureApiError.fromRestError(
      restError(502, '<html>Bad gateway</html>', { 'x-ms-request-id': 'req-1' }),
      'list',
    );
    expect(e).toMatchObject({
      status: 502,
      code: '',
      azureMessage: 'raw message 502',
      correlationId: 'req-1',
    });
  });

  it('reads a CloudError body without the error wrapper', () => {
    const e = AzureApiError.fromRestError(restError(400, { code: 'BadRequest', message: 'nope' }), 'op');
    expect(e).toMatchObject({ code: 'BadRequest', azureMessage: 'nope', correlationId: undefined });
  });

  it('marks a call that got no response', () => {
    const e = AzureApiError.fromRestError(restError(undefined), 'get VM web-01');
    expect(e.status).toBeUndefined();
    expect(e.message).toBe('Azure call failed: get VM web-01: no response ECONNRESET: raw message ');
    expect(e.hint).toContain('HTTPS_PROXY');
  });

  it('keeps an AzureApiError as it is', () => {
    const original = new AzureApiError({
      status: 404,
      code: 'NotFound',
      azureMessage: 'gone',
      operation: 'op',
    });
    expect(AzureApiError.fromRestError(original, 'other')).toBe(original);
  });

  it.each<[number, string]>([
    [401, 'token was rejected'],
    [404, 'resource ID'],
    [429, 'throttling'],
    [500, 'server error'],
    [409, "See Azure's message"],
  ])('gives HTTP %d a hint', (status, hint) => {
    expect(new AzureApiError({ status, code: 'X', azureMessage: 'm', operation: 'op' }).hint).toContain(hint);
  });
});

describe('toJitError / describeError', () => {
  it('classifies foreign errors', () => {
    expect(toJitError(restError(404, { error: { code: 'NotFound', message: 'x' } }))).toBeInstanceOf(
      AzureApiError,
    );
    const abort = new Error('The operation was aborted');
    abort.name = 'AbortError';
    expect(toJitError(abort)).toBeInstanceOf(CancelledError);
    const identity = new Error('ClientSecretCredential authentication failed: AADSTS7000215');
    identity.name = 'AuthenticationError';
    expect(toJitError(identity)).toBeInstanceOf(AuthError);
    expect(toJitError(new TypeError('x is undefined'))).toBeInstanceOf(UnexpectedError);
    expect(toJitError('a string')).toBeInstanceOf(UnexpectedError);
    const ours = new TimeoutError('slow');
    expect(toJitError(ours)).toBe(ours);
    expect(isJitError(ours)).toBe(true);
    expect(isJitError(new Error('x'))).toBe(false);
  });

  it('always ends with what to do', () => {
    for (const e of [
      new Error('boom'),
      undefined,
      null,
      42,
      { weird: true },
      new InputError('ports', '0', 'bad'),
    ]) {
      expect(describeError(e)).toMatch(/\nWhat to do: \S/);
    }
  });

  it('never throws, even for hostile values', () => {
    const hostile = {
      get message(): string {
        throw new Error('nope');
      },
    };
    expect(() => describeError(hostile)).not.toThrow();
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(describeError(proxy)).toMatch(/What to do/);
  });
});

describe('InputError', () => {
  it('holds one issue or many', () => {
    const one = new InputError('ports', '0', 'is out of range', 'use 1-65535');
    expect(one.issues).toEqual([
      { input: 'ports', value: '0', rule: 'is out of range', hint: 'use 1-65535' },
    ]);
    expect(one.input).toBe('ports');
    const many = new InputError([...one.issues, { input: 'vms', value: '', rule: 'is required' }]);
    expect(many.issues).toHaveLength(2);
    expect(() => new InputError([])).toThrow(RangeError);
  });

  it('shows empty, multi-line and very long values on one line', () => {
    expect(quoteValue('')).toBe('(empty)');
    expect(quoteValue('a\nb')).toBe('"a\\nb"');
    expect(quoteValue('x'.repeat(500))).toBe(`"${'x'.repeat(200)}…"`);
  });
});

describe('PolicyError.combine', () => {
  it('returns a single error as is and lists several', () => {
    const a = new PolicyError("port 3389 is not in JIT policy 'web-jit' for VM web-01 (allowed: 22)");
    const b = new PolicyError("duration 2 h exceeds PT1H in JIT policy 'default' for VM api-01 port 22");
    expect(PolicyError.combine([a])).toBe(a);
    const both = PolicyError.combine([a, b]);
    expect(both.message).toBe(`2 requests do not fit their JIT policy:\n  - ${a.message}\n  - ${b.message}`);
    expect(both.more).toEqual([b]);
    expect(() => PolicyError.combine([])).toThrow(RangeError);
  });
});

/**
 * What users see: one example of every error as the failure text. Read the
 * snapshot file (__snapshots__/errors.test.ts.snap) to review the wording.
 */
describe('failure texts users see', () => {
  const corr = '7f3c1d2e-0000-4000-8000-000000000001';
  const catalogue: Record<string, unknown> = {
    'input: one': new InputError('ports', '70000', 'is out of range; ports are 1 to 65535'),
    'input: several': new InputError([
      {
        input: 'vms',
        value: 'web-01',
        rule: 'is a bare VM name, so the resource-group input is required',
        hint: 'set resource-group, or give the full resource ID',
      },
      {
        input: 'source',
        value: '*',
        rule: 'allows any address on the internet, which needs allow-any-source: true',
      },
      {
        input: 'cloud',
        value: 'Mars',
        rule: 'is not a known cloud; use one of AzureCloud, AzureUSGovernment, AzureChinaCloud, Custom',
      },
    ]),
    auth: new AuthError('Sign-in failed: AADSTS700016: Application not found in the directory.'),
    'azure: 403': AzureApiError.fromRestError(
      restError(
        403,
        {
          error: {
            code: 'AuthorizationFailed',
            message: 'The client does not have authorization to perform action initiate.',
          },
        },
        { 'x-ms-correlation-request-id': corr },
      ),
      "initiate JIT policy 'web-jit' (rg-web, eastus)",
    ),
    'azure: 404': AzureApiError.fromRestError(
      restError(
        404,
        {
          error: {
            code: 'ResourceNotFound',
            message: "The Resource 'Microsoft.Compute/virtualMachines/web-09' was not found.",
          },
        },
        { 'x-ms-correlation-request-id': corr },
      ),
      'get VM web-09',
    ),
    'azure: 429': new AzureApiError({
      status: 429,
      code: 'SubscriptionRequestsThrottled',
      azureMessage: 'Number of read requests exceeded the limit.',
      correlationId: corr,
      operation: 'list JIT policies',
    }),
    'azure: no response': AzureApiError.fromRestError(restError(undefined), 'get VM web-01'),
    policy: new PolicyError("port 3389 is not in JIT policy 'web-jit' for VM web-01 (allowed: 22, 5986)"),
    timeout: new TimeoutError(
      "The JIT allow rule for web-01 port 22 was not live in NSG 'web-01-nsg' after 300 s.",
    ),
    superseded: new SupersededError(
      'Our JIT request for web-01 port 22 was replaced by a newer one (NewerRequestInitiated) at 2026-11-22T01:02:03Z.',
    ),
    ip: new IpResolutionError(
      "The IP providers did not agree on this agent's public IP (2 must report the same address).",
      [
        { provider: 'https://a.example', ip: '203.0.113.10' },
        { provider: 'https://b.example', ip: '198.51.100.7' },
        { provider: 'https://c.example', problem: 'not an IP address: "<html><body>Login</body></html>"' },
        { provider: 'https://d.example', problem: 'no answer within 5 s' },
      ],
    ),
    cancelled: new CancelledError('The run was cancelled (SIGINT).'),
    state: new StateError(
      'The saved state is corrupt (state.requests[0].endTimeUtc is not a date), so nothing can be closed.',
    ),
    'unexpected: Error': new TypeError("Cannot read properties of undefined (reading 'id')"),
    'unexpected: string': 'something odd',
  };
  it.each(Object.keys(catalogue))('%s', (name) => {
    expect(describeError(catalogue[name])).toMatchSnapshot();
  });
});

describe('error names', () => {
  // The bundles are built without esbuild's keepNames, so each class spells its name out; these
  // are the names a stack trace or a log shows, whatever the minifier calls the class.
  it.each([
    new InputError('ports', '0', 'is out of range'),
    new AuthError('no token'),
    new AzureApiError({
      status: 403,
      code: 'AuthorizationFailed',
      azureMessage: 'denied',
      operation: 'a read',
    }),
    new PolicyError('not allowed'),
    new TimeoutError('too slow'),
    new SupersededError('replaced'),
    new IpResolutionError('no answer'),
    new CancelledError(),
    new StateError('unreadable'),
    new UnexpectedError('boom', undefined),
  ])('%s is named after its class', (error) => {
    expect(error.name).toBe(error.constructor.name);
    expect(error.stack?.split('\n')[0]).toBe(`${error.constructor.name}: ${error.message.split('\n')[0]}`);
  });
});
