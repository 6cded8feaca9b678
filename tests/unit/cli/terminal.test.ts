import { markdownToText } from '../../../cli/markdown';
import { Terminal, type Writer } from '../../../cli/terminal';

class Buffer implements Writer {
  text = '';
  write(t: string): boolean {
    this.text += t;
    return true;
  }
}

function terminal(json = false, verbose = false) {
  const out = new Buffer();
  const err = new Buffer();
  let now = 0;
  const t = new Terminal({ stdout: out, stderr: err, json, verbose, interactive: false, now: () => now });
  return { t, out, err, advance: (ms: number) => (now += ms) };
}

describe('Terminal', () => {
  it('masks every registered secret in every line, also inside JSON', () => {
    const { t, out, err } = terminal();
    t.addSecret('s3cr3t-token-value');
    t.log('info', 'token is s3cr3t-token-value, twice s3cr3t-token-value');
    t.log('error', 'failed with s3cr3t-token-value');
    t.printJson({ token: 's3cr3t-token-value' });
    expect(out.text + err.text).not.toContain('s3cr3t');
    expect(out.text).toContain('token is ***, twice ***');
    expect(err.text).toContain('failed with ***');
  });

  it('with --json keeps stdout for the one JSON document', () => {
    const { t, out, err } = terminal(true);
    t.log('info', 'progress');
    t.print('summary');
    t.printJson({ ok: true });
    expect(JSON.parse(out.text)).toEqual({ ok: true });
    expect(err.text).toContain('progress');
    expect(err.text).toContain('summary');
  });

  it('prints debug lines only when verbose', () => {
    const quiet = terminal();
    quiet.t.log('debug', 'detail');
    expect(quiet.out.text + quiet.err.text).toBe('');
    const loud = terminal(false, true);
    loud.t.log('debug', 'detail');
    expect(loud.err.text).toContain('debug: detail');
  });

  it('prefixes lines with the elapsed time and indents groups', async () => {
    const { t, out, advance } = terminal();
    advance(1500);
    await t.group('Finding policies', () => {
      t.log('info', 'web-jit');
      return Promise.resolve();
    });
    expect(out.text).toContain('[  1.5s] Finding policies');
    expect(out.text).toContain('[  1.5s]   web-jit');
  });
});

describe('markdownToText', () => {
  it('aligns tables and drops Markdown marks', () => {
    const text = markdownToText(
      [
        '## JIT access',
        '',
        '| VM | host | port |',
        '|---|---|---|',
        '| `web-01` | **1.2.3.4** | 22 |',
        '| api-01 | 10.0.0.4 | 5985 |',
      ].join('\n'),
    );
    expect(text.split('\n')).toEqual([
      'JIT access',
      '----------',
      '',
      'VM      host      port',
      '------  --------  ----',
      'web-01  1.2.3.4   22',
      'api-01  10.0.0.4  5985',
    ]);
  });
});
