/**
 * The fault matrix's table: one row per fault, what it does to the emulator
 * (before main, while main runs, between main and post), and what the user
 * must get (success, or a failure whose message names the cause).
 */
import type { Emulator, FaultSpec } from '../../../emulator';
import { EGRESS_IP, allowRules } from '../../helpers/reliabilityRuns';

export type Phase = 'main' | 'post';

export interface FaultCase {
  readonly name: string;
  /** Extra `with:` values (default: web-01, port 22, explicit source 203.0.113.10). */
  readonly inputs?: Record<string, string>;
  readonly signIn?: 'secret' | 'oidc';
  /** NSGs on the VM's path, where our rules live. */
  readonly nsgs?: readonly string[];
  /** Faults armed before main (phase main) or between main and post (phase post). */
  readonly faults?: readonly FaultSpec[];
  readonly phase?: Phase;
  readonly arrange?: (emu: Emulator) => void;
  /** Runs every 10 ms while main runs; gets a `once` flag store. */
  readonly during?: (emu: Emulator, memo: Set<string>) => void;
  readonly betweenSteps?: (emu: Emulator) => void;
  /** undefined: main must succeed; a RegExp: main must fail with an error matching it. */
  readonly cause?: RegExp;
  /** The faulted ARM path: its attempts are counted and (for 429) the Retry-After gap checked. */
  readonly faultedPath?: RegExp;
  /** Method of the faulted calls when `faults` does not say (e.g. armed by `during`). */
  readonly faultedMethod?: string;
  /** Most attempts allowed on `faultedPath` in the faulted step (1 + the core's 4 retries). */
  readonly maxAttempts?: number;
  /** Retry-After the fault sends, to check the retry waited for it. */
  readonly retryAfter?: number | 'date';
  /** Known to take long (retries with back-off, a wait-timeout, post's late-rule grace): started first. */
  readonly slow?: boolean;
  /**
   * The longest case (post waits out the late-rule grace, shortened by faults.test.ts from the core's
   * 60 s): started before every other, since it bounds the matrix's wall time.
   */
  readonly longest?: boolean;
  /** Post must leave a warning matching this (what remains and until when). */
  readonly postWarning?: RegExp;
  /** Post must close our rules and say nothing stays open (the fault must not make it over-cautious). */
  readonly postClosed?: boolean;
}

/** Retry-After as an HTTP date this far ahead of the moment the fault is armed. */
export const DATE_AHEAD_MS = 3000;

interface CallKind {
  readonly kind: string;
  readonly method: string;
  readonly path: RegExp;
  readonly phase: Phase;
}

/** Every ARM call a main + post of web-01 makes, by kind. */
export const ARM_CALLS: readonly CallKind[] = [
  { kind: 'VM GET', method: 'GET', path: /virtualMachines\/web-01\?/, phase: 'main' },
  { kind: 'NIC GET', method: 'GET', path: /networkInterfaces\/web-01-nic\?/, phase: 'main' },
  { kind: 'subnet GET', method: 'GET', path: /subnets\/snet-web1\?/, phase: 'main' },
  { kind: 'public IP GET', method: 'GET', path: /publicIPAddresses\/web-01-pip\?/, phase: 'main' },
  {
    kind: 'JIT policy list',
    method: 'GET',
    path: /providers\/Microsoft\.Security\/jitNetworkAccessPolicies\?/,
    phase: 'main',
  },
  { kind: 'NSG GET (main)', method: 'GET', path: /networkSecurityGroups\/web-01-nsg\?/, phase: 'main' },
  {
    kind: 'initiate POST',
    method: 'POST',
    path: /jitNetworkAccessPolicies\/web-jit\/initiate/,
    phase: 'main',
  },
  { kind: 'NSG GET (post)', method: 'GET', path: /networkSecurityGroups\/web-01-nsg\?/, phase: 'post' },
  {
    kind: 'JIT policy GET (post)',
    method: 'GET',
    path: /jitNetworkAccessPolicies\/web-jit\?/,
    phase: 'post',
  },
  { kind: 'rule DELETE', method: 'DELETE', path: /securityRules\/[^/?]+\?/, phase: 'post' },
  { kind: 'delete operation GET', method: 'GET', path: /\/operations\/[^/?]+\?/, phase: 'post' },
  { kind: 'rule GET (confirm gone)', method: 'GET', path: /securityRules\/[^/?]+\?/, phase: 'post' },
];

function throttleCases(): FaultCase[] {
  return ARM_CALLS.flatMap((c) =>
    (['seconds', 'date'] as const).map((form): FaultCase => {
      const retryAfter = form === 'seconds' ? 1 : ('date' as const);
      return {
        name: `429 Retry-After (${form}) on ${c.kind}`,
        phase: c.phase,
        faults: [
          {
            method: c.method,
            path: c.path,
            status: 429,
            retryAfter: form === 'seconds' ? 1 : new Date(Date.now() + DATE_AHEAD_MS).toUTCString(),
            times: 1,
          },
        ],
        faultedPath: c.path,
        retryAfter,
        maxAttempts: 5,
      };
    }),
  );
}

const TOKEN = /oauth2\/v2\.0\/token/;

/** The fault table. `faults` holding a date are built when the table is built: build it right before use. */
export function faultCases(): FaultCase[] {
  return [
    ...throttleCases(),
    {
      name: '500 once on VM GET (retried)',
      faults: [{ method: 'GET', path: /virtualMachines\/web-01\?/, status: 500, times: 1 }],
      faultedPath: /virtualMachines\/web-01\?/,
      maxAttempts: 5,
    },
    {
      name: '503 once on initiate POST (retried, one request stored)',
      faults: [{ method: 'POST', path: /\/initiate/, status: 503, times: 1 }],
      faultedPath: /\/initiate/,
      maxAttempts: 5,
    },
    {
      name: '500 on every JIT policy list (bounded retries, then fails)',
      slow: true,
      faults: [
        {
          method: 'GET',
          path: /Microsoft\.Security\/jitNetworkAccessPolicies\?/,
          status: 500,
          times: Infinity,
        },
      ],
      faultedPath: /Microsoft\.Security\/jitNetworkAccessPolicies\?/,
      maxAttempts: 5,
      cause: /HTTP 500|InternalServerError|internal error/i,
    },
    {
      name: '503 on every rule DELETE (post warns what remains)',
      slow: true,
      phase: 'post',
      faults: [{ method: 'DELETE', path: /securityRules\//, status: 503, times: Infinity }],
      faultedPath: /securityRules\/[^/?]+\?/,
      maxAttempts: 5,
      postWarning: /stays open[\s\S]*closes by itself at \d{4}-\d\d-\d\dT/,
    },
    {
      name: 'connection reset once on NIC GET',
      faults: [{ method: 'GET', path: /networkInterfaces\/web-01-nic\?/, reset: true, times: 1 }],
      faultedPath: /networkInterfaces\/web-01-nic\?/,
      maxAttempts: 5,
    },
    {
      name: 'connection reset once on initiate POST',
      faults: [{ method: 'POST', path: /\/initiate/, reset: true, times: 1 }],
      faultedPath: /\/initiate/,
      maxAttempts: 5,
    },
    {
      name: 'connection reset once on rule DELETE',
      phase: 'post',
      faults: [{ method: 'DELETE', path: /securityRules\//, reset: true, times: 1 }],
      faultedPath: /securityRules\/[^/?]+\?/,
      maxAttempts: 5,
    },
    {
      name: 'slow JIT policy list (2 s, under the call timeout)',
      faults: [
        { method: 'GET', path: /Microsoft\.Security\/jitNetworkAccessPolicies\?/, latencyMs: 2000, times: 1 },
      ],
    },
    {
      // The core's per-call timeout is 30 s (shared/azure/clients.ts); a hang on the NSG reads of the
      // wait is cut by the wait's own deadline instead, which is what bounds the step.
      name: 'NSG reads hang during the wait (wait-timeout 4 s cuts them)',
      inputs: { 'wait-timeout': '4' },
      // The rule takes 1.5 s, so the wait's reads after initiate are the ones that hang.
      arrange: (emu) => emu.control.setRuleDelay(1500),
      during: (emu, memo) => {
        if (memo.has('armed')) return;
        if (emu.control.requests().some((r) => r.method === 'POST' && /\/initiate/.test(r.path))) {
          memo.add('armed');
          emu.control.faults.add({
            method: 'GET',
            path: /networkSecurityGroups\/web-01-nsg\?/,
            hang: true,
            times: Infinity,
          });
        }
      },
      cause: /not all live after 4 s|wait-timeout/i,
    },
    {
      name: 'token endpoint fails (500 on every attempt)',
      slow: true,
      faults: [{ method: 'POST', path: TOKEN, status: 500, times: Infinity }],
      cause: /sign|token|authenticat|credential/i,
    },
    {
      name: 'token endpoint slow (3 s once)',
      faults: [{ method: 'POST', path: TOKEN, latencyMs: 3000, times: 1 }],
    },
    {
      name: 'GitHub OIDC endpoint fails (500)',
      signIn: 'oidc',
      faults: [{ method: 'GET', path: /\/_github\//, status: 500, times: Infinity }],
      cause: /OIDC|ID token|id-token/i,
    },
    {
      name: 'IP providers all down (503)',
      inputs: { source: 'auto' },
      arrange: (emu) => {
        for (const i of [0, 1, 2]) emu.control.ipEcho.set(i, { status: 503 });
      },
      cause: /public IP|IP provider|source/i,
    },
    {
      name: 'IP providers answer an HTML page',
      inputs: { source: 'auto' },
      arrange: (emu) => {
        for (const i of [0, 1, 2])
          emu.control.ipEcho.set(i, { body: '<html><body>Please sign in to the Wi-Fi</body></html>' });
      },
      cause: /public IP|IP provider|source/i,
    },
    {
      name: 'IP providers disagree',
      inputs: { source: 'auto' },
      arrange: (emu) => {
        emu.control.ipEcho.set(0, { ip: '198.51.100.7' });
        emu.control.ipEcho.set(1, { ip: '198.51.100.8' });
        emu.control.ipEcho.set(2, { ip: '198.51.100.9' });
      },
      cause: /agree|public IP/i,
    },
    {
      name: 'one IP provider answers garbage, two agree',
      inputs: { source: 'auto' },
      arrange: (emu) => emu.control.ipEcho.set(0, { body: 'not an address ¯\\_(ツ)_/¯' }),
    },
    {
      name: 'one IP provider down, two agree',
      inputs: { source: 'auto' },
      arrange: (emu) => emu.control.ipEcho.set(1, { status: 500 }),
    },
    {
      name: 'rule appears after wait-timeout (main fails, post closes the late rule)',
      slow: true,
      inputs: { 'wait-timeout': '3' },
      arrange: (emu) => emu.control.setRuleDelay(6000),
      cause: /not all live after 3 s/,
    },
    {
      name: 'rule appears in one NSG of two only (api-01)',
      slow: true,
      longest: true,
      inputs: { vms: 'api-01', 'resource-group': 'rg-api', 'wait-timeout': '4' },
      nsgs: ['api-01-nsg', 'snet-api-nsg'],
      // Withheld in the emulator, not removed by a watcher: a watcher polling every 10 ms can
      // lose the race against main's own NSG read, and main would then see both rules.
      arrange: (emu) => emu.control.withholdAllowRules('snet-api-nsg'),
      cause: /snet-api-nsg/,
      // Post deletes the api-01-nsg rule; the subnet rule never came, so it says what could still appear.
      postWarning: /snet-api-nsg[\s\S]*closes by itself at \d{4}-\d\d-\d\dT/,
    },
    {
      name: 'rule removed early (after ready, before post)',
      betweenSteps: (emu) => {
        for (const r of allowRules(emu, 'web-01-nsg', EGRESS_IP))
          emu.control.removeRule('web-01-nsg', r.name);
      },
    },
    {
      name: 'policy max duration cut to 5 min between validation and initiate',
      // Slow the NSG snapshot read that sits between the policy list (validation) and initiate.
      faults: [{ method: 'GET', path: /networkSecurityGroups\/web-01-nsg\?/, latencyMs: 1000, times: 1 }],
      during: (emu, memo) => {
        if (memo.has('changed')) return;
        if (emu.control.requests().some((r) => r.provider === 'security' && r.method === 'GET')) {
          memo.add('changed');
          emu.control.updatePolicy('web-jit', (p) => {
            for (const vm of p.virtualMachines)
              for (const port of vm.ports) port.maxRequestAccessDuration = 'PT5M';
          });
        }
      },
      cause: /web-jit|policy/i,
    },
    {
      name: 'port 22 removed from the policy between validation and initiate',
      faults: [{ method: 'GET', path: /networkSecurityGroups\/web-01-nsg\?/, latencyMs: 1000, times: 1 }],
      during: (emu, memo) => {
        if (memo.has('changed')) return;
        if (emu.control.requests().some((r) => r.provider === 'security' && r.method === 'GET')) {
          memo.add('changed');
          emu.control.updatePolicy('web-jit', (p) => {
            for (const vm of p.virtualMachines) vm.ports = vm.ports.filter((x) => x.number !== 22);
          });
        }
      },
      cause: /web-jit|policy/i,
    },
    {
      name: 'rule DELETE accepted (202), then the operation fails',
      phase: 'post',
      faults: [
        {
          method: 'GET',
          path: /\/operations\//,
          status: 200,
          body: {
            status: 'Failed',
            error: { code: 'InternalServerError', message: 'Deleting the rule failed.' },
          },
          times: Infinity,
        },
      ],
      // The emulator applies the delete when it accepts it; the operation still reports Failed.
      // Post re-reads the rule, finds it gone (404) and reports it closed, without a warning.
      postClosed: true,
    },
  ];
}
