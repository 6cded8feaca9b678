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

describe('Terminal heartbeat while the core waits', () => {
  afterEach(() => jest.useRealTimers());

  function heartbeat(interactive: boolean) {
    jest.useFakeTimers();
    const out = new Buffer();
    const err = new Buffer();
    let now = 0;
    const t = new Terminal({
      stdout: out,
      stderr: err,
      json: false,
      verbose: false,
      interactive,
      now: () => now,
    });
    const advance = (ms: number): void => {
      now += ms;
      jest.advanceTimersByTime(ms);
    };
    return { t, out, advance };
  }

  it('in a log (CI), prints a line after a few quiet seconds, never while output flows', () => {
    const { t, out, advance } = heartbeat(false);
    t.startHeartbeat('waiting for Azure');
    for (let i = 0; i < 10; i++) {
      advance(1000);
      t.log('info', `poll ${i}`);
    }
    expect(out.text).not.toContain('still waiting');
    advance(3500);
    expect(out.text).toContain('... still waiting for Azure');
    t.stopHeartbeat();
    const before = out.text;
    advance(10_000);
    expect(out.text).toBe(before);
  });

  it('on a terminal, draws a spinner in place and clears it before the next line', () => {
    const { t, out, advance } = heartbeat(true);
    t.startHeartbeat('waiting for Azure');
    advance(1500);
    expect(out.text).toMatch(/\r[|/\\-] waiting for Azure \(1\.\ds\)/);
    t.log('info', 'Live: web-01');
    expect(out.text.endsWith('\r\u001b[K[  1.5s] Live: web-01\n')).toBe(true);
    t.stopHeartbeat();
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
