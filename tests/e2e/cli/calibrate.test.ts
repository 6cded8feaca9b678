/**
 * `calibrate` through the shipped CLI bundle (dist/cli/main.js) against the
 * emulator started with each value of each behaviour switch: the probe must
 * report exactly the value the emulator plays, close what it opened, and write
 * nothing outside its test VM (read back from the emulator's request log, its
 * NSGs and its stored JIT requests). Three emulator runs cover every value.
 */
import { DEFAULT_BEHAVIOUR, startEmulator, type Emulator, type EmulatorBehaviour } from '../../../emulator';
import { SWITCH_NAMES, SWITCHES, type SwitchName } from '../../../shared/calibrate/classify';
import { CALIB, calibRulesFor, calibrateScenario, neighbourAccess } from './calibrateScenario';
import { cloudFlags, PROD, requireBuiltCli, runCli, type CliRun } from './helpers';

jest.setTimeout(120_000);

/** Every value of every switch; run 1 signs in with only the closer role on the test VM's resource group. */
const RUNS: readonly { principal: string; behaviour: Partial<EmulatorBehaviour> }[] = [
  { principal: CALIB.closer, behaviour: {} }, // replace, per-port, verbatim, full, same, parallel, all
  {
    principal: 'jit-deployer',
    behaviour: {
      supersede: 'coexist',
      ruleLayout: 'per-port',
      sourceForm: 'cidr',
      echo: 'minimal',
      startTime: 'rounded',
      nsgWrites: 'serialized',
    },
  },
  {
    principal: 'jit-deployer',
    behaviour: {
      supersede: 'replace',
      ruleLayout: 'combined',
      sourceForm: 'prefixes',
      echo: 'minimal',
      nsgWrites: 'serialized',
      history: 'newest',
    },
  },
];

const ARGS = ['calibrate', '--vms', CALIB.vm, '--resource-group', CALIB.rg, '--ports', '22,3389'];

interface Report {
  exitCode: number;
  ok: boolean;
  switches: Record<SwitchName, { value: string; evidence: string }>;
  ruleDelay?: { samples: number; minMs: number; medianMs: number; maxMs: number };
  allowRule: { priorities: number[]; descriptions: string[] };
  outsidePolicy?: { port: number; accepted: boolean; status?: number; code?: string };
  steps: { step: string; ok: boolean; detail: string }[];
  cleanup: {
    deleted: string[];
    failed: { rule: string; status?: number; code: string }[];
    remaining: string[];
    pending: string[];
    complete: boolean;
  };
  emulator: { args: string[]; behaviour: Record<string, string>; unmatched: string[]; command: string };
}

/** Writes to Azure resources (token requests to Entra ID are POSTs too, and are not). */
const ARM = new Set(['security', 'network', 'compute', 'resources']);
const JIT_ALLOW = /^SecurityCenter-JITRule--?\d+-[0-9A-F]+$/i;

interface CalibrationRun {
  emu: Emulator;
  run: CliRun;
  report: Report;
  neighbour: ReturnType<typeof calibRulesFor>;
}

/** One emulator run: its own emulator with the switches set, the neighbour's access, then calibrate. */
async function calibrationRun(
  principal: string,
  partial: Partial<EmulatorBehaviour>,
): Promise<CalibrationRun> {
  const emu = await startEmulator({
    scenario: calibrateScenario(),
    ruleDelayMs: 0,
    ruleDelayJitterMs: 0,
    behaviour: partial,
  });
  try {
    await neighbourAccess(emu);
    const neighbour = calibRulesFor(emu, CALIB.otherIp);
    emu.control.clearRequests();
    const run = await runCli(emu, [...ARGS, ...cloudFlags(emu), '--json'], {
      env: {
        AZURE_TENANT_ID: emu.tenantId,
        AZURE_CLIENT_ID: emu.principals[principal]?.clientId ?? '',
        AZURE_CLIENT_SECRET: emu.principals[principal]?.secret ?? '',
        AZURE_SUBSCRIPTION_ID: PROD,
      },
    });
    return { emu, run, report: JSON.parse(run.stdout) as Report, neighbour };
  } catch (e) {
    await emu.stop();
    throw e;
  }
}

/** The three emulator runs share nothing and wait mostly on the CLI: they run at the same time. */
let calibrations: Promise<CalibrationRun>[] = [];
beforeAll(() => {
  requireBuiltCli();
  calibrations = RUNS.map((r) => calibrationRun(r.principal, r.behaviour));
  // Each run's failure is reported by its own describe block's beforeAll.
  for (const c of calibrations) c.catch(() => undefined);
});

describe.each(RUNS.map((r, i) => [i + 1, r.principal, r.behaviour] as const))(
  'calibrate, emulator run %i (%s)',
  (n, principal, partial) => {
    let emu: Emulator;
    let run: CliRun;
    let report: Report;
    let neighbour: ReturnType<typeof calibRulesFor>;

    beforeAll(async () => {
      ({ emu, run, report, neighbour } = await (calibrations[n - 1] as Promise<CalibrationRun>));
    });
    afterAll(() => emu?.stop());

    it('completes every step and exits 0', () => {
      expect({ code: run.code, steps: report.steps.filter((s) => !s.ok) }).toEqual({ code: 0, steps: [] });
      expect(report.steps.map((s) => s.step)).toEqual([
        'outside-policy',
        'two-ports',
        'same-port-other-source',
        'ip-vs-32',
        'close',
      ]);
      // Progress goes to stderr with --json.
      expect(run.stderr).toContain('Requesting request 1 (two ports)');
    });

    it.each(SWITCH_NAMES.map((name) => [name, { ...DEFAULT_BEHAVIOUR, ...partial }[SWITCHES[name].field]]))(
      'reports %s = %s, the value the emulator plays',
      (name, value) => {
        expect(emu.behaviour[SWITCHES[name].field]).toBe(value);
        expect(report.switches[name].value).toBe(value);
      },
    );

    it('names the emulator flags and behaviour that reproduce it', () => {
      expect(report.emulator.unmatched).toEqual([]);
      expect(report.emulator.behaviour).toEqual({ ...emu.behaviour });
      for (const name of SWITCH_NAMES) {
        expect(report.emulator.command).toContain(
          `${SWITCHES[name].flag} ${emu.behaviour[SWITCHES[name].field]}`,
        );
      }
      expect(report.emulator.command).toMatch(
        /^npm run emulator -- .*--rule-delay-ms \d+ --rule-delay-jitter-ms \d+$/,
      );
    });

    it('reports the rule delay, priority, description and the answer outside the policy', () => {
      expect(report.ruleDelay?.samples).toBeGreaterThanOrEqual(4);
      expect(report.allowRule.priorities.length).toBeGreaterThan(0);
      expect(report.allowRule.descriptions).toEqual([
        `ASC JIT Network Access rule created by an initiation request for policy '${CALIB.policy}' of VM '${CALIB.vm}'.`,
      ]);
      expect(report.outsidePolicy).toMatchObject({ accepted: false, status: 400, code: 'BadRequest' });
    });

    it("closes what it opened and leaves the neighbour's rule", () => {
      expect(report.cleanup).toMatchObject({ remaining: [], pending: [], complete: true, failed: [] });
      expect(report.cleanup.deleted.length).toBeGreaterThanOrEqual(4);
      expect(calibRulesFor(emu, CALIB.vmIp)).toEqual([]);
      expect(calibRulesFor(emu, CALIB.otherIp)).toEqual(neighbour);
    });

    it('writes nothing outside its test VM, and lists policies only in its resource group', () => {
      const log = emu.control.requests();
      const writes = log.filter((e) => e.write && ARM.has(e.provider));
      const initiate = `/subscriptions/${PROD}/resourceGroups/${CALIB.rg}/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/${CALIB.policy}/initiate`;
      const deleted = new Set(report.cleanup.deleted.map((d) => d.split('/')[1]));
      const neighbourNames = new Set(neighbour.map((r) => r.name));
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes) {
        if (w.method === 'POST') {
          expect(w.path.toLowerCase()).toBe(initiate.toLowerCase());
          continue;
        }
        expect(w.method).toBe('DELETE');
        const m = new RegExp(
          `^/subscriptions/${PROD}/resourceGroups/${CALIB.rg}/providers/Microsoft\\.Network/networkSecurityGroups/(${CALIB.nicNsg}|${CALIB.subnetNsg})/securityRules/([^/]+)$`,
          'i',
        ).exec(w.path);
        expect(m).not.toBeNull();
        const name = m?.[2] ?? '';
        expect(name).toMatch(JIT_ALLOW);
        expect(deleted.has(name)).toBe(true);
        expect(neighbourNames.has(name)).toBe(false);
      }
      // Every request stored by the probe's principal names only the test VM.
      const mine = emu.control.jitRequests(CALIB.policy).filter((r) => r.principal === principal);
      expect(mine.length).toBe(3);
      for (const r of mine) {
        expect(r.request.virtualMachines.map((v) => v.id.split('/').pop())).toEqual([CALIB.vm]);
        for (const p of r.request.virtualMachines.flatMap((v) => v.ports))
          expect(['192.0.2.10', '192.0.2.10/32', '198.51.100.10']).toContain(p.allowedSourceAddressPrefix);
      }
      // No subscription-wide policy list (identities are often scoped to one resource group).
      const lists = log.filter((e) => e.provider === 'security' && e.method === 'GET');
      expect(lists.length).toBeGreaterThan(0);
      for (const e of lists) expect(e.path.toLowerCase()).toContain(`/resourcegroups/${CALIB.rg}/`);
    });
  },
);

describe('calibrate refuses a VM whose policy does not fit', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ scenario: calibrateScenario(), ruleDelayMs: 0 });
  });
  afterAll(() => emu?.stop());

  it('says what policy it needs and writes nothing (web-01: one port, no documentation sources)', async () => {
    emu.control.clearRequests();
    const run = await runCli(emu, [
      'calibrate',
      '--vms',
      'web-01',
      '--resource-group',
      'rg-web',
      '--ports',
      '22,3389',
      '--subscription',
      PROD,
      ...cloudFlags(emu),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('calibrate will not run against VM web-01: port 3389 is not in JIT policy');
    expect(run.stderr).toContain('192.0.2.10, 198.51.100.10, 192.0.2.10/32');
    expect(emu.control.requests().filter((e) => e.write && ARM.has(e.provider))).toEqual([]);
  });

  it('refuses a second VM and a third port before signing in', async () => {
    emu.control.clearRequests();
    const run = await runCli(emu, [...ARGS.slice(0, 5), '--ports', '22,3389,5985', ...cloudFlags(emu)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid --ports = "22,3389,5985"');
    expect(emu.control.requests()).toEqual([]);
  });
});

describe('calibrate when a rule never goes live', () => {
  let emu: Emulator;
  beforeAll(async () => {
    // JIT accepts the requests but writes their rules only after the emulator is gone.
    emu = await startEmulator({ scenario: calibrateScenario(), ruleDelayMs: 600_000 });
  });
  afterAll(() => emu?.stop());

  const runWith = async (extra: string[]): Promise<Report & { code: number | null }> => {
    const run = await runCli(emu, [
      ...ARGS,
      '--wait-timeout',
      '1',
      '--subscription',
      PROD,
      ...cloudFlags(emu),
      '--json',
      ...extra,
    ]);
    return { ...(JSON.parse(run.stdout) as Report), code: run.code };
  };

  it('stops at the first failed step, says what may still appear, and exits 4', async () => {
    const r = await runWith([]);
    expect(r.code).toBe(4);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([
      ['outside-policy', true],
      ['two-ports', false],
      ['close', false],
    ]);
    expect(r.cleanup.pending).toEqual([expect.stringContaining('request 1 (two ports): no rule seen')]);
    expect(r.switches['rule-layout'].value).toBe('undetermined');
  });

  it('with --keep-going runs every step before closing', async () => {
    const r = await runWith(['--keep-going']);
    expect(r.code).toBe(4);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([
      ['outside-policy', true],
      ['two-ports', false],
      ['same-port-other-source', false],
      ['ip-vs-32', false],
      ['close', false],
    ]);
    expect(r.cleanup.pending).toHaveLength(3);
  });
});
