/**
 * Post's re-check meets a 403: the deleted rule came back and deleting it
 * again is refused, or the NSG cannot be read again to check. Either way the
 * typed CloseReport says `forbidden` for that rule (so the CLI exits 3, as for
 * every other 403), the warning names the missing permission, and the state
 * is kept for a retry.
 */
import { outcomeExitCode } from '../../../cli/failure';
import { EXIT } from '../../../cli/exitCodes';
import { startEmulator } from '../../../emulator';
import type { PostOutcome } from '../../../shared/outcome';
import { runPost } from '../../../shared/run';
import { STATE_KEY } from '../../../shared/state';
import { allowRules, denyNext, main, options, platformFor, type Emulator } from './harness';

jest.setTimeout(60_000);

const NSG_GET = /networkSecurityGroups\/web-01-nsg\?/;
const RULE_PATH = /networkSecurityGroups\/web-01-nsg\/securityRules\//;
const DELETE_RULES = 'Microsoft.Network/networkSecurityGroups/securityRules/delete';
const READ_NSGS = 'Microsoft.Network/networkSecurityGroups/read';

let emu: Emulator | undefined;
let oldDelay: string | undefined;
beforeEach(() => {
  oldDelay = process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS;
  process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS = '0';
});
afterEach(async () => {
  if (oldDelay === undefined) delete process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS;
  else process.env.AZURE_JIT_ACCESS_RECHECK_DELAY_MS = oldDelay;
  await emu?.stop();
  emu = undefined;
});

/** Opens access to web-01 port 22; `arm` sets the faults post will meet; returns post's outcome. */
async function openThenClose(arm: (e: Emulator) => void) {
  const e = (emu = await startEmulator());
  const platform = platformFor(e);
  expect(await main(e, platform)).toBe(true);
  const [rule] = allowRules(e, 'web-01-nsg');
  if (!rule) throw new Error('main opened no rule in web-01-nsg');
  e.control.clearRequests();
  arm(e);
  const outcome: PostOutcome = await runPost(options(e, platform));
  return { e, platform, rule: rule.name, outcome };
}

function reportRow(outcome: PostOutcome, rule: string) {
  if (!outcome.ok) throw new Error(`post failed: ${outcome.error.message}`);
  expect(outcome.result).toBe('incomplete');
  return outcome.report?.rules.find((r) => r.rule === rule);
}

it('a rule that came back and whose second delete is refused (403) is reported forbidden: exit 3', async () => {
  const { e, platform, rule, outcome } = await openThenClose((x) => {
    // The first delete is accepted and its confirmation reads 404; the rule is still there at the
    // re-check (as when JIT writes it again), and the second delete is refused.
    x.control.faults.add({ method: 'DELETE', path: RULE_PATH, status: 202, body: '' });
    x.control.faults.add({ method: 'GET', path: RULE_PATH, status: 404 });
    denyNext(x, 'DELETE', RULE_PATH, DELETE_RULES);
  });
  const deletes = e.control.requests().filter((r) => r.method === 'DELETE' && RULE_PATH.test(r.path));
  expect(deletes.map((r) => r.status)).toEqual([202, 403]);
  expect(allowRules(e, 'web-01-nsg').map((r) => r.name)).toEqual([rule]);
  expect(reportRow(outcome, rule)).toMatchObject({
    outcome: 'forbidden',
    detail: expect.stringContaining(`it needs ${DELETE_RULES}`) as unknown,
  });
  expect(outcomeExitCode(outcome)).toBe(EXIT.auth);
  expect(platform.messages('warning').join('\n')).toContain(
    `came back and could not be deleted again (the identity may not delete NSG rules (it needs ${DELETE_RULES})`,
  );
  expect(platform.getState(STATE_KEY)).not.toBe('');
});

it('an NSG that cannot be read again for the re-check (403) is reported forbidden: exit 3', async () => {
  const { e, platform, rule, outcome } = await openThenClose((x) => {
    // Post's first read of the NSG (ownership) passes; the re-check's read is refused.
    x.control.faults.add({ method: 'GET', path: NSG_GET, latencyMs: 1 });
    denyNext(x, 'GET', NSG_GET, READ_NSGS);
  });
  const log = e.control.requests();
  const refused = log.findIndex((r) => r.method === 'GET' && NSG_GET.test(`${r.path}?`) && r.status === 403);
  const deleted = log.findIndex((r) => r.method === 'DELETE' && RULE_PATH.test(r.path));
  // The refused read is the re-check's, after the rule was deleted.
  expect(deleted).toBeGreaterThanOrEqual(0);
  expect(refused).toBeGreaterThan(deleted);
  expect(allowRules(e, 'web-01-nsg')).toEqual([]);
  expect(reportRow(outcome, rule)).toMatchObject({
    outcome: 'forbidden',
    detail: expect.stringContaining(`it needs ${READ_NSGS}`) as unknown,
  });
  expect(outcomeExitCode(outcome)).toBe(EXIT.auth);
  expect(platform.messages('warning').join('\n')).toContain(
    `Could not re-check NSG web-01-nsg (the identity may not read network security groups (it needs ${READ_NSGS})`,
  );
  expect(platform.getState(STATE_KEY)).not.toBe('');
});
