import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../log/events.js';
import type { FoldEvent } from './events.js';
import { foldEvents } from './fold.js';
import { EVAL_FOLD_TYPES, RUN_FOLD_TYPES } from './inputs.js';
import { byDay } from './windows.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

/** A log of every kind of run, with every event type the library and the CLI write, in log order. */
function log(): FoldEvent[] {
  const out: FoldEvent[] = [];
  const ev = (type: string, runId: string | null, t: number, data: Record<string, unknown> = {}, automation: string | null = 'inv') => out.push({ type, at: at(t), automation, runId, data });
  for (let i = 0; i < 400; i++) {
    const id = `r${i}`;
    const t = i * 7;
    const tier = 1 + (i % 3);
    ev('run_started', id, t, { tier });
    if (i % 17 === 0) {
      ev('run_failed', id, t + 1, { durationMs: 5 });
      continue;
    }
    if (i % 23 === 0) {
      ev('run_abandoned', id, t + 900, { reason: 'x', by: 'ann' });
      continue;
    }
    if (i % 11 === 0) ev('model_mismatch', id, t + 1, { expected: 'a', returned: 'b' });
    const disposition = i % 5 === 0 ? 'review' : tier === 1 ? 'approval_required' : 'auto';
    ev('run_finished', id, t + 1, { confidence: (i % 10) / 10, disposition, durationMs: 100 + i, costUsd: 0.001, tokens: { input: 10, output: 2 }, audit: i % 13 === 0 });
    if (disposition !== 'auto' && i % 7 !== 0) ev('review_resolved', id, t + 3, { decision: ['approve', 'override', 'reject'][i % 3], reviewer: 'ann' });
    if (i % 13 === 0) ev('review_resolved', id, t + 4, { decision: 'approve', reviewer: 'ann', audit: true });
    ev('action_started', id, t + 5, { impacts: [{ system: 'erp' }] });
    ev('action_taken', id, t + 6, { impacts: [{ system: 'erp' }], reversibleUntil: at(t + 600) });
    ev('notification_sent', id, t + 6, { ok: true });
    ev('impact_tagged', id, t + 7, { system: 'erp', ref: `R${i}` });
    if (i % 9 === 0) {
      ev('revert_started', id, t + 8, { by: 'ann' });
      ev('action_reverted', id, t + 9, { by: 'ann', reason: 'x', result: { ok: true } });
    }
    if (i % 50 === 0) ev('eval_completed', null, t + 2, { suite: 's', passed: true, passRate: 1, prompt: { sha256: 'a' }, model: 'm', served: 'm' }, null);
    if (i % 100 === 0) ev('tier_changed', null, t + 2, { from: 1, to: 2, by: 'ann' }, 'inv');
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

describe('the fold’s inputs', () => {
  it('name only event types that exist', () => {
    for (const t of [...RUN_FOLD_TYPES, ...EVAL_FOLD_TYPES]) expect(EVENT_TYPES).toContain(t);
  });

  it('leaving every other event type out changes no figure', () => {
    const all = log();
    const wanted = new Set([...RUN_FOLD_TYPES, ...EVAL_FOLD_TYPES]);
    const kept = all.filter((e) => wanted.has(e.type as never));
    expect(kept.length).toBeLessThan(all.length);
    const asOf = at(400 * 7 + 1000);
    expect(foldEvents(kept, asOf, { windowOf: byDay })).toEqual(foldEvents(all, asOf, { windowOf: byDay }));
  });

  it('the run types alone give the run figures, the eval types alone the evals', () => {
    const all = log();
    const asOf = at(400 * 7 + 1000);
    const full = foldEvents(all, asOf);
    expect(foldEvents(all.filter((e) => RUN_FOLD_TYPES.includes(e.type as never)), asOf).automations).toEqual(full.automations);
    expect(foldEvents(all.filter((e) => EVAL_FOLD_TYPES.includes(e.type as never)), asOf).evals).toEqual(full.evals);
  });
});
