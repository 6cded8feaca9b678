/**
 * `close`: end access before its end time. JIT has no revoke API, so closing
 * means deleting the JIT allow rule from the NSGs (the request stays in the
 * policy's history; the deny rule keeps the port shut).
 *
 * Two ways, never mixed:
 * - from the state file `request` wrote: the core's post step (runPost)
 *   deletes exactly the rules that run opened;
 * - from flags (`--vms --ports --source`): the core's `closeByAddress`
 *   deletes the JIT allow rules in the VMs' NSGs whose port, destination (the
 *   VM's private IP) and source all match EXACTLY. A rule for another source
 *   (another job, a colleague) is never touched, and `--source` must be an
 *   explicit address for that reason.
 * This file parses the flags, picks the exit code from the typed outcome and
 * renders.
 */
import {
  InputError,
  IssueCollector,
  parsePorts,
  parseSource,
  closeByAddress,
  leftOpen,
  runPost,
  type AddressCloseRequest,
} from '../../shared';
import { flagText, UsageError } from '../args';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { outcomeExitCode } from '../failure';
import { printCoreReport } from '../report';
import { TerminalPlatform } from '../terminalPlatform';
import { connectClients, reportFailure, textTable, vmsFromFlags } from './azure';
import { runStep } from './runStep';
import { stateFileFor } from './request';

const BY_FLAGS = ['vms', 'ports', 'source'] as const;

export async function closeCommand(ctx: CommandContext): Promise<number> {
  const byFlags = BY_FLAGS.filter((f) => flagText(ctx.flags, f) !== '');
  if (byFlags.length > 0) {
    if (flagText(ctx.flags, 'state-file') !== '') {
      throw new UsageError(
        'Give either --state-file (close what a request opened) or --vms/--ports/--source (close matching rules), not both.',
        'close',
      );
    }
    return closeByFlags(ctx);
  }
  return closeFromState(ctx);
}

async function closeFromState(ctx: CommandContext): Promise<number> {
  const stateFile = stateFileFor(ctx);
  if (!stateFile.exists()) {
    const message = `Nothing to close: no state file at ${stateFile.path}. To close rules by address, use --vms, --ports and --source.`;
    if (ctx.terminal.json)
      ctx.terminal.printJson({ command: 'close', ok: true, exitCode: EXIT.ok, closed: false, message });
    else ctx.terminal.print(message);
    return EXIT.ok;
  }
  const platform = new TerminalPlatform({
    terminal: ctx.terminal,
    flags: ctx.flags,
    stateFile,
    env: ctx.io.env,
  });
  const outcome = await runStep(ctx, platform, runPost, 'closing access');
  // The core keeps its state while something of ours may remain open, so a retry can close it.
  const remaining = leftOpen(outcome);
  const closed = outcome.ok && !remaining;
  // Closed: the file has done its job, and a stale one would block the next `request`.
  if (closed) stateFile.remove();
  const exitCode = outcomeExitCode(outcome, ctx.io.signal);
  if (remaining) {
    platform.setFailed(
      `Some JIT access could not be closed (see the warnings above); it closes by itself at its end time. ` +
        `${stateFile.path} is kept: run 'azure-jit-access close' again to retry.`,
    );
  }
  printCoreReport(ctx.terminal, {
    command: 'close',
    ok: closed,
    exitCode,
    platform,
    extra: { stateFile: stateFile.path, closed },
    next: [`Closed. Removed ${stateFile.path}.`],
  });
  return exitCode;
}

async function closeByFlags(ctx: CommandContext): Promise<number> {
  try {
    const request = addressFromFlags(ctx);
    const clients = await connectClients(ctx);
    const log = {
      info: (m: string) => ctx.terminal.log('info', m),
      warning: (m: string) => ctx.terminal.log('warning', m),
      debug: (m: string) => ctx.terminal.log('debug', m),
    };
    const rules = await closeByAddress(clients, request, log, ctx.io.signal);
    const closed = rules.map(({ outcome, ...r }) => ({ ...r, deleted: outcome === 'deleted' }));
    if (ctx.terminal.json) {
      ctx.terminal.printJson({ command: 'close', ok: true, exitCode: EXIT.ok, closed });
    } else if (closed.length === 0) {
      ctx.terminal.print(
        `No JIT allow rule for source ${request.source} on port(s) ${request.ports.join(', ')}: nothing to close.`,
      );
    } else {
      ctx.terminal.print(
        textTable(
          ['VM', 'NSG', 'rule', 'port', 'source', 'result'],
          closed.map((c) => [
            c.vm,
            c.nsg,
            c.rule,
            String(c.port),
            c.source,
            c.deleted ? 'deleted' : 'already gone',
          ]),
        ),
      );
    }
    return EXIT.ok;
  } catch (error) {
    return reportFailure(ctx, error);
  }
}

/** `--vms --ports --source`, every problem reported at once; the source must be an explicit address. */
function addressFromFlags(ctx: CommandContext): AddressCloseRequest {
  const issues = new IssueCollector();
  const vms = issues.field(() => vmsFromFlags(ctx));
  const ports = issues.field(() => parsePorts('ports', flagText(ctx.flags, 'ports')));
  const source = issues.field(() => parseSource('source', flagText(ctx.flags, 'source'), true));
  if (source && source.kind !== 'explicit') {
    issues.add({
      input: 'source',
      value: flagText(ctx.flags, 'source'),
      rule: 'must be the exact address or CIDR the rules allow when closing by flags',
      hint: "see 'azure-jit-access status' for the sources of the live rules",
    });
  }
  issues.throwIfAny();
  if (!vms || !ports || source?.kind !== 'explicit') throw new InputError('source', '', 'is required');
  return { vms, ports: ports.ports, source: source.prefix };
}
