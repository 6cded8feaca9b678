/**
 * The calibration probe (shared/calibrate) in-process against the emulator, with the real SDKs
 * and OAuth: for each emulator run of tests/e2e/cli/calibrate.test.ts (together every value of
 * every switch) the probe reports the value the emulator plays and closes what it opened without
 * touching the neighbour VM's rule; when rules never go live it stops, closes, and says what is
 * still pending. The e2e suite proves the same through the CLI bundle; this one runs the core in
 * jest's process, where its coverage counts (the bundle's child processes are not measured).
 */
import { DEFAULT_BEHAVIOUR, startEmulator, type Emulator, type EmulatorBehaviour } from '../../../emulator';
import { createAzureClients, type AzureClients } from '../../../shared/azure/clients';
import { SWITCH_NAMES, SWITCHES } from '../../../shared/calibrate/classify';
import { runCalibration, type CalibrationReport } from '../../../shared/calibrate/probe';
import { emulatorCloud, emulatorConnect } from '../../helpers/emulatorSession';
import { CALIB, calibrateScenario, neighbourAccess } from '../../e2e/cli/calibrateScenario';

jest.setTimeout(120_000);

const RUNS: readonly { principal: string; behaviour: Partial<EmulatorBehaviour> }[] = [
  { principal: CALIB.closer, behaviour: {} },
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

const VM = { input: CALIB.vm, name: CALIB.vm, resourceGroup: CALIB.rg };

async function clientsFor(emu: Emulator, principal: string): Promise<AzureClients> {
  const session = await emulatorConnect(emu, principal)(emulatorCloud(emu));
  return createAzureClients(session, { tlsCa: emu.caPem });
}

function rulesFor(emu: Emulator, ip: string): string[] {
  return [CALIB.nicNsg, CALIB.subnetNsg].flatMap((nsg) =>
    emu.control
      .rules(nsg)
      .filter((r) => r.jit === 'allow' && r.properties.destinationAddressPrefix === ip)
      .map((r) => `${nsg}/${r.name}`),
  );
}

interface Probed {
  readonly emu: Emulator;
  readonly report: CalibrationReport;
  readonly neighbour: string[];
  readonly infos: string[];
}

async function probe(principal: string, partial: Partial<EmulatorBehaviour>): Promise<Probed> {
  const emu = await startEmulator({
    scenario: calibrateScenario(),
    ruleDelayMs: 0,
    ruleDelayJitterMs: 0,
    behaviour: partial,
  });
  await neighbourAccess(emu);
  const neighbour = rulesFor(emu, CALIB.otherIp);
  const infos: string[] = [];
  const report = await runCalibration(await clientsFor(emu, principal), {
    vm: VM,
    ports: [22, 3389],
    waitTimeoutMs: 30_000,
    keepGoing: false,
    log: { info: (m) => infos.push(m), warning: (m) => infos.push(m) },
  });
  return { emu, report, neighbour, infos };
}

// The probe mostly waits between NSG reads: the three runs go at once, each on its own emulator.
const probed: Probed[] = [];
beforeAll(async () => {
  probed.push(...(await Promise.all(RUNS.map((r) => probe(r.principal, r.behaviour)))));
});
afterAll(() => Promise.all(probed.map((p) => p.emu.stop())));

describe.each(RUNS.map((r, i) => [i + 1, r.principal, i, r.behaviour] as const))(
  'calibration probe, emulator run %i (%s)',
  (_n, _principal, index, partial) => {
    const run = (): Probed => {
      const p = probed[index];
      if (!p) throw new Error(`run ${index + 1} did not probe`);
      return p;
    };

    it('completes every step', () => {
      const { report, infos } = run();
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(infos.join('\n')).toContain('request 1 (two ports)');
    });

    it('reports every switch as the value the emulator plays', () => {
      const { report } = run();
      const played = { ...DEFAULT_BEHAVIOUR, ...partial };
      expect(Object.fromEntries(SWITCH_NAMES.map((n) => [n, report.switches[n].value]))).toEqual(
        Object.fromEntries(SWITCH_NAMES.map((n) => [n, played[SWITCHES[n].field]])),
      );
      expect(report.emulator.unmatched).toEqual([]);
    });

    it("closes what it opened and leaves the neighbour's rule", () => {
      const { emu, report, neighbour } = run();
      expect(report.cleanup).toMatchObject({ remaining: [], pending: [], complete: true, failed: [] });
      expect(report.cleanup.deleted.length).toBeGreaterThanOrEqual(4);
      expect(rulesFor(emu, CALIB.vmIp)).toEqual([]);
      expect(rulesFor(emu, CALIB.otherIp)).toEqual(neighbour);
      expect(report.outsidePolicy).toMatchObject({ accepted: false, status: 400 });
    });
  },
);

describe('calibration probe when rules never go live', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ scenario: calibrateScenario(), ruleDelayMs: 600_000 });
  });
  afterAll(() => emu?.stop());

  it.each([false, true])(
    'keepGoing %s: stops or runs on, then says what may still appear',
    async (keepGoing) => {
      const report = await runCalibration(await clientsFor(emu, 'jit-deployer'), {
        vm: VM,
        ports: [22, 3389],
        waitTimeoutMs: 1000,
        keepGoing,
        log: { info: () => undefined, warning: () => undefined },
      });
      expect(report.ok).toBe(false);
      expect(report.steps.map((s) => [s.step, s.ok])).toEqual(
        keepGoing
          ? [
              ['outside-policy', true],
              ['two-ports', false],
              ['same-port-other-source', false],
              ['ip-vs-32', false],
              ['close', false],
            ]
          : [
              ['outside-policy', true],
              ['two-ports', false],
              ['close', false],
            ],
      );
      expect(report.cleanup.pending).toContainEqual(
        expect.stringContaining('request 1 (two ports): no rule seen'),
      );
      expect(report.switches['rule-layout'].value).toBe('undetermined');
    },
  );

  it('refuses a VM whose ports already carry JIT rules, before any request', async () => {
    // The previous test's requests, whose rules JIT writes now: live rules on the probe's ports.
    emu.control.clock.advance(600_000);
    const clients = await clientsFor(emu, 'jit-deployer');
    emu.control.clearRequests();
    const before = rulesFor(emu, CALIB.vmIp);
    expect(before.length).toBeGreaterThan(0);
    await expect(
      runCalibration(clients, {
        vm: VM,
        ports: [22, 3389],
        waitTimeoutMs: 1000,
        keepGoing: false,
        log: { info: () => undefined, warning: () => undefined },
      }),
    ).rejects.toThrow(/calibrate will not run against VM calib-01: JIT allow rules for ports/);
    expect(emu.control.requests().filter((r) => r.method === 'POST' && r.provider === 'security')).toEqual(
      [],
    );
  });
});
