// `aigov revert RUN`: undo a tier-2 action inside its reversal window.
import { AigovError, GateError, UsageError } from '../errors.js';
import { impactsOf } from '../core/log/run-state.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { describeFailure, runJsonCommand, type CommandResult } from './run-command.js';
import { loadRun } from './runs.js';

export async function revertRun(ws: Workspace, store: Store, runId: string, opts: { by: string; reason: string; now: Date }): Promise<CommandResult> {
  if (!opts.reason?.trim()) throw new UsageError('a reason is required to revert', { hint: '--reason "…"' });
  const { state } = await loadRun(store, runId);
  const automation = ws.automations.get(state.automation ?? '')?.value;
  if (!automation) throw new UsageError(`run ${runId} belongs to automation "${state.automation}", which is not in this workspace`);
  const action = state.actions[state.actions.length - 1];
  if (!action) throw new GateError('E_NOTHING_TO_REVERT', `run ${runId} took no action; there is nothing to revert`);
  const until = action.data.reversibleUntil as string | undefined;
  if (!until || !automation.reversal) throw new GateError('E_NOT_REVERSIBLE', `run ${runId} was not a reversible (tier-2) action`);
  if (state.reverted.some((r) => (r.data.result as CommandResult | undefined)?.ok)) throw new GateError('E_ALREADY_REVERTED', `run ${runId} was already reverted`);
  if (opts.now.getTime() > Date.parse(until)) throw new GateError('E_WINDOW_CLOSED', `the reversal window of run ${runId} closed at ${until}`, { hint: 'reverse it by hand in the downstream system and record why' });
  const payload = { runId, automation: automation.id, output: state.output, impacts: impactsOf(state), actedAt: action.at, reason: opts.reason, by: opts.by };
  const result = await runJsonCommand(automation.reversal.command, payload, { cwd: ws.root });
  // The attempt is recorded whether it worked or not: a failed reversal is evidence too.
  await store.append([{ type: 'action_reverted', automation: automation.id, runId, actor: opts.by, at: opts.now.toISOString(), data: { by: opts.by, reason: opts.reason, result } }]);
  if (!result.ok) throw new AigovError('E_REVERT_FAILED', `the reversal command of ${automation.id} failed (${describeFailure(result)})`, { exitCode: 3 });
  return result;
}
