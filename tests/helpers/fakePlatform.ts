/**
 * In-memory Platform for tests: inputs come from a plain object (kebab names),
 * and everything the core does through the platform is recorded so tests can
 * assert outcomes: logs by level, secrets, outputs, state, summary, failure.
 *
 * Like the real runners, later log lines have registered secrets masked as
 * `***`; `leaks(secret)` checks the RAW text the core produced, before masking,
 * so a test catches a secret the core logged before registering it.
 */
import { GITHUB, type FrontEnd } from '../../shared/frontEnd';
import type { InputName } from '../../shared/inputs/table';
import type { OutputName } from '../../shared/outputs';
import type { Platform, RunMetadata, StateKey } from '../../shared/platform';
import type { Summary } from '../../shared/summary';
import { summaryMarkdown } from '../../shared/summaryMarkdown';

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error';

export interface LogEntry {
  readonly level: LogLevel;
  /** As a runner would show it (secrets masked). */
  readonly message: string;
  /** As the core wrote it. */
  readonly raw: string;
  /** Titles of the open groups, outermost first. */
  readonly groups: readonly string[];
}

export interface FakePlatformOptions {
  readonly inputs?: Partial<Record<InputName, string>>;
  readonly state?: Partial<Record<StateKey, string>>;
  readonly metadata?: Partial<RunMetadata>;
  /** Whose names messages use; GitHub's by default. */
  readonly frontEnd?: FrontEnd;
}

export const DEFAULT_METADATA: RunMetadata = {
  system: 'GitHub Actions',
  runUrl: 'https://github.com/contoso/webapp/actions/runs/4242',
  repository: 'contoso/webapp',
  commit: 'abc1234def5678abc1234def5678abc1234def56',
  actor: 'octocat',
  workflow: 'deploy',
};

export class FakePlatform implements Platform {
  readonly inputs: Partial<Record<InputName, string>>;
  readonly logs: LogEntry[] = [];
  readonly secrets: string[] = [];
  readonly outputs = new Map<OutputName, string>();
  readonly state = new Map<StateKey, string>();
  /** Every saveState call in order (state is saved early, then updated). */
  readonly stateWrites: { key: StateKey; value: string }[] = [];
  /** The summaries as GitHub would show them (Markdown). */
  readonly summaries: string[] = [];
  /** The summaries as the core handed them over. */
  readonly summaryData: Summary[] = [];
  readonly frontEnd: FrontEnd;
  readonly failures: string[] = [];
  readonly groupTitles: string[] = [];
  /** Every input name the core read, in order. */
  readonly inputReads: InputName[] = [];
  private readonly openGroups: string[] = [];
  private readonly metadata: RunMetadata;

  constructor(options: FakePlatformOptions = {}) {
    this.inputs = { ...options.inputs };
    for (const [k, v] of Object.entries(options.state ?? {})) this.state.set(k as StateKey, v);
    this.metadata = { ...DEFAULT_METADATA, ...options.metadata };
    this.frontEnd = options.frontEnd ?? GITHUB;
  }

  getInput(name: InputName): string {
    this.inputReads.push(name);
    return this.inputs[name] ?? '';
  }

  private log(level: LogLevel, raw: string): void {
    this.logs.push({ level, raw, message: this.mask(raw), groups: [...this.openGroups] });
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  notice(message: string): void {
    this.log('notice', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.groupTitles.push(title);
    this.openGroups.push(title);
    try {
      return await fn();
    } finally {
      this.openGroups.pop();
    }
  }

  setSecret(value: string): void {
    if (value !== '') this.secrets.push(value);
  }

  setOutput(name: OutputName, value: string): void {
    this.outputs.set(name, value);
  }

  saveState(key: StateKey, value: string): void {
    this.state.set(key, value);
    this.stateWrites.push({ key, value });
  }

  getState(key: StateKey): string {
    return this.state.get(key) ?? '';
  }

  appendSummary(summary: Summary): Promise<void> {
    this.summaryData.push(summary);
    this.summaries.push(summaryMarkdown(summary));
    return Promise.resolve();
  }

  setFailed(message: string): void {
    this.failures.push(message);
  }

  runMetadata(): RunMetadata {
    return this.metadata;
  }

  // -------------------------------------------------------------------------
  // assertions helpers

  /** Masked messages at one level (or all levels). */
  messages(level?: LogLevel): string[] {
    return this.logs.filter((l) => level === undefined || l.level === level).map((l) => l.message);
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** Every text the core produced through the platform, unmasked. */
  allRecordedText(): string[] {
    return [
      ...this.logs.map((l) => l.raw),
      ...[...this.outputs.values()],
      ...this.stateWrites.map((w) => w.value),
      ...this.summaries,
      ...this.failures,
      ...this.groupTitles,
    ];
  }

  /** Where `secret` appeared in logs, outputs, state, summary or failures (empty = no leak). */
  leaks(secret: string): string[] {
    if (secret === '') throw new Error('leaks() needs a non-empty secret');
    return this.allRecordedText().filter((t) => t.includes(secret));
  }

  private mask(text: string): string {
    return this.secrets.reduce((t, s) => t.split(s).join('***'), text);
  }
}

/** Throws with the places a secret leaked to; use as `expectNoLeak(platform, token)`. */
export function expectNoLeak(platform: FakePlatform, ...secrets: string[]): void {
  for (const secret of secrets) {
    const found = platform.leaks(secret);
    if (found.length > 0) {
      throw new Error(
        `secret leaked into ${found.length} recorded text(s):\n${found.map((f) => `  ${f.slice(0, 200)}`).join('\n')}`,
      );
    }
  }
}
