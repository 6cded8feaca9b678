/**
 * The post step: read the state main saved, close what it opened, report.
 * Missing state = main opened nothing: a notice, success. Corrupt state: a
 * warning (JIT closes access at its end time anyway), success.
 */
import { nameFromId } from '../azure/resourceId';
import { signIn } from '../azure/signIn';
import { createAzureClients } from '../azure/clients';
import type { RunOptions } from '../runOptions';
import { STATE_KEY, parseState, type JitState } from '../state';
import type { PostResult } from '../outcome';
import type { CloseResult, ClosedRow, PostSummary, RemainingRow } from '../summary';
import { TimeoutError } from '../errors';
import { closeAccess, isCloseFailure, type CloseOutcome, type CloseReport } from './close';
import { withDeadline } from '../abort';
import { closeTiming } from './closeTiming';
import { cloudForPost } from './postCloud';

/** Bound for the whole post step: reads, deletes and their LRO polls. */
export const POST_DEADLINE_MS = 5 * 60_000;

/** What post hands back when it did not fail. */
export interface PostDone {
  readonly result: PostResult;
  readonly report?: CloseReport;
  readonly summary?: PostSummary;
}

export async function closeFromState(options: RunOptions): Promise<PostDone> {
  const { platform } = options;
  const parsed = parseState(platform.getState(STATE_KEY));
  if (!parsed.ok) {
    if (parsed.reason === 'missing') {
      platform.notice('Nothing to close: main did not open JIT access (no saved state).');
      return { result: 'nothing-to-close' };
    }
    platform.warning(
      `Cannot read the state main saved (${parsed.detail}); nothing was closed. Any JIT access this run opened closes by itself at its end time.`,
    );
    return { result: 'state-unreadable' };
  }
  const state = parsed.state;
  if (state.requests.length === 0) {
    platform.notice('Nothing to close: no JIT request was accepted in main.');
    platform.saveState(STATE_KEY, '');
    return { result: 'nothing-to-close' };
  }
  if (state.closeOnPost === 'none') {
    const setting = platform.frontEnd.setting('close-on-post', 'none');
    for (const line of openLines(state)) platform.notice(`${setting}: ${line}`);
    const summary: PostSummary = {
      kind: 'post',
      at: new Date().toISOString(),
      closed: [],
      remaining: remainingRows(state, setting),
    };
    await platform.appendSummary(summary);
    return { result: 'left-open', summary };
  }
  return closeSaved(options, state);
}

/** Signs in and closes what the state records, within POST_DEADLINE_MS. */
async function closeSaved(options: RunOptions, state: JitState): Promise<PostDone> {
  const { platform } = options;
  const deadline = withDeadline(
    options.signal,
    POST_DEADLINE_MS,
    () =>
      new TimeoutError(
        `Closing JIT access took longer than ${POST_DEADLINE_MS / 1000} s.`,
        `Access closes by itself at ${endTimes(state)}.`,
      ),
  );
  try {
    // From the inputs, never from the state (see postCloud.ts).
    const cloud = cloudForPost(platform, options.connect, state.cloud);
    const session = await signIn(options.connect, cloud, options.signal);
    platform.info(`Signed in with ${session.method} (cloud ${session.cloud.name}).`);
    const clients = createAzureClients(session, {
      ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const log = {
      info: (m: string) => platform.info(m),
      warning: (m: string) => platform.warning(m),
      debug: (m: string) => platform.debug(m),
    };
    const report = await platform.group('Close JIT access', () =>
      closeAccess(clients, state, log, deadline.signal, closeTiming()),
    );
    const summary = postSummary(state, report, clients.clock.now().toISOString());
    await platform.appendSummary(summary);
    // Cleared only when nothing of ours may remain, so a re-run can retry the rest.
    if (report.complete) platform.saveState(STATE_KEY, '');
    return { result: report.complete ? 'closed' : 'incomplete', report, summary };
  } catch (e) {
    platform.warning(
      `Closing failed; the JIT access this run opened closes by itself at ${endTimes(state)}.`,
    );
    throw e;
  } finally {
    deadline.dispose();
  }
}

function postSummary(state: JitState, report: CloseReport, at: string): PostSummary {
  const closed: ClosedRow[] = report.rules.map((r) => ({
    vm: r.vm,
    port: r.port,
    nsg: nameFromId(r.nsgId),
    rule: r.rule,
    result: RESULT[r.outcome],
  }));
  const remaining: RemainingRow[] = report.rules
    .filter((r) => isCloseFailure(r.outcome))
    .map((r) => ({
      vm: r.vm,
      port: r.port,
      until: endOf(state, r.vm),
      reason: r.detail ?? 'delete failed',
    }));
  return { kind: 'post', at, closed, remaining };
}

const RESULT: Record<CloseOutcome, CloseResult> = {
  deleted: 'deleted',
  'already-gone': 'already gone',
  'left-for-newer-request': 'kept: belongs to a newer request',
  // Not provably this run's: a user rule, another request's rule, an NSG off the VM's path.
  'left-not-ours': "kept: not this run's",
  'left-changed': "kept: not this run's",
  forbidden: 'failed',
  failed: 'failed',
};

function openLines(state: JitState): string[] {
  return state.requests.flatMap((r) =>
    r.vms.map(
      (v) =>
        `access to ${v.name} port(s) ${v.ports.join(', ')} from ${state.source.prefix ?? 'the caller address'} stays open until ${r.endTimeUtc}.`,
    ),
  );
}

function remainingRows(state: JitState, reason: string): RemainingRow[] {
  return state.requests.flatMap((r) => r.vms.map((v) => ({ vm: v.name, until: r.endTimeUtc, reason })));
}

function endOf(state: JitState, vm: string): string {
  return state.requests.find((r) => r.vms.some((v) => v.name === vm))?.endTimeUtc ?? endTimes(state);
}

function endTimes(state: JitState): string {
  return [...new Set(state.requests.map((r) => r.endTimeUtc))].join(', ');
}
