import { summaryText } from '../../../cli/summaryText';
import { SAMPLE_MAIN, SAMPLE_POST } from '../../helpers/sampleSummaries';
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

  function heartbeat(interactive: boolean, ansi = interactive) {
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
      ansi,
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
    advance(12_500);
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

  it('on a terminal, shows the status the core sets, with the elapsed time', () => {
    const { t, out, advance } = heartbeat(true);
    t.startHeartbeat('waiting for Azure');
    t.setStatus('web-01: waiting for the allow rule in web-01-nsg (NIC), 2 s of 300 s');
    advance(2000);
    expect(out.text).toMatch(
      /\r[|/\\-] web-01: waiting for the allow rule in web-01-nsg \(NIC\), 2 s of 300 s \(2\.\ds\)/,
    );
    expect(out.text.endsWith('\u001b[K')).toBe(true);
    t.stopHeartbeat();
  });

  it('with NO_COLOR on a terminal, redraws the status line without any escape code', () => {
    const { t, out, advance } = heartbeat(true, false);
    t.startHeartbeat('waiting for a long label');
    advance(1500);
    t.setStatus('short');
    advance(500);
    t.log('info', 'Live: web-01');
    t.stopHeartbeat();
    expect(out.text).not.toContain('\u001b');
    expect(out.text).toMatch(/\r[|/\\-] short \(2\.\ds\) {8,}/);
    expect(out.text).toContain('[  2.0s] Live: web-01\n');
  });
});

describe('summaryText', () => {
  it('prints outside text as it is: web_01 stays web_01, no Markdown escapes or marks', () => {
    const text = summaryText(SAMPLE_MAIN);
    expect(text).toContain('web_01');
    expect(text).not.toMatch(/\\[_*|]|\*\*|<br>|`/);
    expect(text.split('\n').slice(0, 2)).toEqual(['JIT access is open', '------------------']);
    expect(text).toMatch(
      /web_01 +default +203\.0\.113\.10 +20\.50\.10\.4:22 +2026-12-02 20:15 UTC \(in 15 min\) +6\.3 s/,
    );
  });

  it('titles post "JIT access closed" with short rule names', () => {
    const text = summaryText(SAMPLE_POST);
    expect(text.startsWith('JIT access closed\n')).toBe(true);
    expect(text).toContain('JITRule-…A0C370');
    expect(text).not.toContain('8C18BF8921F041989344B4F1E3A0C370');
  });
});
