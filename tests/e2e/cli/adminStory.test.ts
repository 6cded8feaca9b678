/**
 * The README's administrator story (between `<!-- story:admin -->` markers),
 * run as written through the built CLI against the default scenario: each
 * `$JIT` line in order, `$ADMIN` lines as the emulator's jit-admin, the others
 * as the pipeline's jit-deployer. If the README's commands stop working, this
 * fails; outcomes are read back from the emulator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import {
  cloudFlags,
  jitAllowRules,
  PROD,
  requireBuiltCli,
  runCli,
  spEnv,
  tempDir,
  type CliRun,
} from './helpers';

jest.setTimeout(120_000);

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

function storyLines(): string[] {
  const start = readme.indexOf('<!-- story:admin -->');
  const end = readme.indexOf('<!-- /story:admin -->');
  if (start < 0 || end < start) throw new Error('README has no <!-- story:admin --> block');
  return readme
    .slice(start, end)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('$JIT') || l.startsWith('$ADMIN $JIT'));
}

let emu: Emulator;
beforeAll(async () => {
  requireBuiltCli();
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const armWrites = (): number =>
  emu.control.requests().filter((r) => r.write && ['security', 'network', 'compute'].includes(r.provider))
    .length;

/** One README line as argv: the shell variables replaced as the README defines them. */
function argv(line: string): { admin: boolean; args: string[] } {
  const admin = line.startsWith('$ADMIN ');
  const words = line
    .replace(/^\$ADMIN /, '')
    .split(/\s+/)
    .slice(1);
  const args = words.flatMap((w) =>
    w === '$EMU' ? cloudFlags(emu) : w === '$IPS' ? ['--ip-providers', emu.ipEchoUrls.join(',')] : [w],
  );
  return { admin, args };
}

it('the README story: audit → enable --dry-run → enable → request → close → audit clean', async () => {
  const lines = storyLines();
  expect(lines).toHaveLength(8);
  // The README's $ADMIN is the emulator's jit-admin.
  const admin = emu.principals['jit-admin'];
  expect(readme).toContain(
    `ADMIN="env AZURE_CLIENT_ID=${admin?.clientId ?? '?'} AZURE_CLIENT_SECRET=${admin?.secret ?? '?'}"`,
  );
  const cwd = tempDir();
  const runs: CliRun[] = [];
  for (const line of lines) {
    const { admin, args } = argv(line);
    const writes = armWrites();
    const run = await runCli(emu, args, {
      cwd,
      env: {
        ...spEnv(emu, admin ? 'jit-admin' : 'jit-deployer'),
        AZURE_SUBSCRIPTION_ID: PROD,
      },
    });
    if (run.code !== 0)
      throw new Error(`'${line}' exited ${String(run.code)}:\n${run.stdout}\n${run.stderr}`);
    if (args.includes('--dry-run') || args[0] === 'audit') expect(armWrites()).toBe(writes);
    runs.push(run);
  }
  const [auditBefore, dryRun, enabled, request, , , , auditAfter] = runs;

  expect(auditBefore?.stdout).toMatch(/legacy-01\s+rg-web\s+no-jit-policy/);
  expect(auditBefore?.stdout).toContain(
    `azure-jit-access enable --vms legacy-01 --resource-group rg-web --subscription ${PROD} --ports 22 --allowed-sources "$AGENTS_CIDR" --dry-run`,
  );
  expect(dryRun?.stdout).toMatch(/legacy-01\s+22\s+added\s+any protocol, from 203\.0\.113\.10, max PT3H/);
  expect(dryRun?.stdout).toContain('Dry run: nothing was written');
  expect(enabled?.stdout).toContain("Updated JIT policy 'web-jit'");
  expect(request?.stdout).toContain('live');
  expect(jitAllowRules(emu, 'legacy-01-nsg')).toEqual([]); // closed again
  expect(auditAfter?.stdout).toContain('every VM has a JIT policy restricted to known sources');

  // What the README shows for step 2 is what step 2 printed.
  const shown = readme.slice(readme.indexOf('What step 2 prints'));
  const block = /```text\n([\s\S]*?)```/.exec(shown)?.[1] ?? '';
  const printed = (dryRun?.stdout ?? '').replace(/^\[[^\]]*\] .*\n/gm, '').trim();
  expect(block.trim()).toBe(printed);
});
