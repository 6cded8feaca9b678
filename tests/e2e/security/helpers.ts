/**
 * What the attacker tests share: a listener that must never be contacted, a planted state
 * document, the hostile text, and the check that no runner command made it through.
 */
import { createServer, type Socket } from 'node:net';
import type { Emulator, RequestLogEntry } from '../../../emulator';

export const PROD = 'a1b2c3d4-1111-4a5b-8c9d-0e1f2a3b4c5d';
export const WEB_01_ID = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01`;
export const WEB_01_NSG = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/web-01-nsg`;
const WEB_JIT = `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/web-jit`;

/** A TCP listener (it would take HTTPS or HTTP alike) that records every connection made to it. */
export interface Trap {
  readonly url: string;
  /** Connections received since the last `reset`: must stay 0. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startTrap(): Promise<Trap> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    // Counted is enough (a client that connected has already lost); hang up so it fails fast.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `https://127.0.0.1:${address.port}`,
    connections: () => count,
    reset: () => {
      count = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface PlantedCloud {
  readonly name: string;
  readonly resourceManager: string;
  readonly authorityHost: string;
}

/** A well-formed state document (what main would save) for web-01 port 22, naming `cloud`. */
export function plantedState(cloud: PlantedCloud, now: Date = new Date()): string {
  const start = new Date(now.getTime() - 60_000).toISOString();
  const end = new Date(now.getTime() + 30 * 60_000).toISOString();
  return JSON.stringify({
    version: 1,
    createdAt: start,
    cloud: { ...cloud, scope: `${cloud.resourceManager}/.default` },
    subscriptionIds: [PROD],
    closeOnPost: 'delete-rule',
    source: { kind: 'explicit', prefix: '203.0.113.10' },
    requests: [
      {
        policyId: WEB_JIT,
        policyName: 'web-jit',
        resourceGroup: 'rg-web',
        location: 'eastus',
        startTimeUtc: start,
        endTimeUtc: end,
        status: 'accepted',
        vms: [
          {
            id: WEB_01_ID,
            name: 'web-01',
            privateIps: ['10.1.1.4'],
            ports: [22],
            nsgIds: [WEB_01_NSG],
            rules: [],
          },
        ],
      },
    ],
  });
}

/** The CLI's state file around a state document, as `request` writes it. */
export function cliStateFile(state: string): string {
  return `${JSON.stringify(
    {
      format: 'azure-jit-access/cli-state',
      savedAt: new Date().toISOString(),
      entries: { 'jit-state': state },
    },
    null,
    2,
  )}\n`;
}

/** Marks every piece of the hostile text, so a command made from it can be recognised. */
export const MARK = 'PWNED';

/**
 * What anyone allowed to initiate JIT (or an Azure error, an IP provider) can make us print:
 * a workflow command after indentation, GitHub's legacy `##[` and Azure Pipelines' `##vso[`.
 */
export const HOSTILE = [
  `deploy ${MARK}`,
  `    ::add-mask::${MARK}-mask`,
  `::set-output name=${MARK}::1`,
  `x ##[add-mask]${MARK}-legacy`,
  `y ##vso[task.setvariable variable=${MARK}]yes`,
].join('\n');

/** The hostile text on one line (IP providers' answers are shown shortened, on one line). */
export const HOSTILE_ONE_LINE = `${MARK} ##[add-mask]${MARK}-legacy ##vso[task.setvariable variable=${MARK}]yes`;

/**
 * Lines a runner would execute as a command, in text where we issue none of our own (the CLI):
 * a line whose first non-blank characters are `::`, or that holds `##[` or `##vso[` anywhere.
 */
export function commandLines(text: string): string[] {
  return text.split(/\r?\n|\r/).filter((l) => /^\s*::/.test(l) || /##\[/.test(l) || /##vso\[/i.test(l));
}

/** The Action's own commands: written at column 0 by @actions/core, with escaped data. */
const OUR_GITHUB_COMMANDS = /^::(add-mask|debug|notice|warning|error|group|endgroup)::/;

/**
 * Commands GitHub's runner would run from the Action's stdout that are not ours: any line that is
 * not one of our commands but reads as one (see `commandLines`), and an `add-mask` of hostile text.
 */
export function foreignGitHubCommands(stdout: string): string[] {
  return stdout.split(/\r?\n/).filter((line) => {
    if (OUR_GITHUB_COMMANDS.test(line)) return line.startsWith('::add-mask::') && line.includes(MARK);
    return commandLines(line).length > 0;
  });
}

/** The task's own commands: `##vso[` at column 0 from task-lib, and our group markers. */
const OUR_ADO_LINE = /^(##vso\[(task\.[a-z]+)[^\]]*\]|##\[(group|endgroup)\])/i;

/**
 * Commands the Azure Pipelines agent would run from the task's output that are not ours: a
 * `##vso[` anywhere in any other line, or one of ours whose command part carries hostile text.
 */
export function foreignAdoCommands(output: string): string[] {
  return output.split(/\r?\n/).filter((line) => {
    const ours = OUR_ADO_LINE.exec(line);
    // The agent runs one command per line: the data after `]` is never parsed again.
    if (ours) return (ours[1] ?? '').includes(MARK);
    return /##vso\[/i.test(line);
  });
}

/** Writes to Azure Resource Manager (token requests are POSTs too, but change nothing). */
export function armWrites(emu: Emulator): RequestLogEntry[] {
  return emu.control
    .requests()
    .filter((r) => r.write && ['security', 'network', 'compute'].includes(r.provider));
}

/** Sign-in requests the emulator's Entra ID received. */
export function signIns(emu: Emulator): RequestLogEntry[] {
  return emu.control.requests().filter((r) => r.provider === 'identity' || r.provider === 'oidc');
}
