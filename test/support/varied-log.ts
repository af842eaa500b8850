// A run log with every case the statistics tell apart, for the tests that
// compare two ways of counting: three tiers, failures, abandoned and unfinished
// runs, model mismatches before and after the answer, reviews and approvals
// decided, undecided and decided twice, audits graded, actions with and
// without a reversal window, reverts in time, too late and failed, outcomes of
// runs never started, evals, sign-offs and tier changes, over ten weeks with
// times a little out of seq order. Deterministic.
import type { NewEvent } from '../../src/core/log/events.js';
import type { Store } from '../../src/store/types.js';
import { finishedData, startedData } from './events.js';

const DAY = 86_400_000;
const MIN = 60_000;

export const VARIED_AUTOMATIONS = ['inv', 'route', 'triage', 'gone'] as const;
export const VARIED_TIERS: Readonly<Record<string, number>> = { inv: 2, route: 3, triage: 1, gone: 2 };

/** Writes the log into `store`, its last run starting a little before `until`; returns the events written. */
export async function writeVariedLog(store: Store, until: Date, runs = 1500): Promise<number> {
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const start = until.getTime() - 70 * DAY;
  const events: NewEvent[] = [];
  for (let i = 0; i < runs; i++) {
    const automation = VARIED_AUTOMATIONS[i % VARIED_AUTOMATIONS.length];
    const tier = VARIED_TIERS[automation];
    const t = start + (i / runs) * 69 * DAY + rnd() * 6 * 3_600_000;
    const at = (min: number) => new Date(t + min * MIN).toISOString();
    const runId = `${automation}-${i}`;
    const base = { automation, runId, actor: 'svc' };
    const log = (type: NewEvent['type'], min: number, data: Record<string, unknown>) => events.push({ ...base, type, at: at(min), data } as NewEvent);
    if (i % 97 === 5) {
      // an outcome of a run whose start is not in the log
      log('run_finished', 1, finishedData());
      continue;
    }
    log('run_started', 0, startedData({ tier }));
    if (i % 23 === 0) log('model_mismatch', 0.5, { expected: 'openai:m-2024-07-18', returned: 'openai:m-2025-01-01' });
    const end = rnd();
    if (end < 0.04) {
      log('run_failed', 1, { error: { type: 'timeout', message: 'no answer' }, ...(i % 2 ? { durationMs: 60_000 } : {}) });
      continue;
    }
    if (end < 0.05) {
      log('run_abandoned', 600, { reason: 'stuck', by: 'ops@example.com' });
      continue;
    }
    if (end < 0.06 && t > until.getTime() - 3 * DAY) continue; // still running
    const confidence = i % 31 === 0 ? null : Math.min(1, Math.max(0, 0.3 + 0.7 * rnd()));
    const review = confidence === null || confidence < 0.7 || i % 23 === 0;
    const disposition = review ? 'review' : tier === 1 ? 'approval_required' : 'auto';
    const audit = disposition === 'auto' && i % 11 === 0;
    const finished: Record<string, unknown> = finishedData({ confidence, disposition, ...(audit ? { audit: true } : {}), costUsd: i % 13 === 0 ? null : 0.0004 + rnd() * 0.002 });
    finished.durationMs = i % 19 === 0 ? 0 : Math.round(200 + rnd() * 5000);
    if (i % 17 === 0) delete finished.durationMs;
    finished.tokens = { input: 300 + (i % 50), output: 2 + (i % 5) };
    if (i % 29 === 0) delete finished.tokens;
    log('run_finished', 1, finished);
    if (i % 41 === 0) log('model_mismatch', 2, { expected: 'openai:m-2024-07-18', returned: 'openai:m-2025-01-01' }); // after the answer: not counted
    let actionableAt = disposition === 'auto' ? 1 : null;
    if (disposition !== 'auto' && !(t > until.getTime() - 4 * DAY && i % 3 === 0) && i % 37 !== 0) {
      const decision = pick(['approve', 'approve', 'approve', 'override', 'reject'] as const);
      const when = 30 + rnd() * 3000;
      log('review_resolved', when, { decision, reviewer: 'ann@example.com', reason: decision === 'approve' ? null : 'wrong' });
      if (i % 43 === 0) log('review_resolved', when + 10, { decision: 'reject', reviewer: 'bob@example.com', reason: 'late' }); // a second decision: the first stands
      if (decision !== 'reject') actionableAt = when;
    }
    if (audit && i % 2 === 0) log('review_resolved', 200 + rnd() * 2000, { decision: pick(['approve', 'approve', 'override', 'reject'] as const), reviewer: 'ann@example.com', reason: null, audit: true });
    if (actionableAt !== null && tier !== 3 && i % 3 !== 2) {
      const acted = actionableAt + 2;
      const windowed = i % 5 !== 0;
      log('action_taken', acted, { impacts: [{ system: 'erp', ref: `INV-${i}` }], ...(tier === 2 && windowed ? { reversibleUntil: at(acted + 24 * 60) } : {}) });
      if (tier === 2 && i % 7 === 0) {
        const late = i % 3 === 0 ? 3 * 24 * 60 : i % 2 === 0 ? 9 * 24 * 60 : 60;
        log('action_reverted', acted + late, { by: 'ann@example.com', reason: 'booked twice', result: { ok: i % 49 !== 0, exitCode: i % 49 !== 0 ? 0 : 1 } });
      }
    }
  }
  for (let d = 0; d < 70; d += 9) {
    const at = new Date(start + d * DAY + 3_600_000).toISOString();
    events.push({ type: 'eval_completed', at, data: { suite: d % 2 ? 'inv' : 'route', prompt: { id: 'p', version: 3, sha256: d % 4 ? 'cd' : 'ab' }, model: 'openai:m-2024-07-18', mode: 'replay', passRate: 0.9 + d / 1000, passed: d % 3 !== 0, cases: 40 } });
  }
  const month = (offset: number) => new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
  events.push({ type: 'review_completed', automation: 'inv', actor: 'board@example.com', at: new Date(until.getTime() - 20 * DAY).toISOString(), data: { month: month(-1), by: 'board@example.com', flags: [] } });
  events.push({ type: 'tier_changed', automation: 'inv', actor: 'ops@example.com', at: new Date(until.getTime() - 25 * DAY).toISOString(), data: { from: 1, to: 2, by: 'ops@example.com' } });
  // Seq order is time order give or take an hour: hosts' clocks differ.
  events.sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!));
  for (let i = 0; i + 1 < events.length; i += 7) {
    if (Math.abs(Date.parse(events[i].at!) - Date.parse(events[i + 1].at!)) < 3_600_000 && events[i].runId !== events[i + 1].runId) [events[i], events[i + 1]] = [events[i + 1], events[i]];
  }
  for (let i = 0; i < events.length; i += 500) await store.append(events.slice(i, i + 500));
  return events.length;
}
