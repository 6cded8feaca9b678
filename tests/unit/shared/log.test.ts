import { sanitize } from '../../../shared/log';

describe('sanitize', () => {
  it.each<[string, string]>([
    ['web-01', 'web-01'],
    ['a\nb', 'a ⏎ b'],
    ['x\r\n::set-output name=host::evil', 'x ⏎ ::set-output name=host::evil'],
    ['::add-mask::secret', ' ::add-mask::secret'],
    ['##vso[task.setvariable variable=x]1', '#\u200b#vso[task.setvariable variable=x]1'],
    ['see ##[error]boom', 'see #\u200b#[error]boom'],
    ['\u001b[31mred', '�[31mred'],
    ['tab\tkept', 'tab\tkept'],
  ])('%j', (input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('never leaves a line that a runner would parse as a command', () => {
    const hostile =
      'ok\n::error::x\n##vso[task.complete result=Failed]\r##[warning]w\u2028::stop-commands::t';
    const out = sanitize(hostile);
    expect(out.split(/\r\n|\r|\n/)).toHaveLength(1);
    expect(out).not.toMatch(/^::|##vso\[|##\[/);
  });

  it('truncates', () => {
    expect(sanitize('x'.repeat(20), 5)).toBe('xxxxx…');
  });
});
