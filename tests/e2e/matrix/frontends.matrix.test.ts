/**
 * The Action and task bundles (and the CLI once more) under the default and
 * the all-unfavourable behaviour, signed in as `jit-rg-closer`: a service
 * principal holding exactly docs/roles/jit-requester-closer.json assigned at
 * `/subscriptions/<prod>/resourceGroups/rg-web` (emulator/scenarios/default.json),
 * the set-up docs/permissions.md recommends. Every read of the flow must be
 * at resource-group or resource scope, or Azure answers 403. Same checks as
 * cli.matrix.test.ts: ready on our own rules only, outputs right, close
 * removes ours and only ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorBehaviour } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { runStep } from '../../helpers/githubRunner';
import { cloudFlags, PROD, requireBuiltCli, runCli, tempDir } from '../cli/helpers';
import { connection, agentEnv } from '../task/fixture';
import { cellName, DEFAULT_CELL, UNFAVOURABLE_CELL } from './matrixCells';
import {
  jitAllow,
  livePerPort,
  NSGS,
  oursAmong,
  plantOthers,
  PORTS,
  requestArgs,
  RG,
  settle,
  VM,
} from './world';

jest.setTimeout(120_000);

const WHO = 'jit-rg-closer';
const EGRESS = '203.0.113.10';
const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';

beforeAll(() => requireBuiltCli());

interface Opened {
  ok: boolean;
  log: string;
  ip?: string;
  targets: { vm: string; ruleNames: string[]; ports: { port: number }[] }[];
  close: () => Promise<{ ok: boolean; log: string }>;
}

type FrontEnd = (emu: Emulator) => Promise<Opened>;

const secretOf = (emu: Emulator): string => emu.principals[WHO]?.secret ?? '';

const action: FrontEnd = async (emu) => {
  const inputs = {
    vms: VM,
    'resource-group': RG,
    'subscription-id': PROD,
    ports: PORTS.join(','),
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    'ip-providers': emu.ipEchoUrls.join('\n'),
    'wait-timeout': '60',
    'client-id': emu.principals[WHO]?.clientId ?? '',
    'tenant-id': TENANT,
    'client-secret': secretOf(emu),
  };
  const env = { NODE_EXTRA_CA_CERTS: emu.caPath };
  const main = await runStep({ node: process.execPath, entry: 'main', inputs, env });
  return {
    ok: main.exitCode === 0,
    log: main.stdout + main.stderr,
    ...(main.outputs.ip !== undefined ? { ip: main.outputs.ip } : {}),
    targets: JSON.parse(main.outputs.targets ?? '[]') as Opened['targets'],
    close: async () => {
      const post = await runStep({ node: process.execPath, entry: 'post', inputs, env, state: main.state });
      return { ok: post.exitCode === 0, log: post.stdout + post.stderr };
    },
  };
};

const task: FrontEnd = async (emu) => {
  const inputs = {
    azureSubscription: emu.ado.serviceConnectionId,
    vms: VM,
    resourceGroup: RG,
    ports: PORTS.join(','),
    ipProviders: emu.ipEchoUrls.join('\n'),
    waitTimeout: '60',
  };
  const endpoints = [connection(emu, 'secret', WHO)];
  const env = agentEnv(emu, 'secret');
  const main = await runAdoStep({ node: process.execPath, entry: 'main', inputs, endpoints, env });
  return {
    ok: main.result?.result === 'Succeeded',
    log: main.stdout + main.stderr,
    ...(main.outputs.ip !== undefined ? { ip: main.outputs.ip } : {}),
    targets: JSON.parse(main.outputs.targets ?? '[]') as Opened['targets'],
    close: async () => {
      const post = await runAdoStep({
        node: process.execPath,
        entry: 'post',
        inputs,
        endpoints,
        env,
        taskVariables: main.taskVariables,
      });
      return { ok: post.result?.result === 'Succeeded', log: post.stdout + post.stderr };
    },
  };
};

const cli: FrontEnd = async (emu) => {
  const cwd = tempDir();
  const run = await runCli(emu, requestArgs(emu), { cwd, principal: WHO });
  const doc =
    run.code === 0
      ? (JSON.parse(run.stdout) as { outputs: { ip?: string; targets?: Opened['targets'] } })
      : undefined;
  return {
    ok: run.code === 0,
    log: run.stdout + run.stderr,
    ...(doc?.outputs.ip !== undefined ? { ip: doc.outputs.ip } : {}),
    targets: doc?.outputs.targets ?? [],
    close: async () => {
      const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd, principal: WHO });
      return { ok: closed.code === 0, log: closed.stdout + closed.stderr };
    },
  };
};

const FRONT_ENDS: [string, FrontEnd][] = [
  ['Action', action],
  ['task', task],
  ['CLI', cli],
];

describe.each([DEFAULT_CELL, UNFAVOURABLE_CELL].map((c) => [cellName(c), c] as const))(
  'cell %s, identity scoped to resource group rg-web',
  (_name, behaviour: EmulatorBehaviour) => {
    // Each run owns its emulator: the six run concurrently (they wait on child processes, not CPU).
    it.concurrent.each(FRONT_ENDS)(
      '%s opens and closes; every read is at resource-group scope',
      async (_fe, frontEnd) => {
        const emu = await startEmulator({ behaviour, ruleDelayMs: 0 });
        try {
          await plantOthers(emu, EGRESS);
          await settle(emu, 2);
          const before = new Set(jitAllow(emu).map((r) => r.name));
          const opened = await frontEnd(emu);
          expect({ ok: opened.ok, log: opened.ok ? '' : opened.log }).toEqual({ ok: true, log: '' });
          const afterOpen = jitAllow(emu);
          const ours = oursAmong(afterOpen, before, EGRESS);
          expect(livePerPort(ours)).toEqual(PORTS.map(() => NSGS.length));
          expect(opened.ip).toBe(EGRESS);
          expect(opened.targets.map((t) => t.vm)).toEqual([VM]);
          expect(opened.targets[0]?.ports.map((p) => p.port)).toEqual([...PORTS]);
          expect([...(opened.targets[0]?.ruleNames ?? [])].sort()).toEqual(
            [...new Set(ours.map((r) => r.name))].sort(),
          );
          const others = afterOpen.filter((r) => !ours.includes(r)).map((r) => r.name);

          const closed = await opened.close();
          expect({ ok: closed.ok, log: closed.ok ? '' : closed.log }).toEqual({ ok: true, log: '' });
          expect(
            jitAllow(emu)
              .map((r) => r.name)
              .sort(),
          ).toEqual(others.sort());
          // Nothing was refused, and nothing was asked at subscription scope.
          const mine = emu.control.requests().filter((r) => r.principal === WHO && r.provider !== 'identity');
          expect(mine.filter((r) => r.status === 403)).toEqual([]);
          expect(mine.filter((r) => !/^\/subscriptions\/[^/]+\/resourceGroups\//i.test(r.path))).toEqual([]);
        } finally {
          await emu.stop();
        }
      },
    );
  },
);

it('the scenario principal holds exactly docs/roles/jit-requester-closer.json, at rg-web only', async () => {
  const role = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'docs', 'roles', 'jit-requester-closer.json'), 'utf8'),
  ) as { Actions: string[] };
  const scenario = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'emulator', 'scenarios', 'default.json'), 'utf8'),
  ) as { principals: { name: string; roleAssignments: { scope: string; actions: string[] }[] }[] };
  const p = scenario.principals.find((x) => x.name === WHO);
  expect(p?.roleAssignments).toEqual([
    { scope: `/subscriptions/${PROD}/resourceGroups/rg-web`, actions: role.Actions },
  ]);
});
