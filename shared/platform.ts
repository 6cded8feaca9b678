/**
 * The one seam between the core and a runner. Everything runner-specific goes
 * through here: the GitHub Action (`action/githubPlatform.ts`), the Azure DevOps
 * task (`task/adoPlatform.ts`), the CLI (`cli/terminalPlatform.ts`) and the
 * in-memory fake used by tests each implement it. The core never reads
 * `process.env` for inputs, never writes `::` or `##vso[` itself.
 */
import type { FrontEnd } from './frontEnd';
import type { InputName } from './inputs/table';
import type { OutputName } from './outputs';
import type { Summary } from './summary';

/** Who/what started this run: used for the default JIT justification. */
export interface RunMetadata {
  /** 'GitHub Actions', 'Azure Pipelines', 'CLI'. */
  readonly system: string;
  readonly runUrl?: string;
  readonly repository?: string;
  readonly commit?: string;
  readonly actor?: string;
  readonly workflow?: string;
}

/** Keys of the values main hands to post. One versioned JSON document today. */
export type StateKey = 'jit-state';

export interface Platform {
  /** How this front-end spells inputs and steps in messages (`frontEnd.ts`). */
  readonly frontEnd: FrontEnd;

  /** Raw value of a core input, '' when not set. The adapter maps the name to its own convention. */
  getInput(name: InputName): string;

  debug(message: string): void;
  info(message: string): void;
  /** A highlighted, non-failing message (GitHub notice annotation, ADO plain log). */
  notice(message: string): void;
  warning(message: string): void;
  /**
   * Optional: replaces the one transient status line (a terminal's updating line). Where it is
   * absent, the core logs the same progress as `info` lines every few seconds instead.
   */
  readonly status?: (text: string) => void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;

  /** Masks `value` in all later log output. Call it the moment a secret exists. */
  setSecret(value: string): void;
  setOutput(name: OutputName, value: string): void;

  saveState(key: StateKey, value: string): void;
  /** '' when main saved nothing (post runs always, even when main never ran). */
  getState(key: StateKey): string;

  /**
   * Adds the run's summary (data) to its summary page, rendered the front-end's way:
   * Markdown for the GitHub step summary and the ADO summary tab, a text table in a terminal.
   */
  appendSummary(summary: Summary): Promise<void>;

  /** Marks the step failed with a message that says what to do. Does not throw or exit. */
  setFailed(message: string): void;

  runMetadata(): RunMetadata;
}
