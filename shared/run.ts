/**
 * Orchestration entry points: the only functions front-ends call.
 * CONTRACT (front-ends code against this): neither function throws; each
 * reports through `platform` (setFailed / warning / summary) and resolves to
 * what happened as data (`outcome.ts`), so entry files only map it to an exit
 * code and the CLI renders it.
 */
import { sharedByRun } from './abort';
import { describeError, toJitError, type JitError } from './errors';
import type { FrontEnd } from './frontEnd';
import { openAccess } from './jit/mainFlow';
import { closeFromState } from './jit/postFlow';
import type { MainOutcome, PostOutcome } from './outcome';
import type { Platform } from './platform';
import { problemsOf } from './problems';
import type { RunOptions } from './runOptions';
import { STATE_KEY } from './state';
import type { MainSummary, PostSummary, Summary } from './summary';

export type { RunOptions } from './runOptions';

/** Opens JIT access and waits until it is live. State for post is saved as soon as a request is accepted. */
export async function runMain(options: RunOptions): Promise<MainOutcome> {
  if (options.signal) sharedByRun(options.signal);
  const seen = watch(options.platform);
  try {
    const done = await openAccess({ ...options, platform: seen.platform });
    return { ok: true, ...done, recorded: seen.recorded() };
  } catch (e) {
    const written = seen.summary();
    const summary = written?.kind === 'main' ? written : mainFailureSummary(e, options.platform.frontEnd);
    const error = await fail(options.platform, e, written ? undefined : summary);
    return { ok: false, error, summary, recorded: seen.recorded() };
  }
}

/** Closes what main opened, from the saved state. Missing state is a notice, not a failure. */
export async function runPost(options: RunOptions): Promise<PostOutcome> {
  if (options.signal) sharedByRun(options.signal);
  const seen = watch(options.platform);
  try {
    const done = await closeFromState({ ...options, platform: seen.platform });
    return { ok: true, ...done };
  } catch (e) {
    const written = seen.summary();
    const summary = written?.kind === 'post' ? written : postFailureSummary(e, options.platform.frontEnd);
    const error = await fail(options.platform, e, written ? undefined : summary);
    return { ok: false, error, summary };
  }
}

interface Watched {
  readonly platform: Platform;
  /** The last summary the step wrote, if any. */
  summary(): Summary | undefined;
  /** Whether the state last saved records a request. */
  recorded(): boolean;
}

/** Notes the summary and the state the step writes, so a failure still reports both. */
function watch(platform: Platform): Watched {
  let summary: Summary | undefined;
  let saved = '';
  const watched = new Proxy(platform, {
    get(target, property, receiver) {
      if (property === 'appendSummary')
        return (s: Summary) => {
          summary = s;
          return target.appendSummary(s);
        };
      if (property === 'saveState')
        return (key: typeof STATE_KEY, value: string) => {
          if (key === STATE_KEY) saved = value;
          target.saveState(key, value);
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { platform: watched, summary: () => summary, recorded: () => saved !== '' };
}

/** Marks the step failed (and writes `summary` when the step wrote none); never throws. */
async function fail(platform: Platform, e: unknown, summary: Summary | undefined): Promise<JitError> {
  const error = toJitError(e);
  try {
    if (summary) await platform.appendSummary(summary);
  } catch {
    // A summary that cannot be written must not hide the failure itself.
  }
  try {
    platform.setFailed(describeError(e, platform.frontEnd));
  } catch {
    // A broken adapter must not turn a failure into a crash.
  }
  return error;
}

function mainFailureSummary(e: unknown, fe: FrontEnd): MainSummary {
  return {
    kind: 'main',
    outcome: 'failed',
    at: new Date().toISOString(),
    rows: [],
    problems: problemsOf(e, fe),
  };
}

function postFailureSummary(e: unknown, fe: FrontEnd): PostSummary {
  const at = new Date().toISOString();
  return { kind: 'post', at, closed: [], remaining: [], problems: problemsOf(e, fe) };
}
