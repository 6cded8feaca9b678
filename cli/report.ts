/**
 * How a command that ran the core reports back: the summary as text, the
 * outputs, and the failure; or all of it as one JSON document with --json.
 */
import type { Target, OutputName } from '../shared';
import type { CommandName } from './args';
import { summaryText } from './summaryText';
import type { Terminal } from './terminal';
import type { TerminalPlatform } from './terminalPlatform';

export interface CoreReport {
  readonly command: CommandName;
  readonly ok: boolean;
  readonly exitCode: number;
  readonly platform: TerminalPlatform;
  /** Extra fields for the JSON document (e.g. the state file path). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** The core's typed targets (main, on success): shown instead of re-reading the `targets` output. */
  readonly targets?: readonly Target[];
  /** Human lines printed after the outputs on success (e.g. how to close early). */
  readonly next?: readonly string[];
}

/** Outputs as JSON values: `targets` as the core's typed data, ports as numbers. */
export function outputsAsJson(
  outputs: ReadonlyMap<OutputName, string>,
  targets?: readonly Target[],
): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [name, value] of outputs) {
    if (name === 'targets' && targets) doc[name] = targets;
    else doc[name] = name === 'port' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return doc;
}

/** `targets` is a JSON array for machines; people get one line per VM (--json has the full document). */
function humanValue(name: OutputName, value: string, targets: readonly Target[] | undefined): string {
  if (name !== 'targets' || !targets) return value;
  const items = targets.map((t) => `${t.vm} → ${t.host}:${t.port}`);
  return `${items.join(', ')} (full JSON with --json)`;
}

export function printCoreReport(terminal: Terminal, report: CoreReport): void {
  const { platform } = report;
  if (terminal.json) {
    terminal.printJson({
      command: report.command,
      ok: report.ok,
      exitCode: report.exitCode,
      outputs: outputsAsJson(platform.outputs, report.targets),
      ...(report.extra ?? {}),
      warnings: platform.warnings,
      ...(platform.failures.length > 0 ? { error: platform.failures.join('\n') } : {}),
      summaries: platform.summaries,
    });
    return;
  }
  for (const summary of platform.summaries) terminal.print(`\n${summaryText(summary)}\n`);
  if (platform.outputs.size > 0) {
    const width = Math.max(...[...platform.outputs.keys()].map((k) => k.length));
    const lines = [...platform.outputs].map(
      ([name, value]) => `  ${name.padEnd(width)}  ${humanValue(name, value, report.targets)}`,
    );
    terminal.print(`Outputs:\n${lines.join('\n')}`);
  }
  if (report.ok) {
    for (const line of report.next ?? []) terminal.print(line);
  } else {
    const message = platform.failures.join('\n') || `${report.command} failed.`;
    terminal.log('error', message);
  }
}
