/**
 * Shared set-up of the Action's end-to-end tests: the emulator-facing inputs and environment a
 * workflow would give, and the secret scan every run goes through.
 */
import type { Emulator } from '../../../emulator';
import type { StepResult } from '../../helpers/githubRunner';
import { NODE_BINARIES, type NodeBinary } from '../../helpers/nodes';

export const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';
export const PROD_SUB = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const EGRESS_IP = '203.0.113.10';
export const WEB_01_ID = `/subscriptions/${PROD_SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;

export function principal(emu: Emulator, name: string): Emulator['principals'][string] {
  const p = emu.principals[name];
  if (!p) throw new Error(`the emulator has no principal '${name}'`);
  return p;
}

/** `with:` of a step that opens SSH on web-01 in the emulator, without any sign-in input. */
export function targetInputs(emu: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    vms: 'web-01',
    'resource-group': 'rg-web',
    'subscription-id': PROD_SUB,
    ports: '22',
    duration: '15',
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    'ip-providers': emu.ipEchoUrls.join('\n'),
    'wait-timeout': '60',
    ...overrides,
  };
}

/** The process environment: trust the emulator's CA, as a self-hosted runner trusts a corporate CA. */
export function baseEnv(emu: Emulator): Record<string, string> {
  return { NODE_EXTRA_CA_CERTS: emu.caPath };
}

/** What `permissions: id-token: write` gives a job. */
export function oidcEnv(emu: Emulator): Record<string, string> {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: emu.github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.github.requestToken,
  };
}

export function oidcInputs(emu: Emulator, who = 'jit-deployer'): Record<string, string> {
  return { 'client-id': principal(emu, who).clientId, 'tenant-id': TENANT };
}

/** A JWT anywhere in a text: header and payload are base64url JSON, so they start with `eyJ`. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Everything a step leaves where people or later steps can read it: the log (stdout without the
 * `::add-mask::` commands that the runner consumes), stderr, the state file, the outputs file and
 * the job summary. None of it may contain a secret or a token.
 */
export function leakedSecrets(result: StepResult, secrets: readonly string[]): string[] {
  const exposed = [
    result.stdoutWithoutMaskCommands,
    result.stderr,
    result.stateFile,
    result.outputFile,
    result.summary,
  ].join('\n');
  const found = secrets.filter((s) => s.length >= 8 && exposed.includes(s)).map((s) => `${s.slice(0, 4)}…`);
  const jwts = [...exposed.matchAll(JWT)].map((m) => `JWT ${m[0].slice(0, 12)}…`);
  return [...found, ...jwts];
}

/** Node 20 and Node 24, once each (see tests/helpers/nodes.ts). */
export function actionNodes(): readonly NodeBinary[] {
  return NODE_BINARIES;
}
