/**
 * The Action's sign-in inputs. They are not core inputs (the ADO task signs in through a service
 * connection, the CLI through @azure/identity's usual chain), so they live here, not in
 * shared/inputs/table.ts; action.yml declares both sets and a test keeps all three in step.
 */
import { InputError, GUID_PATTERN, isGuid, type InputIssue } from '../shared';
import { parseCreds, type Creds, type ParsedCreds } from './credsJson';

export const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';

/** azure/login's `auth-type`: a service principal (secret, OIDC, CLI session) or a managed identity. */
export type AuthType = 'SERVICE_PRINCIPAL' | 'IDENTITY';
export const AUTH_TYPES: readonly AuthType[] = ['SERVICE_PRINCIPAL', 'IDENTITY'];

export const AUTH_INPUTS = {
  'auth-type': { required: false, default: 'SERVICE_PRINCIPAL' },
  'client-id': { required: false, default: '' },
  'tenant-id': { required: false, default: '' },
  'subscription-id': { required: false, default: '' },
  'client-secret': { required: false, default: '' },
  creds: { required: false, default: '' },
  audience: { required: false, default: DEFAULT_AUDIENCE },
} as const;

export type AuthInputName = keyof typeof AUTH_INPUTS;

/** Where a value came from, for log lines and error messages. */
export type Origin = 'input' | 'creds';

export interface AuthInputs {
  readonly authType: AuthType;
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly subscriptionId?: string;
  readonly clientSecret?: { readonly value: string; readonly origin: Origin };
  readonly audience: string;
  /** Names of `creds` keys we ignored, for a warning. */
  readonly unknownCredsKeys: readonly string[];
}

export interface AuthInputSource {
  /** Raw value, '' when not set. */
  getInput(name: AuthInputName): string;
  setSecret(value: string): void;
}

/** A tenant is a GUID or one of its verified domain names (contoso.onmicrosoft.com). */
const TENANT = new RegExp(
  `^(?:${GUID_PATTERN}|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$`,
  'i',
);

/**
 * Reads and checks the sign-in inputs. Secrets are masked before anything else happens, so no
 * later log line or error can reveal them. All problems are reported together in one InputError.
 */
export function readAuthInputs(source: AuthInputSource): AuthInputs {
  const { inputSecret, parsed } = readMasked(source);
  const creds = parsed.creds;
  const issues: InputIssue[] = [];
  const authType = readAuthType(source, issues);
  const identity = authType === 'IDENTITY';
  const ids = pickIds(source, creds, issues);
  checkIds(ids, issues);
  const secret = pickSecret(inputSecret, creds, identity, issues);
  checkComplete(identity, secret, ids, issues);

  const audience = source.getInput('audience').trim() || DEFAULT_AUDIENCE;
  if (issues.length > 0) throw new InputError(issues);
  return {
    authType: authType ?? 'SERVICE_PRINCIPAL',
    ...(ids.clientId ? { clientId: ids.clientId } : {}),
    ...(ids.tenantId ? { tenantId: ids.tenantId } : {}),
    ...(ids.subscriptionId ? { subscriptionId: ids.subscriptionId } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    audience,
    unknownCredsKeys: parsed.unknownKeys,
  };
}

/** The secret inputs, each masked the moment it is read (creds before it is parsed). */
function readMasked(source: AuthInputSource): { inputSecret: string; parsed: ParsedCreds } {
  const inputSecret = source.getInput('client-secret');
  if (inputSecret) source.setSecret(inputSecret);
  const rawCreds = source.getInput('creds');
  if (rawCreds) source.setSecret(rawCreds);
  const parsed = rawCreds ? parseCreds(rawCreds) : { creds: {}, unknownKeys: [] };
  if (parsed.creds.clientSecret) source.setSecret(parsed.creds.clientSecret);
  return { inputSecret, parsed };
}

function readAuthType(source: AuthInputSource, issues: InputIssue[]): AuthType | undefined {
  const raw = source.getInput('auth-type').trim();
  // Case-insensitive, as azure/login reads it.
  const authType =
    raw === '' ? 'SERVICE_PRINCIPAL' : AUTH_TYPES.find((t) => t === raw.toUpperCase().replace(/-/g, '_'));
  if (authType === undefined) {
    issues.push({
      input: 'auth-type',
      value: raw,
      rule: `is not one of ${AUTH_TYPES.join(', ')}`,
      hint: 'use IDENTITY for a managed identity of a self-hosted runner on Azure, or leave it out',
    });
  }
  return authType;
}

type IdInput = 'client-id' | 'tenant-id' | 'subscription-id';

interface Ids {
  readonly clientId: string | undefined;
  readonly tenantId: string | undefined;
  readonly subscriptionId: string | undefined;
}

/** Each ID from its input or from creds; both set and different is an issue. */
function pickIds(source: AuthInputSource, creds: Creds, issues: InputIssue[]): Ids {
  const pick = (name: IdInput, fromCreds: string | undefined): string | undefined => {
    const fromInput = source.getInput(name).trim();
    if (fromInput && fromCreds && fromInput.toLowerCase() !== fromCreds.toLowerCase()) {
      issues.push({
        input: name,
        value: fromInput,
        rule: `differs from the ${credsKey(name)} in creds (${fromCreds})`,
        hint: `set it in one place only`,
      });
    }
    return fromInput || fromCreds || undefined;
  };
  return {
    clientId: pick('client-id', creds.clientId),
    tenantId: pick('tenant-id', creds.tenantId),
    subscriptionId: pick('subscription-id', creds.subscriptionId),
  };
}

function checkIds({ clientId, tenantId, subscriptionId }: Ids, issues: InputIssue[]): void {
  if (clientId !== undefined && !isGuid(clientId)) {
    issues.push(
      guidIssue(
        'client-id',
        clientId,
        'the Application (client) ID of the app registration or managed identity',
      ),
    );
  }
  if (subscriptionId !== undefined && !isGuid(subscriptionId)) {
    issues.push(guidIssue('subscription-id', subscriptionId, 'the subscription ID, not its name'));
  }
  if (tenantId !== undefined && !TENANT.test(tenantId)) {
    issues.push({
      input: 'tenant-id',
      value: tenantId,
      rule: 'is neither a GUID nor a domain name',
      hint: 'use the Directory (tenant) ID from the app registration overview',
    });
  }
}

type Secret = NonNullable<AuthInputs['clientSecret']>;

/** The client secret from its input or creds (never both), and never with a managed identity. */
function pickSecret(
  inputSecret: string,
  creds: Creds,
  identity: boolean,
  issues: InputIssue[],
): Secret | undefined {
  if (inputSecret && creds.clientSecret) {
    issues.push({
      input: 'client-secret',
      value: '(hidden)',
      rule: 'is set and creds has a clientSecret too',
      hint: 'give the secret in one place only',
    });
  }
  const secret = inputSecret
    ? { value: inputSecret, origin: 'input' as const }
    : creds.clientSecret
      ? { value: creds.clientSecret, origin: 'creds' as const }
      : undefined;
  if (identity && secret) {
    issues.push({
      input: secret.origin === 'input' ? 'client-secret' : 'creds',
      value: '(hidden)',
      rule: 'holds a client secret, but auth-type is IDENTITY (a managed identity has no secret)',
      hint: 'remove the secret, or remove auth-type: IDENTITY to sign in as the service principal',
    });
  }
  return secret;
}

/**
 * A secret or a client without the other half cannot sign in; say so now rather than fall
 * through to another method and report something confusing. A managed identity needs no tenant.
 */
function checkComplete(
  identity: boolean,
  secret: Secret | undefined,
  { clientId, tenantId }: Ids,
  issues: InputIssue[],
): void {
  if (identity || !(secret || clientId) || (clientId && tenantId)) return;
  const missing = !clientId ? 'client-id' : 'tenant-id';
  issues.push({
    input: missing,
    value: '',
    rule: `is required with ${secret ? 'a client secret' : 'client-id'}`,
    hint: `add ${missing} (or ${credsKey(missing)} in creds)`,
  });
}

function credsKey(name: IdInput): string {
  return { 'client-id': 'clientId', 'tenant-id': 'tenantId', 'subscription-id': 'subscriptionId' }[name];
}

function guidIssue(input: string, value: string, what: string): InputIssue {
  return { input, value, rule: 'is not a GUID', hint: `use ${what}` };
}
