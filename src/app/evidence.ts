// Eval results and pins go into the run log: they are the evidence promotion reads.
import type { EvalReport } from '../core/eval/report.js';
import type { NewEvent } from '../core/log/events.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { openStore } from '../store/open.js';
import type { PinChange } from './pin.js';

export function evalEvents(report: EvalReport, git: { commit: string | null; dirty: boolean }, actor: string, at: string): NewEvent[] {
  return report.suites.map((s) => ({
    type: 'eval_completed' as const,
    actor,
    at,
    data: {
      suite: s.suite,
      prompt: { id: s.prompt.id, version: s.prompt.version, sha256: s.prompt.sha256 },
      model: s.model.resolved,
      passRate: s.totals.passRate,
      passed: s.totals.failed === 0 && s.totals.errors === 0,
      cases: s.totals.cases,
      commit: git.commit,
      dirty: git.dirty,
      mode: report.mode,
      unlocked: !s.model.locked,
      ...(report.shard ? { shard: report.shard } : {}),
    },
  }));
}

export function pinEvents(changes: readonly Pick<PinChange, 'name' | 'from' | 'to' | 'how'>[], by: string, at: string, evidence?: unknown): NewEvent[] {
  return changes.map((c) => ({ type: 'model_pinned' as const, actor: by, at, data: { name: c.name, from: c.from ?? null, to: c.to, by, evidence: evidence ?? { how: c.how } } }));
}

/** Appends to the workspace's run log; the caller decides what a failure to record means. */
export async function recordEvents(ws: Workspace, events: NewEvent[]): Promise<void> {
  if (!events.length) return;
  const store = await openStore(ws.config?.value.store, ws.root);
  try {
    await store.append(events);
  } finally {
    await store.close();
  }
}

