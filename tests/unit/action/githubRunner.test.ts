/**
 * The test harness that plays the GitHub runner is itself tested: if it misread the runner
 * protocol or the secret scan could not find anything, the end-to-end tests would prove nothing.
 */
import { leakedSecrets } from '../../e2e/action/fixture';
import { inputVariable, parseFileCommands, readCommands, type StepResult } from '../../helpers/githubRunner';

describe('githubRunner', () => {
  it('names input variables as the runner does: upper case, spaces to _, hyphens kept', () => {
    expect(inputVariable('wait-timeout')).toBe('INPUT_WAIT-TIMEOUT');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });

  it('parses heredoc and key=value file commands, multi-line values included', () => {
    const text = [
      'targets<<ghadelimiter_1',
      '[{"vm":"web-01"},',
      '{"vm":"web-02"}]',
      'ghadelimiter_1',
      'port=22',
      'empty<<ghadelimiter_2',
      '',
      'ghadelimiter_2',
      '',
    ].join('\n');
    expect(parseFileCommands(text)).toEqual({
      targets: '[{"vm":"web-01"},\n{"vm":"web-02"}]',
      port: '22',
      empty: '',
    });
    expect(() => parseFileCommands('x<<ghadelimiter_3\nvalue\n')).toThrow('Unterminated');
  });

  it('masks registered secrets in the visible log and collects annotations', () => {
    const stdout = [
      '::add-mask::s3cr3t-value',
      'using s3cr3t-value now',
      '::error::failed for s3cr3t-value%0Anext line',
      '::debug::hidden unless step debug',
      '',
    ].join('\n');
    const read = readCommands(stdout);
    expect(read.masks).toEqual(['s3cr3t-value']);
    expect(read.log).toBe('using *** now\nerror: failed for ***\nnext line\n');
    expect(read.annotations).toEqual([
      { level: 'error', message: 'failed for s3cr3t-value\nnext line' },
      { level: 'debug', message: 'hidden unless step debug' },
    ]);
    expect(readCommands(stdout, true).log).toContain('debug: hidden unless step debug');
  });

  it('the secret scan finds a leaked secret or JWT anywhere a step writes, and nothing in a clean step', () => {
    const jwt =
      ['{"alg":"RS256"}', '{"sub":"x"}'].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';
    const clean = {
      stdoutWithoutMaskCommands: 'all good',
      stderr: '',
      stateFile: '',
      outputFile: '',
      summary: '',
    } as unknown as StepResult;
    expect(leakedSecrets(clean, ['client-secret-123'])).toEqual([]);
    for (const where of ['stdoutWithoutMaskCommands', 'stderr', 'stateFile', 'outputFile', 'summary']) {
      expect(leakedSecrets({ ...clean, [where]: 'x client-secret-123 y' }, ['client-secret-123'])).toEqual([
        'clie…',
      ]);
      expect(leakedSecrets({ ...clean, [where]: `token=${jwt}` }, [])).toHaveLength(1);
    }
  });
});
