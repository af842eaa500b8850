// Eval results and pins go into the run log: they are the evidence promotion reads.
import { suitePassed, type EvalReport, type SuiteResult } from '../core/eval/report.js';
import type { NewEvent } from '../core/log/events.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import type { StoreOpener } from './context.js';
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
      served: servedBy(s),
      passRate: s.totals.passRate,
      passed: suitePassed(s),
      cases: s.totals.cases,
      commit: git.commit,
      dirty: git.dirty,
      mode: report.mode,
      unlocked: !s.model.locked,
      ...(report.shard ? { shard: report.shard } : {}),
    },
  }));
}

/**
 * The model the suite's answers reported: the one id when they agree, the first that is not
 * the lock's `served` when they do not (the suite then did not pass), null when none was reported.
 */
export function servedBy(s: Pick<SuiteResult, 'model'>): string | null {
  const returned = s.model.returned ?? [];
  if (returned.length <= 1) return returned[0] ?? null;
  return returned.find((r) => r !== s.model.served) ?? returned[0];
}

export function pinEvents(changes: readonly (Pick<PinChange, 'name' | 'from' | 'to' | 'how'> & { served?: string | null })[], by: string, at: string, evidence?: unknown): NewEvent[] {
  return changes.map((c) => ({
    type: 'model_pinned' as const,
    actor: by,
    at,
    data: { name: c.name, from: c.from ?? null, to: c.to, served: c.served ?? null, by, evidence: evidence ?? { how: c.how } },
  }));
}

/** Appends to `store`, or to the workspace's run log (opened and closed here); the caller decides what a failure to record means. */
export async function recordEvents(ws: Workspace, events: NewEvent[], store?: Store, open: StoreOpener = openStore): Promise<void> {
  if (!events.length) return;
  if (store) {
    await store.append(events);
    return;
  }
  const own = await open(ws.config?.value.store, ws.root);
  try {
    await own.append(events);
  } finally {
    await own.close();
  }
}

