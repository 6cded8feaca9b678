/**
 * startEmulator: a local Azure (Entra ID + ARM) over HTTPS on one port, for tests
 * (in-process, port 0), the demo and benchmarks. See emulator/README.md.
 */
import type { ArmEnv } from './arm/context';
import { createArmHandler, type ArmHandler } from './arm';
import { resolveBehaviour, type EmulatorBehaviour } from './behaviour';
import { key } from './arm/state';
import { createClock } from './clock';
import { createControl, type EmulatorControl } from './control';
import { createFaults } from './control/faults';
import { createRequestLog } from './control/requestLog';
import { createIdentityService } from './identity';
import { certificateCredential, signingKey } from './identity/keys';
import type { IdentityService, PrincipalCredentials } from './identity/types';
import { createIpEcho } from './ipEcho';
import { createJitEngine } from './jit/engine';
import { buildState } from './scenario/build';
import { defaultScenario, loadScenario } from './scenario/load';
import type { Scenario } from './scenario/types';
import { startServer } from './server';
import { createTlsMaterial, writeCaFile } from './tls';

export type { Scenario } from './scenario/types';
export type { EmulatorBehaviour } from './behaviour';
export { DEFAULT_BEHAVIOUR } from './behaviour';
export type { EmulatorControl, RuleView, JitRequestView, InitiateAsArgs } from './control';
export type { FaultSpec } from './control/faults';
export type { RequestLogEntry } from './control/requestLog';
export { generateScenario } from './scenario/generate';
export { loadScenario, validateScenario, ScenarioError } from './scenario/load';

export interface EmulatorOptions {
  /** A scenario object or the path of a scenario JSON file; default: emulator/scenarios/default.json. */
  scenario?: Scenario | string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Delay between initiate and the allow rule appearing (virtual ms); default 0. */
  ruleDelayMs?: number;
  ruleDelayJitterMs?: number;
  /** Print every request to stdout. */
  log?: boolean;
  /** Items per page on list operations before a nextLink; default 100. */
  pageSize?: number;
  /**
   * How to play what real Azure leaves unknown (see emulator/behaviour.ts and the README's
   * "Behaviour switches"); every field is optional and defaults to the original behaviour:
   * `{ supersede: 'replace', ruleLayout: 'per-port', sourceForm: 'verbatim', echo: 'full',
   * startTime: 'same', nsgWrites: 'parallel' }`.
   */
  behaviour?: Partial<EmulatorBehaviour>;
}

export interface Emulator {
  armUrl: string;
  authorityHost: string;
  tenantId: string;
  caPem: string;
  caPath: string;
  principals: Record<string, PrincipalCredentials>;
  ipEchoUrls: string[];
  github: { requestUrl: string; requestToken: string };
  ado: { oidcRequestUri: string; accessToken: string; serviceConnectionId: string };
  managedIdentity: { env: Record<string, string> };
  control: EmulatorControl;
  /** The scenario this instance was started from (a private copy). */
  scenario: Scenario;
  /** The behaviour switches this instance plays (all fields filled in). */
  behaviour: Readonly<EmulatorBehaviour>;
  stop(): Promise<void>;
}

let caPathCache: { pem: string; path: string } | undefined;

// Key generation (CA, server key, token signing key, the default scenario's certificate
// principal) is the slowest part of a first start; begin as soon as the module loads.
// Results are cached per process; a failure here is retried (and reported) on start.
createTlsMaterial().catch(() => undefined);
signingKey().catch(() => undefined);
for (const p of defaultScenario().principals) {
  if (p.certificate) certificateCredential(p.clientId, p.name).catch(() => undefined);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const behaviour = resolveBehaviour(options.behaviour);
  const scenario = loadScenario(options.scenario);
  const tlsPromise = createTlsMaterial();
  const clock = createClock();
  const state = buildState(scenario, clock.now());
  const ipEcho = createIpEcho();
  ipEcho.setEgressIp(scenario.egressIp);
  const principalEgress = new Map(Object.entries(scenario.principalEgressIps ?? {}));
  const engine = createJitEngine({
    state,
    clock,
    ruleDelayMs: options.ruleDelayMs ?? 0,
    ruleDelayJitterMs: options.ruleDelayJitterMs ?? 0,
    behaviour,
    egressIpFor: (principal) => principalEgress.get(principal) ?? ipEcho.egressIp(),
  });
  // Policies in the scenario were configured "before": their deny rules are already there.
  for (const policy of state.policies.values()) engine.applyDenyRules(policy);

  let armUrl = '';
  let authorityHost = '';
  // Identity and ARM need the URLs, which need the port: they are filled in after listen.
  const late: { identity?: IdentityService; arm?: ArmHandler } = {};
  let pageSize = options.pageSize ?? 100;
  let throttle = { retryAfterSeconds: 1, refill: true };
  let delayMs = options.ruleDelayMs ?? 0;
  const env: ArmEnv = {
    state,
    clock,
    engine: {
      ...engine,
      setRuleDelay(ms, jitter) {
        engine.setRuleDelay(ms, jitter);
        delayMs = ms;
      },
    },
    principalsByObjectId: new Map(scenario.principals.map((p) => [key(p.objectId), p])),
    armUrl: () => armUrl,
    pageSize: () => pageSize,
    securityThrottle: () => throttle,
    operationDelayMs: () => delayMs,
    behaviour,
  };
  const faults = createFaults();
  const log = createRequestLog(options.log ?? false);
  const tls = await tlsPromise;
  const notReady = (): never => {
    throw new Error('emulator is still starting');
  };
  let oidcPaths: string[] = [];
  const server = await startServer(
    {
      clock,
      faults,
      log,
      identity: () => late.identity ?? notReady(),
      ipEcho,
      arm: () => late.arm ?? notReady(),
      oidcPaths: () => oidcPaths,
    },
    tls,
    options.port ?? 0,
  );
  armUrl = `https://127.0.0.1:${server.port}`;
  authorityHost = `https://localhost:${server.port}`;
  try {
    late.identity = await createIdentityService({
      principals: scenario.principals,
      tenantId: scenario.tenantId,
      authorityHost,
      armUrl,
      oidc: scenario.oidc,
    });
  } catch (error) {
    await server.stop();
    clock.stop();
    throw error;
  }
  const id = late.identity;
  oidcPaths = [new URL(id.github.requestUrl).pathname, new URL(id.ado.oidcRequestUri).pathname];
  late.arm = createArmHandler(
    env,
    (a) => id.authenticate(a),
    () => authorityHost,
  );
  if (!caPathCache || caPathCache.pem !== tls.caPem)
    caPathCache = { pem: tls.caPem, path: writeCaFile(tls.caPem) };

  const control = createControl({
    env,
    engine: env.engine,
    faults,
    log,
    ipEcho,
    identity: () => id,
    caPem: tls.caPem,
    scenarioEgressIp: scenario.egressIp,
    principalEgress,
    setThrottle: (t) => (throttle = t),
    setPageSize: (n) => (pageSize = n),
  });

  let stopped: Promise<void> | undefined;
  return {
    armUrl,
    authorityHost,
    tenantId: scenario.tenantId,
    caPem: tls.caPem,
    caPath: caPathCache.path,
    principals: id.principals,
    ipEchoUrls: ipEcho.urls(armUrl),
    github: id.github,
    ado: id.ado,
    managedIdentity: id.managedIdentity,
    control,
    scenario,
    behaviour,
    stop() {
      stopped ??= (async () => {
        clock.stop();
        await server.stop();
      })();
      return stopped;
    },
  };
}
