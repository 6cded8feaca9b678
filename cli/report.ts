/**
 * How a command that ran the core reports back: the summary as text, the
 * outputs, and the failure; or all of it as one JSON document with --json.
 */
import type { OutputName } from '../shared/outputs';
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
  /** Human lines printed after the outputs on success (e.g. how to close early). */
  readonly next?: readonly string[];
}

/** Outputs as JSON values: `targets` is itself JSON, ports are numbers. */
export function outputsAsJson(outputs: ReadonlyMap<OutputName, string>): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [name, value] of outputs) {
    if (name === 'targets') {
      try {
        doc[name] = JSON.parse(value) as unknown;
        continue;
      } catch {
        // Fall through: show the raw text rather than hide it.
      }
    }
    doc[name] = name === 'port' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return doc;
}

interface TargetView {
  readonly vm?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
}

/** `targets` is a JSON array for machines; people get one line per VM (--json has the full document). */
function humanValue(name: OutputName, value: string): string {
  if (name !== 'targets') return value;
  try {
    const targets = JSON.parse(value) as unknown;
    if (!Array.isArray(targets)) return value;
    const items = (targets as TargetView[]).map(
      (t) => `${String(t.vm)} → ${String(t.host)}:${String(t.port)}`,
    );
    return `${items.join(', ')} (full JSON with --json)`;
  } catch {
    return value;
  }
}

export function printCoreReport(terminal: Terminal, report: CoreReport): void {
  const { platform } = report;
  if (terminal.json) {
    terminal.printJson({
      command: report.command,
      ok: report.ok,
      exitCode: report.exitCode,
      outputs: outputsAsJson(platform.outputs),
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
      ([name, value]) => `  ${name.padEnd(width)}  ${humanValue(name, value)}`,
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
