// `aigov revert RUN`: undo a tier-2 action inside its reversal window.
//
//   checks  ->  revert_started (conditional)  ->  reversal command  ->  action_reverted {result}
//
// `revert_started` is appended only if nothing changed the run's actions since
// it was read, so of two people reverting at once the reversal command runs
// for one; the other gets a ConflictError. A revert killed after
// `revert_started` leaves the revert in doubt: the command may have run.
import { AigovError, GateError, InterruptedError, UsageError } from '../errors.js';
import { parseDuration } from '../core/duration.js';
import type { EventType, LoggedEvent } from '../core/log/events.js';
import { impactsOf, newestSeq, type RunState } from '../core/log/run-state.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import type { RecordedIdentity } from './identity.js';
import { describeFailure, runJsonCommand, type CommandResult } from './run-command.js';
import { loadRun } from './runs.js';

/** What, logged since a revert read the run, makes its read stale. */
export const REVERT_WATCH: readonly EventType[] = ['action_started', 'action_taken', 'action_failed', 'revert_started', 'action_reverted'];

export interface RevertOptions {
  by: string;
  identity: RecordedIdentity;
  reason: string;
  now: Date;
  /**
   * Reverse even though it is not known whether the action happened (it is in
   * doubt) or whether an earlier reversal ran (that revert is in doubt). The
   * reversal command is told so (`inDoubt: true`) and must be safe to run then.
   */
  force?: boolean;
  /** Aborting kills the reversal command's process group; the attempt is recorded and InterruptedError thrown. */
  signal?: AbortSignal;
}

export async function revertRun(ws: Workspace, store: Store, runId: string, opts: RevertOptions): Promise<CommandResult> {
  if (!opts.reason?.trim()) throw new UsageError('a reason is required to revert', { hint: '--reason "…"' });
  const { events, state } = await loadRun(store, runId);
  const automation = ws.automations.get(state.automation ?? '')?.value;
  if (!automation) throw new UsageError(`run ${runId} belongs to automation "${state.automation}", which is not in this workspace`);
  const action = actionToRevert(state, opts.force === true);
  const until = action.data.reversibleUntil as string | undefined;
  if (!until || !automation.reversal) throw new GateError('E_NOT_REVERSIBLE', `run ${runId} was not a reversible (tier-2) action`);
  if (opts.now.getTime() > Date.parse(until)) throw new GateError('E_WINDOW_CLOSED', `the reversal window of run ${runId} closed at ${until}`, { hint: 'reverse it by hand in the downstream system and record why' });

  const inDoubt = action.type === 'action_started' || state.revertInDoubt !== undefined;
  const who = { by: opts.by, reason: opts.reason, identity: opts.identity };
  const base = { automation: automation.id, runId, actor: opts.by, at: opts.now.toISOString() };
  await store.append([{ ...base, type: 'revert_started', data: { ...who, inDoubt } }], { expect: { runId, types: REVERT_WATCH, lastSeq: newestSeq(events, runId, REVERT_WATCH) } });

  const payload = { runId, automation: automation.id, output: state.output, impacts: impactsOf(state), actedAt: action.at, reason: opts.reason, by: opts.by, inDoubt };
  const timeoutMs = automation.reversal.timeout ? parseDuration(automation.reversal.timeout) : undefined;
  const result = await runJsonCommand(automation.reversal.command, payload, { cwd: ws.root, timeoutMs, signal: opts.signal });
  // The attempt is recorded whether it worked or not: a failed reversal is evidence too.
  await store.append([{ ...base, type: 'action_reverted', data: { ...who, result } }]);
  if (result.interrupted) throw new InterruptedError(`interrupted: the reversal command of ${automation.id} was killed; the attempt is recorded`);
  if (!result.ok) throw new AigovError('E_REVERT_FAILED', `the reversal command of ${automation.id} failed (${describeFailure(result)})`, { exitCode: 3 });
  return result;
}

/** The action a revert undoes, or the reason there is none that may be reverted now. */
function actionToRevert(s: RunState, force: boolean): LoggedEvent {
  const id = s.runId;
  if (s.reverted.some((r) => (r.data.result as CommandResult | undefined)?.ok)) throw new GateError('E_ALREADY_REVERTED', `run ${id} was already reverted`);
  if (s.revertInDoubt && !force) {
    throw new GateError('E_IN_DOUBT', `a revert of run ${id} started at ${s.revertInDoubt.at} and has not recorded its result (it is still running, or its process died): the reversal command may have run`, {
      hint: `check the downstream system; \`aigov revert ${id} --force\` runs the reversal command again`,
    });
  }
  if (s.inDoubt) {
    if (!force) {
      throw new GateError('E_IN_DOUBT', `the action of run ${id} started at ${s.inDoubt.at} and has not recorded its end (it is still running, or its process died): it may or may not have happened`, {
        hint: `check the downstream system; \`aigov revert ${id} --force\` runs the reversal command anyway (it is told the action is in doubt)`,
      });
    }
    return s.inDoubt;
  }
  const taken = s.actions[s.actions.length - 1];
  if (taken) return taken;
  if (s.actionFailures.length > 0) throw new GateError('E_NOTHING_TO_REVERT', `the action of run ${id} failed (${failure(s.actionFailures.at(-1)!)}); there is nothing to revert`);
  throw new GateError('E_NOTHING_TO_REVERT', `run ${id} took no action; there is nothing to revert`);
}

function failure(e: LoggedEvent): string {
  const err = e.data.error as { message?: string } | undefined;
  return err?.message ? `it threw: ${err.message}` : 'it threw';
}
