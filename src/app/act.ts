// `gov.act`: acting on a run as a transaction in the run log.
//
//   checks (state, tier, impacts)  ->  action_started  ->  fn  ->  action_taken | action_failed  ->  notify  ->  notification_sent
//
// Everything that can be refused is refused before `action_started`, and
// `action_started` is a conditional append: of two callers acting on one run
// at once, the store lets one write and the other gets a ConflictError, so
// `fn` runs once. A process killed after `action_started` leaves the run *in
// doubt*: its impacts are in the trace, and no later act runs it again.
import { TierError, UsageError } from '../errors.js';
import { parseDuration } from '../core/duration.js';
import type { EventType, Impact, NewEvent } from '../core/log/events.js';
import { actRefusal, runTier, TIER_ACTS } from '../core/tiers/act.js';
import { newestSeq, runState, type RunState } from '../core/log/run-state.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { checkImpacts } from './impacts.js';
import { describeFailure, runJsonCommand } from './run-command.js';

/** What, logged since an act read the run, makes its read stale. */
export const ACT_WATCH: readonly EventType[] = ['review_resolved', 'action_started', 'action_taken', 'action_failed', 'revert_started', 'action_reverted', 'run_abandoned'];

export interface ActContext {
  store: Store;
  workspace: Workspace;
  actor: string;
  now: () => Date;
  warn: (message: string) => void;
}

export async function actOn<T>(c: ActContext, runId: string, fn: (output: unknown) => T | Promise<T>, opts: { impacts: readonly Impact[] }): Promise<T> {
  if (typeof fn !== 'function') throw new UsageError('act needs the action as a function: gov.act(run, (output) => …, { impacts })');
  const events = await c.store.query({ runId, order: 'asc' });
  const state = runState(runId, events);
  refuseUnlessActable(state);
  const automation = c.workspace.automations.get(state.automation ?? '')?.value;
  if (!automation) throw new UsageError(`run ${runId} belongs to automation "${state.automation}", which is not in this workspace`);
  // Copied as checked: what the log says was touched is what was checked, whatever the caller does with its array.
  const impacts = checkImpacts(automation.id, automation.downstream, opts?.impacts);
  const acts = TIER_ACTS[runTier(state)];
  const reversibleUntil = acts.reversible && automation.reversal ? new Date(c.now().getTime() + parseDuration(automation.reversal.window)).toISOString() : undefined;
  const base = { automation: automation.id, runId, actor: c.actor };
  const window = reversibleUntil ? { reversibleUntil } : {};
  await append(c, [{ ...base, type: 'action_started', data: { impacts, ...window } }], { runId, types: ACT_WATCH, lastSeq: newestSeq(events, runId, ACT_WATCH) });

  // What a reviewer overrode is what gets acted on.
  const output = state.output;
  const isJson = c.workspace.prompts.get(automation.prompt)?.value.output.type === 'json';
  let result: T;
  try {
    result = await fn(isJson && typeof output === 'string' ? parseOrText(output) : output);
  } catch (err) {
    try {
      await append(c, [{ ...base, type: 'action_failed', data: { error: errorOf(err) } }]);
    } catch (logErr) {
      // The caller gets its own error; the run stays in doubt, which is the truth the log can tell.
      c.warn(`${automation.id}: run ${runId} could not record that its action failed (${(logErr as Error).message}); it stays in doubt`);
    }
    throw err;
  }
  await append(c, [{ ...base, type: 'action_taken', data: { impacts, ...window } }]);

  if (acts.notifies && automation.notify) {
    const notice = await runJsonCommand(
      automation.notify.command,
      { automation: automation.id, runId, impacts, output, reversibleUntil },
      { cwd: c.workspace.root, timeoutMs: automation.notify.timeout ? parseDuration(automation.notify.timeout) : undefined },
    );
    const error = notice.ok ? null : describeFailure(notice);
    await append(c, [{ ...base, type: 'notification_sent', data: { ok: notice.ok, error } }]);
    if (error) c.warn(`${automation.id}: the notify command failed (${error})`);
  }
  return result;
}

function refuseUnlessActable(s: RunState): void {
  const no = actRefusal(s);
  if (!no) return;
  if (no.kind === 'usage') throw new UsageError(no.message, no.hint ? { hint: no.hint } : {});
  throw new TierError(no.code, no.message, no.hint ? { hint: no.hint } : {});
}

async function append(c: ActContext, events: NewEvent[], expect?: { runId: string; types: readonly EventType[]; lastSeq: number | null }): Promise<void> {
  const at = c.now().toISOString();
  await c.store.append(
    events.map((e) => ({ ...e, at })),
    expect ? { expect } : undefined,
  );
}

export function errorOf(err: unknown): { type: string; message: string } {
  return { type: err instanceof Error ? err.name : 'error', message: err instanceof Error ? err.message : String(err) };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
