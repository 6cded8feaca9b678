import { SAMPLE_POST } from '../../helpers/sampleSummaries';
import { parseCommandLine, type ParsedCommand } from '../../../cli/args';
import { Terminal } from '../../../cli/terminal';
import { ciMetadata, TerminalPlatform } from '../../../cli/terminalPlatform';
import { failureExitCode, outcomeExitCode } from '../../../cli/failure';
import { EXIT } from '../../../cli/exitCodes';
import type { ClosedRule, CloseOutcome, PostOutcome, PostResult } from '../../../shared';
import {
  AuthError,
  AzureApiError,
  toJitError,
  InputError,
  IpResolutionError,
  PolicyError,
  SupersededError,
  TimeoutError,
} from '../../../shared/errors';

const sink = { write: () => true };

function platform(argv: string[], fixed?: Record<string, string>) {
  const p = parseCommandLine(argv) as ParsedCommand;
  const terminal = new Terminal({
    stdout: sink,
    stderr: sink,
    json: false,
    verbose: false,
    interactive: false,
  });
  return new TerminalPlatform({
    terminal,
    flags: p.values,
    ...(fixed ? { fixedInputs: fixed } : {}),
    env: {},
  });
}

describe('TerminalPlatform', () => {
  it('hands the core its inputs from the flags', () => {
    const p = platform([
      'request',
      '--vms',
      'web-01',
      '--resource-group',
      'rg-web',
      '--ports',
      '22,5986',
      '--probe',
    ]);
    expect(p.getInput('vms')).toBe('web-01');
    expect(p.getInput('resource-group')).toBe('rg-web');
    expect(p.getInput('ports')).toBe('22,5986');
    expect(p.getInput('probe')).toBe('true');
    expect(p.getInput('duration')).toBe('');
    expect(p.getInput('close-on-post')).toBe('delete-rule');
  });

  it('validate forces dry-run', () => {
    const p = platform(['validate', '--vms', 'web-01', '--ports', '22'], { 'dry-run': 'true' });
    expect(p.getInput('dry-run')).toBe('true');
  });

  it('masks secrets in outputs, summaries and failures', async () => {
    const p = platform(['request']);
    p.setSecret('hunter2-long-secret');
    p.setOutput('ip', 'x hunter2-long-secret');
    await p.appendSummary({ ...SAMPLE_POST, nothingToDo: 'hunter2-long-secret' });
    p.setFailed('bad hunter2-long-secret');
    expect(JSON.stringify([...p.outputs, p.summaries, p.failures])).not.toContain('hunter2');
  });

  it('describes GitLab and Jenkins runs for the justification', () => {
    expect(
      ciMetadata({
        GITLAB_CI: 'true',
        CI_PROJECT_PATH: 'contoso/webapp',
        CI_COMMIT_SHA: 'abc',
        CI_JOB_URL: 'https://gitlab/j/1',
        GITLAB_USER_LOGIN: 'ann',
      }),
    ).toEqual({
      system: 'CLI (GitLab CI)',
      repository: 'contoso/webapp',
      commit: 'abc',
      runUrl: 'https://gitlab/j/1',
      actor: 'ann',
    });
    expect(
      ciMetadata({ JENKINS_URL: 'https://j', JOB_NAME: 'deploy', BUILD_URL: 'https://j/1' }).system,
    ).toBe('CLI (Jenkins)');
    expect(ciMetadata({ USER: 'bob' })).toEqual({ system: 'CLI', actor: 'bob' });
  });
});

describe('failureExitCode', () => {
  const code = (e: unknown) => failureExitCode(toJitError(e));

  it('maps the core error kinds to the documented exit codes', () => {
    expect(code(new InputError('ports', 'abc', 'is not a port'))).toBe(EXIT.usage);
    expect(
      code(
        new InputError([
          { input: 'ports', value: 'abc', rule: 'is not a port' },
          { input: 'duration', value: 'forever', rule: 'is not a duration' },
        ]),
      ),
    ).toBe(EXIT.usage);
    expect(code(new AuthError('Sign-in failed: bad secret'))).toBe(EXIT.auth);
    expect(
      code(
        new AzureApiError({
          status: 403,
          code: 'AuthorizationFailed',
          azureMessage: 'no',
          operation: 'initiate JIT policy',
        }),
      ),
    ).toBe(EXIT.auth);
    expect(
      code(
        new AzureApiError({ status: 500, code: 'InternalError', azureMessage: 'boom', operation: 'read VM' }),
      ),
    ).toBe(EXIT.failure);
    // An Azure failure while talking to a JIT policy is still an Azure failure, not a policy mismatch.
    expect(
      code(
        new AzureApiError({
          status: 500,
          code: 'InternalError',
          azureMessage: 'boom',
          operation: "initiate JIT policy 'web-jit'",
        }),
      ),
    ).toBe(EXIT.failure);
    expect(
      code(
        new TimeoutError('The JIT allow rules were not all live after 300 s. Still missing:\n  - VM web-01'),
      ),
    ).toBe(EXIT.timeout);
    expect(
      code(
        new SupersededError(
          "Our JIT request for VM web-01 port 22 (policy 'web-jit') was superseded by a request",
        ),
      ),
    ).toBe(EXIT.superseded);
    expect(code(new PolicyError("port 80 is not in JIT policy 'web-jit' for VM web-01 (allowed: 22)"))).toBe(
      EXIT.usage,
    );
    expect(code(new IpResolutionError("The IP providers did not agree on this agent's public IP"))).toBe(
      EXIT.failure,
    );
  });

  it('is 130 when the run was cancelled, whatever the text', () => {
    const c = new AbortController();
    c.abort();
    expect(failureExitCode(toJitError(new Error('anything')), c.signal)).toBe(EXIT.cancelled);
  });

  it('is never 0 for a failure it cannot classify', () => {
    expect(failureExitCode(toJitError(new Error('something odd happened')))).toBe(EXIT.failure);
    expect(failureExitCode(undefined)).toBe(EXIT.failure);
  });
});

describe('outcomeExitCode', () => {
  const forbidden = new AzureApiError({
    status: 403,
    code: 'AuthorizationFailed',
    azureMessage: 'no',
    operation: 'x',
  });
  it('is 0 for an outcome that succeeded, else the code of its typed error', () => {
    expect(outcomeExitCode({ ok: true })).toBe(EXIT.ok);
    expect(outcomeExitCode({ ok: false, error: forbidden })).toBe(EXIT.auth);
    expect(outcomeExitCode({ ok: false, error: new InputError('ports', 'abc', 'is not a port') })).toBe(
      EXIT.usage,
    );
  });
  it("is post's: 0 when nothing of ours is open, else 3 when a rule's close was refused (403), else 1", () => {
    const row = (outcome: CloseOutcome): ClosedRule => ({
      vm: 'web-01',
      port: 22,
      nsgId: '',
      rule: 'r',
      outcome,
    });
    const post = (result: PostResult, ...outcomes: CloseOutcome[]): PostOutcome => ({
      ok: true,
      result,
      report: { rules: outcomes.map(row), complete: result === 'closed' },
    });
    expect(outcomeExitCode(post('closed', 'deleted'))).toBe(EXIT.ok);
    expect(outcomeExitCode(post('nothing-to-close'))).toBe(EXIT.ok);
    expect(outcomeExitCode(post('incomplete', 'deleted', 'forbidden'))).toBe(EXIT.auth);
    expect(outcomeExitCode(post('incomplete', 'deleted', 'failed'))).toBe(EXIT.failure);
    expect(outcomeExitCode(post('state-unreadable'))).toBe(EXIT.failure);
  });
});
