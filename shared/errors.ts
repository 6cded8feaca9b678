/**
 * Typed errors of the core and the ONE reporter (`describeError`) that turns any
 * thrown value into the step's failure text. Every error carries a `hint`: the
 * user reads the failure text in a pipeline log, so it must say what to do next,
 * not only what went wrong.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { permissionHint } from './azure/permissions';
import { DEFAULT_FRONT_END, quoteAny, render, type FrontEnd, type Wording } from './frontEnd';
import { oneLine } from './outsideText';
import { tlsTrustCode, tlsTrustHint } from './tlsTrust';

export type ErrorKind =
  | 'input'
  | 'auth'
  | 'azure'
  | 'policy'
  | 'timeout'
  | 'superseded'
  | 'ip'
  | 'cancelled'
  | 'state'
  /** Not one of ours: a bug or an unforeseen failure (see `toJitError`). */
  | 'internal';

interface JitErrorOptions {
  readonly hint: Wording;
  readonly cause?: unknown;
}

/**
 * Base of every error the core throws on purpose. Message and hint are
 * `Wording`: `message`/`hint` hold them in the canonical (GitHub) spelling,
 * `messageFor`/`hintFor` in the spelling of the front-end that shows them.
 */
export abstract class JitError extends Error {
  abstract readonly kind: ErrorKind;
  /**
   * The class's name, spelled out in each class: the bundles are built without esbuild's
   * `keepNames` (scripts/bundle-options.mjs), so `new.target.name` would be the minified name.
   */
  abstract override readonly name: string;
  private readonly wording: { readonly message: Wording; readonly hint: Wording };

  protected constructor(message: Wording, options: JitErrorOptions) {
    super(
      render(message, DEFAULT_FRONT_END),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.wording = { message, hint: options.hint };
  }

  /** What the user should do about it; always set, shown by `describeError`. */
  get hint(): string {
    return this.hintFor(DEFAULT_FRONT_END);
  }

  messageFor(fe: FrontEnd): string {
    return render(this.wording.message, fe);
  }

  hintFor(fe: FrontEnd): string {
    return render(this.wording.hint, fe);
  }
}

export function isJitError(e: unknown): e is JitError {
  return e instanceof JitError;
}

// ---------------------------------------------------------------------------
// input

/**
 * One bad input value: the input's table (kebab) name, the value as given, the
 * rule it broke. Rendered per front-end, so rule and hint are Wording.
 */
export interface InputIssue {
  readonly input: string;
  readonly value: string;
  readonly rule: Wording;
  readonly hint?: Wording;
}

/** Longest value echoed back; a pasted certificate in `vms` should not flood the log. */
const MAX_ECHOED_VALUE = 200;

/** Renders a user value so that empty, blank and multi-line values are all visible in one line. */
export function quoteValue(value: string): string {
  if (value === '') return '(empty)';
  const shown = value.length > MAX_ECHOED_VALUE ? `${value.slice(0, MAX_ECHOED_VALUE)}…` : value;
  return JSON.stringify(shown);
}

export function formatInputIssue(issue: InputIssue, fe: FrontEnd = DEFAULT_FRONT_END): string {
  const head = `${quoteAny(fe, issue.input)} = ${quoteValue(issue.value)}: ${render(issue.rule, fe)}`;
  return issue.hint ? `${head} (${render(issue.hint, fe)})` : head;
}

const INPUT_HINT: Wording = (fe) => `Fix the inputs listed above in ${fe.inputsLive} and run again.`;

function inputMessage(issues: readonly InputIssue[]): Wording {
  return (fe) =>
    issues.length === 1
      ? `Invalid ${formatInputIssue(issues[0] as InputIssue, fe)}`
      : `${issues.length} problems in the inputs:\n${issues.map((i) => `  - ${formatInputIssue(i, fe)}`).join('\n')}`;
}

/**
 * Bad input. Parsing collects every issue first and throws one InputError holding all
 * of them, so users fix everything in one go instead of one per run.
 */
export class InputError extends JitError {
  override readonly name = 'InputError';
  readonly kind = 'input' as const;
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[]);
  constructor(input: string, value: string, rule: Wording, hint?: Wording);
  constructor(inputOrIssues: string | readonly InputIssue[], value?: string, rule?: Wording, hint?: Wording) {
    const issues: readonly InputIssue[] =
      typeof inputOrIssues === 'string'
        ? [
            {
              input: inputOrIssues,
              value: value ?? '',
              rule: rule ?? 'is invalid',
              ...(hint ? { hint } : {}),
            },
          ]
        : inputOrIssues;
    if (issues.length === 0) throw new RangeError('InputError needs at least one issue');
    super(inputMessage(issues), { hint: INPUT_HINT });
    this.issues = Object.freeze([...issues]);
  }

  /** First issue's input name; convenient when there is only one. */
  get input(): string {
    return (this.issues[0] as InputIssue).input;
  }
}

// ---------------------------------------------------------------------------
// auth

export class AuthError extends JitError {
  override readonly name = 'AuthError';
  readonly kind = 'auth' as const;
  constructor(
    message: string,
    hint: Wording = 'Check the credential the step signs in with (service connection, federated credential, client secret or certificate) and its tenant and cloud.',
    cause?: unknown,
  ) {
    super(message, { hint, cause });
  }
}

// ---------------------------------------------------------------------------
// azure

/** Headers ARM uses to tie a failed call to its server-side logs (support asks for them). */
const CORRELATION_HEADERS = ['x-ms-correlation-request-id', 'x-ms-request-id'] as const;

function azureHint(status: number | undefined, code: string): string {
  if (status === 401)
    return 'The token was rejected: check the tenant, the cloud and that the credential is valid.';
  if (status === 403 || /^(AuthorizationFailed|LinkedAuthorizationFailed)$/i.test(code))
    return permissionHint();
  if (status === 404)
    return 'Check that the resource ID, resource group and subscription are right and that the identity can see them.';
  if (status === 429)
    return 'Azure is throttling this subscription; retry later or run fewer concurrent jobs.';
  if (status !== undefined && status >= 500)
    return 'Azure reported a server error; retry the run. If it persists, contact Azure support with the correlation ID.';
  if (status === undefined)
    return 'The request did not reach Azure: check network access, proxy settings (HTTPS_PROXY) and the cloud endpoints.';
  return "See Azure's message above; contact Azure support with the correlation ID if it is unclear.";
}

export interface AzureApiErrorOptions {
  /** HTTP status, undefined when no response arrived (DNS, TLS, connection reset). */
  readonly status: number | undefined;
  /** ARM error code, e.g. `AuthorizationFailed`; '' when the body had none. */
  readonly code: string;
  readonly azureMessage: string;
  readonly correlationId?: string | undefined;
  /** What we were doing, e.g. "initiate JIT policy 'web-jit'". */
  readonly operation: string;
  /** Replaces the hint derived from status and code. */
  readonly hint?: Wording | undefined;
  readonly cause?: unknown;
}

/** A failed Azure Resource Manager call: HTTP status, ARM error code and message, correlation ID. */
export class AzureApiError extends JitError {
  override readonly name = 'AzureApiError';
  readonly kind = 'azure' as const;
  readonly status: number | undefined;
  readonly code: string;
  readonly azureMessage: string;
  readonly correlationId: string | undefined;
  readonly operation: string;

  constructor(options: AzureApiErrorOptions) {
    const { status, code, azureMessage, correlationId, operation, hint, cause } = options;
    const statusText = status === undefined ? 'no response' : `HTTP ${status}`;
    const codeText = code ? ` ${code}` : '';
    const corr = correlationId ? ` (correlation ID ${correlationId})` : '';
    super(
      // Azure's text is outside text: on one line, so no part of it starts a line of the log.
      `Azure call failed: ${operation}: ${statusText}${codeText}: ${oneLine(azureMessage) || '(no message)'}${corr}`,
      {
        hint: hint ?? azureHint(status, code),
        cause,
      },
    );
    this.status = status;
    this.code = code;
    this.azureMessage = azureMessage;
    this.correlationId = correlationId;
    this.operation = operation;
  }

  /** Wraps anything an SDK call threw. Keeps JitErrors as they are. */
  static fromRestError(e: unknown, operation: string): AzureApiError {
    if (e instanceof AzureApiError) return e;
    const tls = tlsTrustCode(e);
    // Not temporary and not Azure's answer: say what to trust.
    const tlsHint = tls
      ? tlsTrustHint(tls, isRestError(e) ? hostOf(e.request?.url) : 'the server')
      : undefined;
    if (isRestError(e)) {
      const body = cloudErrorBody(e.response?.bodyAsText ?? undefined);
      const correlationId =
        CORRELATION_HEADERS.map((h) => e.response?.headers.get(h)).find((v): v is string => !!v) ?? undefined;
      return new AzureApiError({
        status: e.statusCode,
        code: body?.code ?? e.code ?? '',
        azureMessage: body?.message ?? e.message,
        correlationId,
        operation,
        hint: tlsHint,
        cause: e,
      });
    }
    const message = e instanceof Error ? e.message : String(e);
    return new AzureApiError({
      status: undefined,
      code: e instanceof Error && 'code' in e ? String(e.code) : '',
      azureMessage: message,
      operation,
      hint: tlsHint,
      cause: e,
    });
  }
}

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).origin : 'the server';
  } catch {
    return 'the server';
  }
}

/** ARM's CloudError: `{ error: { code, message } }` (sometimes without the wrapper). */
function cloudErrorBody(text: string | undefined): { code?: string; message?: string } | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const inner: unknown = 'error' in parsed ? parsed.error : parsed;
    if (typeof inner !== 'object' || inner === null) return undefined;
    const code = 'code' in inner && typeof inner.code === 'string' ? inner.code : undefined;
    const message = 'message' in inner && typeof inner.message === 'string' ? inner.message : undefined;
    if (code === undefined && message === undefined) return undefined;
    return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// policy (local validation against the JIT policy; real Azure only says "not a subset of policy")

export class PolicyError extends JitError {
  override readonly name = 'PolicyError';
  readonly kind = 'policy' as const;
  /** This problem alone (the message lists `more` too). */
  readonly problem: Wording;
  readonly problemHint: Wording;
  constructor(
    message: Wording,
    hint: Wording = 'Ask for what the JIT policy allows, or have an administrator change the policy in Defender for Cloud.',
    /** Further problems found in the same validation pass (so all are reported together). */
    readonly more: readonly PolicyError[] = [],
  ) {
    super(
      more.length === 0
        ? message
        : (fe) => {
            const lines = [render(message, fe), ...more.map((m) => m.messageFor(fe))].map((m) => `  - ${m}`);
            return `${lines.length} requests do not fit their JIT policy:\n${lines.join('\n')}`;
          },
      { hint },
    );
    this.problem = message;
    this.problemHint = hint;
  }

  /** One error for several problems, so the user sees all of them in one run. */
  static combine(errors: readonly PolicyError[]): PolicyError {
    const [first, ...rest] = errors;
    if (!first) throw new RangeError('PolicyError.combine needs at least one error');
    if (rest.length === 0) return first;
    return new PolicyError(first.problem, first.problemHint, rest);
  }
}

// ---------------------------------------------------------------------------
// timeout, superseded, ip, cancelled, state

export class TimeoutError extends JitError {
  override readonly name = 'TimeoutError';
  readonly kind = 'timeout' as const;
  constructor(
    message: Wording,
    hint: Wording = (fe) =>
      `Raise ${fe.input('wait-timeout')} if the NSG update is just slow, or check the VM's NSGs in the portal.`,
  ) {
    super(message, { hint });
  }
}

export class SupersededError extends JitError {
  override readonly name = 'SupersededError';
  readonly kind = 'superseded' as const;
  constructor(
    message: string,
    hint: Wording = 'Another JIT request for the same VM and port replaced ours (JIT keeps one per VM port). Make sure jobs that share a VM do not run concurrently, then run again.',
  ) {
    super(message, { hint });
  }
}

/** What one IP echo provider answered, for the disagreement report. */
export interface IpProviderOutcome {
  readonly provider: string;
  /** The address it reported, when it reported a valid one. */
  readonly ip?: string;
  /** Why its answer was not usable (timeout, HTTP 503, not an IP, private range…). */
  readonly problem?: string;
}

function describeOutcome(o: IpProviderOutcome): string {
  const answer = o.ip && o.problem ? `${o.ip} (${o.problem})` : (o.ip ?? o.problem ?? 'no answer');
  return `${o.provider}: ${answer}`;
}

export class IpResolutionError extends JitError {
  override readonly name = 'IpResolutionError';
  readonly kind = 'ip' as const;
  constructor(
    message: string,
    readonly outcomes: readonly IpProviderOutcome[] = [],
    hint: Wording = (fe) =>
      `Set ${fe.input('source')} to this agent's public IP or CIDR explicitly, use \`${fe.setting('source', 'azure')}\`, or set ${fe.input('ip-providers')} to HTTPS services reachable from the agent (through HTTPS_PROXY if one is needed).`,
  ) {
    super(
      outcomes.length === 0
        ? message
        : `${message}\n${outcomes.map((o) => `  - ${describeOutcome(o)}`).join('\n')}`,
      {
        hint,
      },
    );
  }
}

export class CancelledError extends JitError {
  override readonly name = 'CancelledError';
  readonly kind = 'cancelled' as const;
  constructor(
    message = 'The run was cancelled.',
    hint: Wording = (fe) =>
      `If access was already requested, ${fe.closer} closes it; otherwise it closes by itself at its end time.`,
  ) {
    super(message, { hint });
  }
}

export class StateError extends JitError {
  override readonly name = 'StateError';
  readonly kind = 'state' as const;
  constructor(
    message: string,
    hint: Wording = "Access closes by itself at its end time; check the VM's NSGs if in doubt.",
  ) {
    super(message, { hint });
  }
}

// ---------------------------------------------------------------------------
// the reporter

/** @azure/identity error names (matched by name: identity is the front-ends' dependency, not the core's). */
const IDENTITY_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
]);

const BUG_HINT: Wording = (fe) =>
  `This looks like a bug in azure-jit-access. Re-run with debug logging (${fe.debugHow}) and report it with the log.`;

/**
 * Turns anything thrown into the step's failure text: what happened, then what to do.
 * Never throws. The text is a single message; adapters pass it to `Platform.setFailed`.
 */
export function describeError(e: unknown, fe: FrontEnd = DEFAULT_FRONT_END): string {
  try {
    const err = toJitError(e);
    return `${err.messageFor(fe)}\nWhat to do: ${err.hintFor(fe)}`;
  } catch {
    return `Unexpected error.\nWhat to do: ${render(BUG_HINT, fe)}`;
  }
}

/** Classifies foreign errors (SDK RestError, identity errors, aborts) into JitErrors. */
export function toJitError(e: unknown): JitError {
  if (e instanceof JitError) return e;
  if (isRestError(e)) return AzureApiError.fromRestError(e, 'an Azure Resource Manager call');
  if (e instanceof Error) {
    if (e.name === 'AbortError') return new CancelledError();
    if (IDENTITY_ERRORS.has(e.name)) return new AuthError(`Sign-in failed: ${e.message}`, undefined, e);
    return new UnexpectedError(e.message || e.name, e);
  }
  return new UnexpectedError(String(e), e);
}

/** Anything that is not one of ours. */
export class UnexpectedError extends JitError {
  override readonly name = 'UnexpectedError';
  readonly kind = 'internal' as const;
  constructor(message: string, cause: unknown) {
    super(`Unexpected error: ${message}`, { hint: BUG_HINT, cause });
  }
}
