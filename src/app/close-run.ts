// `aigov runs close RUN --reason …`: a person ends a run that started and never
// finished (its process died, a deploy cut it off), so it stops looking alive.
import { GateError, UsageError } from '../errors.js';
import { RUN_ENDS } from '../core/log/run-state.js';
import type { Store } from '../store/types.js';
import type { RecordedIdentity } from './identity.js';
import { loadRun } from './runs.js';

export async function closeRun(store: Store, runId: string, opts: { by: string; identity: RecordedIdentity; reason: string; now: Date }): Promise<void> {
  if (!opts.reason?.trim()) throw new UsageError('a reason is required to close a run', { hint: '--reason "…"' });
  const { state } = await loadRun(store, runId);
  if (!state.started) throw new UsageError(`run ${runId} has no run_started event; there is no run to close`);
  const end = state.finished ?? state.failed ?? state.abandoned;
  if (end) {
    const how = end.type === 'run_finished' ? 'finished' : end.type === 'run_failed' ? 'failed' : `was closed by ${String(end.data.by)}`;
    throw new GateError('E_RUN_ENDED', `run ${runId} ${how} at ${end.at}; only a run that never finished can be closed`);
  }
  // Conditional: should the run finish while this is decided, the finish stands and the close is refused.
  await store.append(
    [{ type: 'run_abandoned', automation: state.automation, runId, actor: opts.by, at: opts.now.toISOString(), data: { reason: opts.reason, by: opts.by, identity: opts.identity } }],
    { expect: { runId, types: RUN_ENDS, lastSeq: null } },
  );
}
