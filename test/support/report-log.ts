// A run-log writer for the report's and the dashboard's tests: each helper
// returns the events the library would append for one run. Test support only.
import type { FoldEvent } from '../../src/core/stats/events.js';
import type { AutomationInfo } from '../../src/core/report/automation-info.js';

export interface RunSpec {
  id: string;
  at: string;
  automation?: string;
  tier?: number;
  confidence?: number | null;
  disposition?: 'auto' | 'review' | 'approval_required';
  failed?: boolean;
  decision?: 'approve' | 'override' | 'reject' | null;
  /** Minutes after the start the decision comes. */
  decidedAfter?: number;
  mismatch?: boolean;
  costUsd?: number;
}

export function runEvents(r: RunSpec): FoldEvent[] {
  const automation = r.automation ?? 'inv';
  const t = Date.parse(r.at);
  const at = (min: number) => new Date(t + min * 60_000).toISOString();
  const ev = (type: string, min: number, data: Record<string, unknown>): FoldEvent => ({ type, at: at(min), automation, runId: r.id, data });
  const out = [ev('run_started', 0, { tier: r.tier ?? 1, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'fast', resolved: 'openai:m' } })];
  if (r.mismatch) out.push(ev('model_mismatch', 1, { expected: 'a', returned: 'b' }));
  if (r.failed) return [...out, ev('run_failed', 1, { error: { type: 'server', message: 'x' }, durationMs: 10 })];
  const disposition = r.disposition ?? 'approval_required';
  out.push(ev('run_finished', 1, { output: 'x', confidence: r.confidence === undefined ? 0.9 : r.confidence, disposition, durationMs: 100, costUsd: r.costUsd ?? 0.01, tokens: { input: 10, output: 1 } }));
  const decision = r.decision === undefined ? (disposition === 'auto' ? null : 'approve') : r.decision;
  if (decision) out.push(ev('review_resolved', r.decidedAfter ?? 30, { decision, reviewer: 'ann', reason: 'x' }));
  return out;
}

export function info(id: string, over: Partial<AutomationInfo> = {}): AutomationInfo {
  return {
    id,
    name: id,
    owner: 'ops@example.com',
    tier: 1,
    fileTier: 1,
    cadence: 'monthly',
    suites: [],
    evalTarget: null,
    drift: [],
    tierDrift: false,
    gateFacts: { owner: 'ops@example.com', governance: undefined, lockDrift: [], reversal: true, notify: true },
    ...over,
  };
}
