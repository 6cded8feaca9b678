/**
 * The least-privilege roles in docs/roles/ are enough, and no more than
 * enough: an emulated service principal holding exactly a role's actions
 * runs the built CLI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, startEmulator, type Emulator, type Scenario } from '../../../emulator';
import { cloudFlags, emulatorFlags, jitAllowRules, PROD, requireBuiltCli, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

const docs = join(__dirname, '..', '..', '..', 'docs', 'roles');
const actionsOf = (file: string): string[] =>
  (JSON.parse(readFileSync(join(docs, file), 'utf8')) as { Actions: string[] }).Actions;

function withRolePrincipals(base: Scenario): Scenario {
  const scenario = structuredClone(base);
  const principal = (n: number, name: string, file: string) => ({
    name,
    type: 'ServicePrincipal' as const,
    clientId: `33333333-aaaa-4bbb-8ccc-00000000000${n}`,
    objectId: `44444444-aaaa-4bbb-8ccc-00000000000${n}`,
    secret: `secret-of-${name}`,
    roleAssignments: [{ scope: `/subscriptions/${PROD}`, actions: actionsOf(file) }],
  });
  scenario.principals.push(
    principal(1, 'role-requester', 'jit-requester.json'),
    principal(2, 'role-closer', 'jit-requester-closer.json'),
  );
  return scenario;
}

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator({ scenario: withRolePrincipals(loadScenario(undefined)) });
});
afterAll(async () => {
  await emu?.stop();
});

const request = (): string[] => [
  'request',
  '--vms',
  'web-02',
  '--resource-group',
  'rg-web',
  '--subscription',
  PROD,
  '--ports',
  '22',
  ...emulatorFlags(emu),
];

describe('docs/roles', () => {
  it('jit-requester-closer.json: request, status and close all succeed', async () => {
    const cwd = tempDir();
    const opened = await runCli(emu, request(), { cwd, principal: 'role-closer' });
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(jitAllowRules(emu, 'snet-web2-nsg')).toHaveLength(1);
    const status = await runCli(
      emu,
      ['status', '--vms', 'web-02', '--resource-group', 'rg-web', '--subscription', PROD, ...cloudFlags(emu)],
      {
        principal: 'role-closer',
      },
    );
    expect(status.code).toBe(0);
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd, principal: 'role-closer' });
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(0);
    expect(jitAllowRules(emu, 'snet-web2-nsg')).toEqual([]);
  });

  it('jit-requester.json: request succeeds; closing early is refused (exit 3) and access stays until its end time', async () => {
    const cwd = tempDir();
    const opened = await runCli(emu, request(), { cwd, principal: 'role-requester' });
    expect(opened.code).toBe(0);
    expect(jitAllowRules(emu, 'snet-web2-nsg')).toHaveLength(1);
    const closed = await runCli(emu, ['close', ...cloudFlags(emu)], { cwd, principal: 'role-requester' });
    expect(closed.code).toBe(3);
    expect(closed.stderr).toContain('securityRules/delete');
    expect(jitAllowRules(emu, 'snet-web2-nsg')).toHaveLength(1);
    // The closer role can finish the job from the same state file.
    expect((await runCli(emu, ['close', ...cloudFlags(emu)], { cwd, principal: 'role-closer' })).code).toBe(
      0,
    );
    expect(jitAllowRules(emu, 'snet-web2-nsg')).toEqual([]);
  });
});
