/**
 * The `creds` input: a JSON document like azure/login's (`az ad sp create-for-rbac --sdk-auth` output).
 * It holds a secret, so nothing here ever puts the raw text, or any part of it, into an error:
 * JSON.parse's own message quotes the input on newer V8 versions and is therefore dropped.
 */
import * as v from 'valibot';
import { InputError, type InputIssue } from '../shared';

export interface Creds {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly tenantId?: string;
  readonly subscriptionId?: string;
}

/** A key we use: absent, null, or a string that is not blank (trimmed). */
const usedKey = v.nullish(v.pipe(v.string(), v.trim(), v.nonEmpty()));

/** The keys we use; valibot's object schema drops every other key from the output. */
const CREDS = v.object({
  clientId: usedKey,
  clientSecret: usedKey,
  tenantId: usedKey,
  subscriptionId: usedKey,
});

const USED_KEYS: ReadonlySet<string> = new Set(Object.keys(CREDS.entries));

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
  // Issues name the key only: their `input` is (part of) the secret and never leaves this function.
  const result = v.safeParse(CREDS, record);
  if (!result.success) {
    const keys = new Set(result.issues.map((i) => String(i.path?.[0]?.key)));
    throw new InputError(
      [...keys].map((key): InputIssue => ({
        input: `creds.${key}`,
        value: HIDDEN,
        rule: 'must be a non-empty string',
      })),
    );
  }
  const creds: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.output)) if (typeof value === 'string') creds[key] = value;
  const unknownKeys = Object.keys(record).filter((k) => !USED_KEYS.has(k) && !IGNORED_KEYS.has(k));
  return { creds, unknownKeys };
}
