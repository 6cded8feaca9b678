/**
 * `close`: end access before its end time. JIT has no revoke API, so closing
 * means deleting the JIT allow rule from the NSGs (the request stays in the
 * policy's history; the deny rule keeps the port shut).
 *
 * Two ways, never mixed:
 * - from the state file `request` wrote: the core's post step (runPost)
 *   deletes exactly the rules that run opened;
 * - from flags (`--vms --ports --source`): JIT allow rules in the VMs' NSGs
 *   whose port, destination (the VM's private IP) and source all match
 *   EXACTLY. A rule for another source (another job, a colleague) is never
 *   touched, and `--source` must be an explicit address for that reason.
 */
import type { SecurityRule } from '@azure/arm-network';
import type { AzureClients } from '../../shared/azure/clients';
import { azureCall } from '../../shared/azure/call';
import { requireResourceId } from '../../shared/azure/resourceId';
import { resolveTopologies } from '../../shared/azure/topology';
import { InputError } from '../../shared/errors';
import { IssueCollector } from '../../shared/inputs/collect';
import { parsePorts } from '../../shared/inputs/ports';
import { parseSource } from '../../shared/inputs/source';
import { deleteRule } from '../../shared/jit/close';
import { matchesTarget, portsWithin, rulePorts } from '../../shared/jit/nsgRules';
import { runPost } from '../../shared/run';
import { flagText, UsageError } from '../args';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { printCoreReport } from '../report';
import { TerminalPlatform } from '../terminalPlatform';
import { connectClients, reportFailure, textTable, vmsFromFlags } from './azure';
import { runStep } from './runStep';
import { stateFileFor } from './request';

const BY_FLAGS = ['vms', 'ports', 'source'] as const;

export interface ClosedRule {
  readonly vm: string;
  readonly nsg: string;
  readonly rule: string;
  readonly port: number;
  readonly source: string;
  /** false when the rule was already gone (expired or closed meanwhile). */
  readonly deleted: boolean;
}

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
  const step = await runStep(ctx, platform, runPost, 'closing access');
  const { ok } = step;
  // The core clears the state once nothing of ours can remain open; otherwise it keeps it for a retry.
  const remaining = ok && stateFile.exists() && stateFile.read('jit-state') !== '';
  const closed = ok && !remaining;
  // Closed: the file has done its job, and a stale one would block the next `request`.
  if (closed) stateFile.remove();
  const exitCode = closed
    ? EXIT.ok
    : remaining
      ? platform.warnings.some((w) => /securityRules\/delete|\b403\b/.test(w))
        ? EXIT.auth
        : EXIT.failure
      : step.exitCode;
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

    const clients = await connectClients(ctx);
    const closed = await deleteMatching(ctx, clients, vms, ports.ports, source.prefix);
    if (ctx.terminal.json) {
      ctx.terminal.printJson({ command: 'close', ok: true, exitCode: EXIT.ok, closed });
    } else if (closed.length === 0) {
      ctx.terminal.print(
        `No JIT allow rule for source ${source.prefix} on port(s) ${ports.ports.join(', ')}: nothing to close.`,
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

async function deleteMatching(
  ctx: CommandContext,
  clients: AzureClients,
  vms: Parameters<typeof resolveTopologies>[1],
  ports: readonly number[],
  source: string,
): Promise<ClosedRule[]> {
  const topologies = await resolveTopologies(clients, vms, ctx.io.signal);
  const work: Promise<ClosedRule[]>[] = [];
  for (const vm of topologies) {
    for (const nsg of vm.nsgs) {
      work.push(
        (async () => {
          const p = requireResourceId(nsg.id, 'network security group');
          const network = clients.network(p.subscriptionId);
          const group = await azureCall(`read NSG '${p.name}'`, ctx.io.signal, (o) =>
            network.networkSecurityGroups.get(p.resourceGroup, p.name, o),
          );
          const targets: { rule: SecurityRule; port: number }[] = [];
          for (const rule of group.securityRules ?? []) {
            const hit = ports.filter((port) =>
              matchesTarget(rule, { port, destinations: nsg.privateIps, source }),
            );
            const first = hit[0];
            if (first === undefined) continue;
            // One rule may carry several ports (destinationPortRanges): delete it only when every port it
            // opens was asked for, so closing port 22 never closes someone's 3389 as a side effect.
            if (!portsWithin(rule, ports)) {
              ctx.terminal.log(
                'warning',
                `Not deleting ${rule.name ?? '?'} in ${p.name}: it also opens port(s) ${rulePorts(rule).join(', ')}; add them to --ports to close it.`,
              );
              continue;
            }
            targets.push({ rule, port: first });
          }
          const results: ClosedRule[] = [];
          for (const { rule, port } of targets) {
            const name = rule.name ?? '';
            ctx.terminal.log('info', `Deleting ${name} (port ${port}, source ${source}) from ${p.name}...`);
            // The core's delete: 409/429 retried as Retry-After says, confirmed by the rule's own 404.
            const deleted =
              (await deleteRule(
                {
                  clients,
                  signal: ctx.io.signal,
                  log: { info: () => undefined, warning: () => undefined, debug: () => undefined },
                },
                nsg.id,
                name,
              )) === 'deleted';
            results.push({ vm: vm.name, nsg: p.name, rule: name, port, source, deleted });
          }
          return results;
        })(),
      );
    }
  }
  return (await Promise.all(work)).flat();
}
