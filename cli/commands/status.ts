/**
 * `status`: for each VM, its JIT policy, the live JIT requests for it and the
 * JIT allow rules in its NSGs now (the core's `readStatus`). Reads only; this
 * file parses the flags and renders.
 */
import { readStatus, type VmStatus } from '../../shared';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { connectClients, reportFailure, textTable, vmsFromFlags } from './azure';

function printStatus(ctx: CommandContext, statuses: readonly VmStatus[]): void {
  for (const s of statuses) {
    const policy = s.policy
      ? `JIT policy '${s.policy.name}' (${s.policy.resourceGroup}, ${s.policy.location})`
      : 'no JIT policy';
    ctx.terminal.print(`\n${s.vm}: ${policy}`);
    ctx.terminal.print(
      s.requests.length === 0
        ? '  No live JIT requests.'
        : textTable(
            ['port', 'source', 'until (UTC)', 'allow rule', 'requested by', 'justification'],
            s.requests.map((r) => [
              String(r.port),
              r.source,
              r.endTimeUtc,
              r.ruleInNsg ? 'in NSG' : 'none (closed early or not yet written)',
              r.requestor || '-',
              r.justification ?? '',
            ]),
          ).replace(/^/gm, '  '),
    );
    ctx.terminal.print(
      s.rules.length === 0
        ? '  No JIT allow rules in its NSGs.'
        : textTable(
            ['NSG', 'allow rule', 'port', 'source', 'destination', 'state'],
            s.rules.map((r) => [
              r.nsg,
              r.name,
              r.ports.join(','),
              r.sources.join(','),
              r.destinations.join(','),
              r.provisioningState ?? '',
            ]),
          ).replace(/^/gm, '  '),
    );
  }
}

export async function statusCommand(ctx: CommandContext): Promise<number> {
  try {
    // Inputs are checked before signing in: a typo fails at once, without a network round trip.
    const vms = vmsFromFlags(ctx);
    const clients = await connectClients(ctx);
    const statuses = await readStatus(clients, vms, ctx.io.signal);
    if (ctx.terminal.json)
      ctx.terminal.printJson({ command: 'status', ok: true, exitCode: EXIT.ok, vms: statuses });
    else printStatus(ctx, statuses);
    return EXIT.ok;
  } catch (error) {
    return reportFailure(ctx, error);
  }
}
