/**
 * Everything the CLI prints goes through here, so three rules hold everywhere:
 * secrets registered with `addSecret` are masked in every line, no text
 * (Azure's, an IP provider's, another principal's justification) reaches
 * stdout or stderr as a runner command when the CLI runs in a GitHub `run:` or
 * an Azure Pipelines script step, and with `--json` stdout carries exactly one
 * JSON document (logs go to stderr).
 */
import { neutralizeCommands } from '../shared';

export interface Writer {
  write(text: string): unknown;
}

export interface TerminalOptions {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly json: boolean;
  readonly verbose: boolean;
  /** Redraw a one-line status in place (a TTY) or print a line now and then (logs in CI). */
  readonly interactive: boolean;
  /**
   * ANSI escape codes allowed (a TTY without NO_COLOR, see `style.ts`). Without them the
   * status line is still redrawn on a TTY, with a carriage return and spaces.
   */
  readonly ansi?: boolean;
  readonly now?: () => number;
}

export type Level = 'debug' | 'info' | 'notice' | 'warning' | 'error';

const PREFIX: Record<Level, string> = {
  debug: 'debug: ',
  info: '',
  notice: 'note: ',
  warning: 'warning: ',
  error: 'error: ',
};

/**
 * In a log, how long without output before the heartbeat says we are still working (then again
 * after as long). Longer than the core's progress interval (10 s), so while the core reports
 * progress the heartbeat stays quiet, and only silent phases get a sign of life.
 */
const QUIET_MS = 12_000;
const TICK_MS = 250;
const SPINNER = ['|', '/', '-', '\\'];
const MASK = '***';

export class Terminal {
  private readonly secrets = new Set<string>();
  private readonly now: () => number;
  private readonly started: number;
  private lastOutput: number;
  private ticker: NodeJS.Timeout | undefined;
  private tickerLabel = '';
  private spinnerShown = 0;
  private status = '';
  private frame = 0;
  private indent = '';

  constructor(private readonly options: TerminalOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.lastOutput = this.started;
  }

  get json(): boolean {
    return this.options.json;
  }

  /** Progress goes on one updating line (a TTY, not --json) rather than into log lines. */
  get interactive(): boolean {
    return this.options.interactive && !this.options.json;
  }

  addSecret(value: string): void {
    // Very short values would mask innocent text everywhere; tokens and keys are long.
    if (value.trim().length >= 4) this.secrets.add(value);
  }

  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out;
  }

  log(level: Level, message: string): void {
    if (level === 'debug' && !this.options.verbose) return;
    // Logs never mix with the JSON document; warnings and errors always go to stderr.
    const toErr = this.options.json || level === 'warning' || level === 'error' || level === 'debug';
    const prefix = `${this.elapsed()} ${this.indent}${PREFIX[level]}`;
    // Continuation lines are indented under the first, so a multi-line error reads as one message.
    const pad = ' '.repeat(prefix.length);
    const lines = message.split('\n').map((line, i) => `${i === 0 ? prefix : pad}${line}`);
    this.emit(toErr ? this.options.stderr : this.options.stdout, `${lines.join('\n')}\n`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.log('info', `${title}`);
    const outer = this.indent;
    this.indent = `${outer}  `;
    try {
      return await fn();
    } finally {
      this.indent = outer;
    }
  }

  /** Plain text for humans: stdout, unless --json reserves stdout for the document. */
  print(text: string): void {
    this.emit(
      this.options.json ? this.options.stderr : this.options.stdout,
      text.endsWith('\n') ? text : `${text}\n`,
    );
  }

  /** A line on stderr without the elapsed-time prefix (command-line errors). */
  printError(text: string): void {
    this.emit(this.options.stderr, `${text}\n`);
  }

  /** The one JSON document of a --json run. */
  printJson(document: unknown): void {
    this.stopHeartbeat();
    const text = neutralizeCommands(this.mask(JSON.stringify(document, null, 2)), { json: true });
    this.options.stdout.write(`${text}\n`);
  }

  /**
   * While a long call runs, show that we are alive: a spinner on a TTY, a
   * line every few quiet seconds otherwise. The core's own progress lines
   * reset the quiet timer, so this only fills silences.
   */
  startHeartbeat(label: string): void {
    this.stopHeartbeat();
    this.tickerLabel = label;
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  stopHeartbeat(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.status = '';
    this.clearSpinner();
  }

  /** Detail for the status line (e.g. what the wait is waiting for); '' goes back to the label. */
  setStatus(text: string): void {
    this.status = text.split('\n')[0] ?? '';
  }

  private tick(): void {
    const quietFor = this.now() - this.lastOutput;
    if (this.options.interactive && !this.options.json) {
      if (quietFor < 1000) return;
      this.frame = (this.frame + 1) % SPINNER.length;
      const line = this.mask(
        `${SPINNER[this.frame] ?? '|'} ${this.status || this.tickerLabel} (${this.seconds()})`,
      );
      // Without ANSI, spaces blank what is left of a longer previous line.
      const pad = this.options.ansi ? '\u001b[K' : ' '.repeat(Math.max(0, this.spinnerShown - line.length));
      this.options.stdout.write(`\r${line}${pad}`);
      this.spinnerShown = line.length;
    } else if (quietFor >= QUIET_MS) {
      this.log('info', `... still ${this.tickerLabel}`);
    }
  }

  private clearSpinner(): void {
    if (this.spinnerShown === 0) return;
    this.options.stdout.write(this.options.ansi ? '\r\u001b[K' : `\r${' '.repeat(this.spinnerShown)}\r`);
    this.spinnerShown = 0;
  }

  private emit(writer: Writer, text: string): void {
    this.clearSpinner();
    writer.write(neutralizeCommands(this.mask(text)));
    this.lastOutput = this.now();
  }

  private seconds(): string {
    return `${((this.now() - this.started) / 1000).toFixed(1)}s`;
  }

  private elapsed(): string {
    return `[${this.seconds().padStart(6)}]`;
  }
}
