/**
 * `calibrate`: parses the flags, runs the probe (shared/calibrate) and prints
 * what real JIT showed per emulator switch, for a human or (--json) a machine.
 */
import {
  runCalibration,
  SWITCH_NAMES,
  InputError,
  parsePorts,
  parseWaitTimeoutMs,
  INPUTS,
  type CalibrationReport,
} from '../../shared';
import { flagText } from '../args';
import type { CommandContext } from '../context';
import { EXIT, exitCodeForKind } from '../exitCodes';
import { connectClients, reportFailure, textTable, vmsFromFlags } from './azure';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function printReport(ctx: CommandContext, r: CalibrationReport): void {
  const t = ctx.terminal;
  t.print(`\nCalibration of JIT on VM ${r.vm.name} (policy '${r.policy.name}', ${r.policy.resourceGroup}):`);
  t.print(
    textTable(
      ['switch', 'real Azure showed', 'evidence'],
      SWITCH_NAMES.map((name) => [name, r.switches[name].value, r.switches[name].evidence]),
    ),
  );
  t.print('');
  t.print(
    r.ruleDelay
      ? `202 to rule Succeeded: min ${seconds(r.ruleDelay.minMs)}, median ${seconds(r.ruleDelay.medianMs)}, max ${seconds(r.ruleDelay.maxMs)} over ${r.ruleDelay.samples} rule(s) (reads at most ${r.ruleDelay.resolutionMs / 1000} s apart).`
      : '202 to rule Succeeded: no rule went live.',
  );
  t.print(`Allow rule priority: ${r.allowRule.priorities.join(', ') || '-'}`);
  for (const d of r.allowRule.descriptions) t.print(`Allow rule description: ${d}`);
  const o = r.outsidePolicy;
  t.print(
    o === undefined
      ? 'Request outside the policy: not sent.'
      : o.accepted
        ? `Request outside the policy (port ${o.port}): ACCEPTED (202).`
        : `Request outside the policy (port ${o.port}): HTTP ${o.status ?? '?'} ${o.code ?? ''}: ${o.message ?? ''}`,
  );
  for (const s of r.steps) t.print(`${s.ok ? 'ok    ' : 'FAILED'} ${s.step}: ${s.detail}`);
  t.print('');
  t.print(`Reproduce in the emulator: ${r.emulator.command}`);
  if (r.emulator.unmatched.length > 0)
    t.print(`Not reproducible by a switch value (see the evidence): ${r.emulator.unmatched.join(', ')}`);
  t.print(
    'Please send this report (run again with --json for the machine-readable form): see docs/calibration.md.',
  );
}

function exitCodeOf(r: CalibrationReport): number {
  if (r.ok) return EXIT.ok;
  if (r.steps.some((s) => !s.ok && s.kind === 'timeout')) return EXIT.timeout;
  if (!r.cleanup.complete) return EXIT.failure;
  return exitCodeForKind(r.steps.find((s) => !s.ok)?.kind);
}

export async function calibrateCommand(ctx: CommandContext): Promise<number> {
  try {
    // Inputs first: a typo fails at once, before signing in.
    const vms = vmsFromFlags(ctx);
    if (vms.length !== 1) {
      throw new InputError(
        'vms',
        flagText(ctx.flags, 'vms'),
        `names ${vms.length} VMs; calibrate runs against exactly one test VM`,
      );
    }
    const ports = parsePorts('ports', flagText(ctx.flags, 'ports')).ports;
    if (ports.length !== 2) {
      throw new InputError(
        'ports',
        flagText(ctx.flags, 'ports'),
        "must name exactly two ports of the test VM's JIT policy (e.g. 22,3389)",
      );
    }
    const waitRaw = flagText(ctx.flags, 'wait-timeout') || INPUTS['wait-timeout'].default;
    const waitTimeoutMs = parseWaitTimeoutMs('wait-timeout', waitRaw);
    const clients = await connectClients(ctx);
    ctx.terminal.startHeartbeat('calibrating');
    let report: CalibrationReport;
    try {
      report = await runCalibration(clients, {
        vm: vms[0] as (typeof vms)[number],
        ports,
        waitTimeoutMs,
        keepGoing: ctx.flags['keep-going'] === true,
        log: {
          info: (m) => ctx.terminal.log('info', m),
          warning: (m) => ctx.terminal.log('warning', m),
        },
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
    } finally {
      ctx.terminal.stopHeartbeat();
    }
    const exitCode = exitCodeOf(report);
    if (ctx.terminal.json) ctx.terminal.printJson({ command: 'calibrate', exitCode, ...report });
    else printReport(ctx, report);
    return exitCode;
  } catch (error) {
    return reportFailure(ctx, error);
  }
}
