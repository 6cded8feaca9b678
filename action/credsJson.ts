/**
 * The `creds` input: a JSON document like azure/login's (`az ad sp create-for-rbac --sdk-auth` output).
 * It holds a secret, so nothing here ever puts the raw text, or any part of it, into an error:
 * JSON.parse's own message quotes the input on newer V8 versions and is therefore dropped.
 */
import { InputError } from '../shared/errors';

export interface Creds {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tenantId?: string;
  readonly subscriptionId?: string;
}

const USED_KEYS = ['clientId', 'clientSecret', 'tenantId', 'subscriptionId'] as const;

/** Keys `--sdk-auth` writes that we do not need (the cloud comes from the `cloud` input). */
const IGNORED_KEYS = new Set([
  'activeDirectoryEndpointUrl',
  'resourceManagerEndpointUrl',
  'activeDirectoryGraphResourceId',
  'sqlManagementEndpointUrl',
  'galleryEndpointUrl',
  'managementEndpointUrl',
]);

/** Shown instead of the value: the input is secret. */
const HIDDEN = '(hidden: creds is a secret)';

export interface ParsedCreds {
  readonly creds: Creds;
  /** Keys we did not recognise, for a warning (names only, never values). */
  readonly unknownKeys: readonly string[];
}

/**
 * Parses `creds` strictly: an object whose known keys are non-empty strings.
 * The caller masks `raw` before calling and `clientSecret` right after.
 */
export function parseCreds(raw: string): ParsedCreds {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InputError(
      'creds',
      HIDDEN,
      'is not valid JSON',
      'give a JSON object like {"clientId": "...", "clientSecret": "...", "tenantId": "...", "subscriptionId": "..."}; check the secret was pasted whole',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(
      'creds',
      HIDDEN,
      `must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  }
  const record = parsed as Record<string, unknown>;
  const issues: { input: string; value: string; rule: string }[] = [];
  const creds: Record<string, string> = {};
  for (const key of USED_KEYS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      issues.push({ input: `creds.${key}`, value: HIDDEN, rule: 'must be a non-empty string' });
      continue;
    }
    creds[key] = value.trim();
  }
  if (issues.length > 0) throw new InputError(issues);
  const unknownKeys = Object.keys(record).filter(
    (k) => !(USED_KEYS as readonly string[]).includes(k) && !IGNORED_KEYS.has(k),
  );
  return { creds, unknownKeys };
}
