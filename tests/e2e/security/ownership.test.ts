/**
 * Post deletes only what this run opened (issue 10 §2), whatever the saved
 * state says. A run opens web-01:22; then its state is tampered with, as
 * someone able to edit a committed state file or a runner's state could:
 * - a foreign JIT rule on ANOTHER VM (web-02, another principal's request) is
 *   added under a VM entry for web-02;
 * - a user rule (AllowHttpsInbound) replaces our recorded rule's name;
 * - a foreign JIT rule (same source as ours!) in an NSG that is NOT on web-01's
 *   path is added under web-01.
 * Post, through each shipped bundle, must leave those rules alone, say why
 * truthfully (a user rule is never "belongs to a newer request"), and still
 * close this run's own rule.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { runAdoStep } from '../../helpers/adoAgent';
import { runStep } from '../../helpers/githubRunner';
import { cloudFlags, emulatorFlags, PROD, requireBuiltCli, runCli, tempDir } from '../cli/helpers';
import { agentEnv, connection } from '../task/fixture';

jest.setTimeout(120_000);

const EGRESS = '203.0.113.10';
const TENANT = '5f1e3b2a-8c4d-4e6f-9a1b-2c3d4e5f6a7b';
const vmId = (name: string): string =>
  `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/${name}`;
const nsgId = (name: string): string =>
  `/subscriptions/${PROD}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/${name}`;

interface StateRule {
  nsgId: string;
  name: string;
  port: number;
  destination: string;
  source: string;
}
interface StateVm {
  id: string;
  name: string;
  privateIps: string[];
  ports: number[];
  nsgIds: string[];
  rules: StateRule[];
}
interface State {
  requests: { vms: StateVm[] }[];
}

/** Another principal's request for web-02:22, from `source`; returns its allow rule's name. */
async function foreignRuleOnWeb02(emu: Emulator, source: string): Promise<string> {
  const end = new Date(emu.control.clock.now().getTime() + 45 * 60_000).toISOString();
  const r = await emu.control.initiateAs('jit-cert', {
    resourceGroup: 'rg-web',
    location: 'eastus',
    policy: 'web-jit',
    body: {
      virtualMachines: [
        { id: vmId('web-02'), ports: [{ number: 22, allowedSourceAddressPrefix: source, endTimeUtc: end }] },
      ],
    },
  });
  expect(r.status).toBe(202);
  const rule = emu.control.rules('snet-web2-nsg').find((x) => x.jit === 'allow');
  if (!rule) throw new Error('no foreign rule');
  return rule.name;
}

interface Case {
  readonly name: string;
  /** Before the run: another principal's request (older than ours); returns its rule's name. */
  readonly plant?: (emu: Emulator) => Promise<string>;
  /** Edits the state; returns the rule that must survive and the words post must use. */
  readonly tamper: (state: State, planted: string) => { nsg: string; rule: string; says: RegExp };
}

const CASES: Case[] = [
  {
    name: "a foreign JIT rule on another VM (another principal's older request for web-02)",
    plant: (emu) => foreignRuleOnWeb02(emu, '198.51.100.7'),
    tamper: (state, foreign) => {
      state.requests[0]?.vms.push({
        id: vmId('web-02'),
        name: 'web-02',
        privateIps: ['10.1.2.4'],
        ports: [22],
        nsgIds: [nsgId('snet-web2-nsg')],
        rules: [
          {
            nsgId: nsgId('snet-web2-nsg'),
            name: foreign,
            port: 22,
            destination: '10.1.2.4',
            source: '198.51.100.7',
          },
        ],
      });
      return {
        nsg: 'snet-web2-nsg',
        rule: foreign,
        says: /holds no request of this run for VM web-02 port 22/,
      };
    },
  },
  {
    name: 'a user rule named in place of ours',
    tamper: (state) => {
      const vm = state.requests[0]?.vms[0] as StateVm;
      vm.rules = vm.rules.map((r) => ({ ...r, name: 'AllowHttpsInbound' }));
      return {
        nsg: 'web-01-nsg',
        rule: 'AllowHttpsInbound',
        says: /AllowHttpsInbound .*not a JIT allow rule/,
      };
    },
  },
  {
    name: "a foreign JIT rule with our own source in an NSG off web-01's path",
    plant: (emu) => foreignRuleOnWeb02(emu, EGRESS),
    tamper: (state, foreign) => {
      const vm = state.requests[0]?.vms[0] as StateVm;
      vm.nsgIds.push(nsgId('snet-web2-nsg'));
      vm.privateIps.push('10.1.2.4');
      vm.rules.push({
        nsgId: nsgId('snet-web2-nsg'),
        name: foreign,
        port: 22,
        destination: '10.1.2.4',
        source: EGRESS,
      });
      return { nsg: 'snet-web2-nsg', rule: foreign, says: /snet-web2-nsg is not on VM web-01's path/ };
    },
  },
];

type Run = (emu: Emulator, tamper: (s: State) => void) => Promise<{ ok: boolean; log: string }>;

const viaCli: Run = async (emu, tamper) => {
  const cwd = tempDir();
  const opened = await runCli(
    emu,
    [
      'request',
      '--vms',
      'web-01',
      '--resource-group',
      'rg-web',
      '--subscription',
      PROD,
      '--ports',
      '22',
      ...emulatorFlags(emu),
    ],
    { cwd },
  );
  expect(opened.code).toBe(0);
  const file = join(cwd, '.azure-jit-access', 'state.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, string> };
  const state = JSON.parse(doc.entries['jit-state'] ?? '') as State;
  tamper(state);
  doc.entries['jit-state'] = JSON.stringify(state);
  writeFileSync(file, JSON.stringify(doc));
  const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd });
  return { ok: closed.code !== null, log: closed.stdout + closed.stderr };
};

const viaAction: Run = async (emu, tamper) => {
  const p = emu.principals['jit-deployer'];
  const inputs = {
    vms: 'web-01',
    'resource-group': 'rg-web',
    'subscription-id': PROD,
    ports: '22',
    cloud: 'Custom',
    'arm-endpoint': emu.armUrl,
    'authority-host': emu.authorityHost,
    'ip-providers': emu.ipEchoUrls.join('\n'),
    'client-id': p?.clientId ?? '',
    'tenant-id': TENANT,
    'client-secret': p?.secret ?? '',
  };
  const env = { NODE_EXTRA_CA_CERTS: emu.caPath };
  const main = await runStep({ node: process.execPath, entry: 'main', inputs, env });
  expect(main.exitCode).toBe(0);
  const state = JSON.parse(main.state['jit-state'] ?? '') as State;
  tamper(state);
  const post = await runStep({
    node: process.execPath,
    entry: 'post',
    inputs,
    env,
    state: { 'jit-state': JSON.stringify(state) },
  });
  return { ok: post.exitCode !== null, log: post.stdout + post.stderr + post.summary };
};

const viaTask: Run = async (emu, tamper) => {
  const inputs = {
    azureSubscription: emu.ado.serviceConnectionId,
    vms: 'web-01',
    resourceGroup: 'rg-web',
    ports: '22',
    ipProviders: emu.ipEchoUrls.join('\n'),
  };
  const endpoints = [connection(emu, 'secret')];
  const env = agentEnv(emu, 'secret');
  const main = await runAdoStep({ node: process.execPath, entry: 'main', inputs, endpoints, env });
  expect(main.result?.result).toBe('Succeeded');
  const state = JSON.parse(main.taskVariables.jitState ?? '') as State;
  tamper(state);
  const post = await runAdoStep({
    node: process.execPath,
    entry: 'post',
    inputs,
    endpoints,
    env,
    taskVariables: { jitState: JSON.stringify(state) },
  });
  return {
    ok: post.exitCode !== null,
    log: post.stdout + post.stderr + post.summaries.map((s) => s.content).join('\n'),
  };
};

beforeAll(() => requireBuiltCli());

describe.each([
  ['CLI', viaCli],
  ['Action', viaAction],
  ['task', viaTask],
] as const)('tampered state through the %s bundle', (_fe, run) => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: left alone, said why, ours still closed',
    async (_n, c) => {
      const emu = await startEmulator({ ruleDelayMs: 0 });
      try {
        const planted = c.plant ? await c.plant(emu) : '';
        let target = { nsg: '', rule: '', says: /$^/ };
        let ours = '';
        const result = await run(emu, (state) => {
          ours = state.requests[0]?.vms[0]?.rules[0]?.name ?? '';
          target = c.tamper(state, planted);
        });
        expect(result.ok).toBe(true);
        // The pointed-at rule survives.
        expect(emu.control.rules(target.nsg).map((r) => r.name)).toContain(target.rule);
        // Post says the true reason, and never calls it someone's newer request.
        expect(result.log).toMatch(target.says);
        expect(result.log).not.toMatch(new RegExp(`${target.rule}[^\\n]*belongs to a newer request`));
        expect(result.log).not.toMatch(/belongs to a newer request/);
        // This run's own rule is still closed (unless the tamper replaced its name, then it stays until its end).
        if (c.name !== 'a user rule named in place of ours')
          expect(emu.control.rules('web-01-nsg').map((r) => r.name)).not.toContain(ours);
      } finally {
        await emu.stop();
      }
    },
  );
});
