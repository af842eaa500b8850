// A realistic run log for the dashboard's page: a handful of automations over
// six weeks with their own confidence profiles, failures, reviews, overrides,
// a backlog, evals and a model mismatch, written straight through the store
// (the page shows what is logged, not how). Deterministic.
import { openStore } from '../../dist/store/open.js';
import type { NewEvent } from '../../dist/index.js';

export interface Profile {
  id: string;
  tier: 1 | 2 | 3;
  runsPerDay: number;
  /** Confidence = mean ± spread, clipped to 0..1. */
  mean: number;
  spread: number;
  threshold: number;
  failRate: number;
  overrideRate: number;
  /** Reviews still open from the last `openDays` days. */
  openDays: number;
  /** Every n-th review is never resolved: an old backlog. */
  staleEvery?: number;
  /** Monthly reviews signed off (`review_completed`), by month offset from `until`'s month: -1 is the month before. */
  signedOff?: number[];
  mismatches?: number;
  suite?: { passRate: number };
}

const DAY = 86_400_000;

export async function writeRealisticLog(root: string, profiles: readonly Profile[], until: Date, days = 42): Promise<number> {
  const store = await openStore('sqlite:.aigov/runs.db', root);
  let seed = 42;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  let total = 0;
  try {
    for (const p of profiles) {
      const events: NewEvent[] = [];
      const start = until.getTime() - days * DAY;
      const n = p.runsPerDay * days;
      for (let i = 0; i < n; i++) {
        const t = start + (i / n) * days * DAY + rnd() * 3_600_000;
        const at = (min: number) => new Date(t + min * 60_000).toISOString();
        const runId = `${p.id}-${i}`;
        const base = { automation: p.id, runId, actor: 'svc' };
        events.push({ ...base, type: 'run_started', at: at(0), data: { tier: p.tier, triggeredBy: 'queue', inputSha256: 'x', prompt: { id: p.id, version: 1, sha256: 'x' }, model: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18' } } });
        if (i < (p.mismatches ?? 0)) events.push({ ...base, type: 'model_mismatch', at: at(0.5), data: { expected: 'openai:gpt-4o-mini-2024-07-18', returned: 'openai:gpt-4o-mini-2025-01-01' } });
        if (rnd() < p.failRate) {
          events.push({ ...base, type: 'run_failed', at: at(1), data: { error: { type: 'timeout', message: 'no answer in 60 s' }, durationMs: 60_000 } });
          continue;
        }
        // a slow drift down over the weeks, so the charts have a shape
        const confidence = Math.min(1, Math.max(0, p.mean - 0.04 * (i / n) + (rnd() + rnd() - 1) * p.spread));
        const disposition = confidence < p.threshold ? 'review' : p.tier === 1 ? 'approval_required' : 'auto';
        events.push({ ...base, type: 'run_finished', at: at(1), data: { output: 'ok', confidence, confidenceSource: 'logprobs', disposition, durationMs: 300 + Math.round(rnd() * 900), costUsd: 0.0004 + rnd() * 0.002, tokens: { input: 800, output: 20 } } });
        if (disposition === 'auto') continue;
        if (until.getTime() - t < p.openDays * DAY) continue; // still waiting
        if (p.staleEvery && i % p.staleEvery === 0) continue; // forgotten
        const decision = rnd() < p.overrideRate ? (rnd() < 0.5 ? 'override' : 'reject') : 'approve';
        events.push({ ...base, type: 'review_resolved', at: at(30 + rnd() * 600), data: { decision, reviewer: 'ann@example.com', reason: decision === 'approve' ? null : 'wrong', ...(decision === 'override' ? { output: 'fixed' } : {}) } });
      }
      if (p.suite) {
        events.push({ type: 'eval_completed', at: new Date(until.getTime() - 2 * DAY).toISOString(), data: { suite: p.id, prompt: { id: p.id, version: 1, sha256: 'x' }, model: 'openai:gpt-4o-mini-2024-07-18', mode: 'replay', passRate: p.suite.passRate, passed: p.suite.passRate === 1, cases: 40 } });
      }
      for (const offset of p.signedOff ?? []) {
        const d = new Date(until);
        const month = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
        events.push({ type: 'review_completed', automation: p.id, actor: 'board@example.com', at: new Date(until.getTime() - DAY).toISOString(), data: { month, by: 'board@example.com', flags: [] } });
      }
      events.sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!));
      await store.append(events);
      total += events.length;
    }
  } finally {
    await store.close();
  }
  return total;
}
