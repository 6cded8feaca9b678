/**
 * Validation against the official swagger (Microsoft.Security 2020-01-01
 * jitNetworkAccessPolicies.json, copied here so the emulator is self-contained) with
 * ajv's draft-04 dialect, which is what Swagger 2.0 schemas are written in.
 * Swagger-isms are adapted the way AutoRest reads them: `x-ms-enum.modelAsString`
 * enums are open (the real service answers `status: "Initiating"`), external
 * `$ref`s point at the transcribed common types.
 */
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import common from './common-v1-types.json';
import network from './network-2024-05-01-subset.json';
import security from './security-2020-01-01-jitNetworkAccessPolicies.json';

export type SecurityDefinition =
  | 'JitNetworkAccessPolicy'
  | 'JitNetworkAccessPoliciesList'
  | 'JitNetworkAccessRequest'
  | 'JitNetworkAccessPolicyInitiateRequest';
export type NetworkDefinition = 'SecurityRule' | 'NetworkSecurityGroup' | 'AsyncOperationStatus';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Rewrites refs and opens modelAsString enums, recursively. */
function adapt(node: Json): Json {
  if (Array.isArray(node)) return node.map(adapt);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  const xEnum = node['x-ms-enum'];
  const open =
    typeof xEnum === 'object' && xEnum !== null && !Array.isArray(xEnum) && xEnum.modelAsString === true;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'enum' && open) continue;
    if (k === 'example' || k === 'x-ms-examples') continue;
    if (k === '$ref' && typeof v === 'string') {
      out[k] = v.includes('#/definitions/')
        ? `#/definitions/${v.slice(v.indexOf('#/definitions/') + 14)}`
        : v;
      continue;
    }
    out[k] = adapt(v);
  }
  return out;
}

let compiled: Map<string, ValidateFunction> | undefined;

function validators(): Map<string, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  const sec = adapt(security) as { [key: string]: Json };
  const secDefs = {
    ...(adapt(common) as { definitions: { [key: string]: Json } }).definitions,
    ...(sec.definitions as object),
  };
  ajv.addSchema({ id: 'security', definitions: secDefs }, 'security');
  ajv.addSchema({ id: 'network', definitions: (network as { definitions: object }).definitions }, 'network');
  compiled = new Map();
  for (const d of [
    'JitNetworkAccessPolicy',
    'JitNetworkAccessPoliciesList',
    'JitNetworkAccessRequest',
    'JitNetworkAccessPolicyInitiateRequest',
  ]) {
    compiled.set(`security:${d}`, ajv.compile({ $ref: `security#/definitions/${d}` }));
  }
  for (const d of ['SecurityRule', 'NetworkSecurityGroup', 'AsyncOperationStatus']) {
    compiled.set(`network:${d}`, ajv.compile({ $ref: `network#/definitions/${d}` }));
  }
  return compiled;
}

function run(name: string, value: unknown): string[] {
  const v = validators().get(name);
  if (!v) throw new Error(`No schema ${name}`);
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Problems of a value against a Microsoft.Security definition; empty when valid. */
export function validateSecurity(definition: SecurityDefinition, value: unknown): string[] {
  return run(`security:${definition}`, value);
}

export function validateNetwork(definition: NetworkDefinition, value: unknown): string[] {
  return run(`network:${definition}`, value);
}
