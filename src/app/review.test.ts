// The review queue over a real SQLite run log: decisions are appended, never applied in place.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Disposition, LoggedEvent } from '../core/log/events.js';
import { GateError, UsageError } from '../errors.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { verifyLog } from './log.js';
import { pendingReviews, resolveReview } from './review.js';

const NOW = new Date('2026-11-24T12:00:00.000Z');
let root: string;
let store: Store;
let n = 0;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'aigov-review-'));
  store = await openStore('sqlite:.aigov/runs.db', root);
});
afterEach(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

/** A run as the governor logs it; `disposition: null` leaves it running, 'failed' fails it. */
async function logRun(automation: string, disposition: Disposition | null | 'failed', output = 'travel'): Promise<string> {
  const runId = `run-${++n}`;
  const at = new Date(Date.UTC(2026, 10, 24, 9, 0, n)).toISOString();
  const base = { automation, runId, actor: 'svc', at };
  await store.append([{ ...base, type: 'run_started', data: { inputSha256: 'ab', triggeredBy: null, tier: 2, prompt: { id: 'p', version: 3, sha256: 'cd' }, model: { requested: 'openai:m', resolved: 'openai:m-1' } } }]);
  if (disposition === 'failed') await store.append([{ ...base, type: 'run_failed', data: { error: { type: 'server', message: 'x' }, durationMs: 5 } }]);
  else if (disposition) await store.append([{ ...base, type: 'run_finished', data: { output, confidence: 0.5, confidenceSource: 'logprobs', disposition, durationMs: 10, costUsd: 0.001, tokens: { input: 1, output: 1 } } }]);
  return runId;
}

const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };
const decide = (runId: string, d: Partial<Parameters<typeof resolveReview>[2]> & { decision: 'approve' | 'override' | 'reject' }) =>
  resolveReview(store, runId, { reviewer: 'ann@example.com', identity: IDENTITY, now: NOW, ...d });

const all = (): Promise<LoggedEvent[]> => store.query({ order: 'asc' });

describe('pendingReviews', () => {
  it('lists runs awaiting review or approval, oldest first, with their output', async () => {
    await logRun('inv', 'auto');
    const low = await logRun('inv', 'review', 'utilities');
    const tier1 = await logRun('tickets', 'approval_required', '{"category":"bug"}');
    await logRun('inv', 'failed');
    await logRun('inv', null);
    const decided = await logRun('inv', 'review');
    await decide(decided, { decision: 'approve' });

    const rows = await pendingReviews(store);
    expect(rows.map((r) => [r.runId, r.awaiting, r.output])).toEqual([
      [low, 'review', 'utilities'],
      [tier1, 'approval', '{"category":"bug"}'],
    ]);
    expect(rows[0]).toMatchObject({ automation: 'inv', status: 'finished', disposition: 'review', decision: null, promptVersion: 3, model: 'openai:m-1', confidence: 0.5 });
    expect((await pendingReviews(store, { automation: 'tickets' })).map((r) => r.runId)).toEqual([tier1]);
    expect(await pendingReviews(store, { automation: 'nothing' })).toEqual([]);
  });
});

describe('resolveReview', () => {
  it('approve: the reason is optional; the decision is a new event', async () => {
    const runId = await logRun('inv', 'approval_required');
    const before = await all();
    await decide(runId, { decision: 'approve' });
    const after = await all();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)).toMatchObject({
      type: 'review_resolved',
      automation: 'inv',
      runId,
      actor: 'ann@example.com',
      at: NOW.toISOString(),
      data: { decision: 'approve', reviewer: 'ann@example.com', reason: null, identity: IDENTITY },
    });
    expect(await pendingReviews(store)).toEqual([]);
  });

  it('override records the reason and the corrected output', async () => {
    const runId = await logRun('inv', 'review');
    await decide(runId, { decision: 'override', reason: 'a rail ticket', output: 'travel-rail' });
    expect((await all()).at(-1)!.data).toEqual({ decision: 'override', reviewer: 'ann@example.com', reason: 'a rail ticket', output: 'travel-rail', identity: IDENTITY });
  });

  it('reject records the reason', async () => {
    const runId = await logRun('inv', 'review');
    await decide(runId, { decision: 'reject', reason: 'not an invoice' });
    expect((await all()).at(-1)!.data).toEqual({ decision: 'reject', reviewer: 'ann@example.com', reason: 'not an invoice', identity: IDENTITY });
  });

  it.each([
    ['override without a reason', { decision: 'override', output: 'x' }, /reason is required to override/],
    ['override with a blank reason', { decision: 'override', reason: '  ', output: 'x' }, /reason is required to override/],
    ['override without the output', { decision: 'override', reason: 'why' }, /corrected output/],
    ['reject without a reason', { decision: 'reject' }, /reason is required to reject/],
    ['approve with an output', { decision: 'approve', output: 'x' }, /only with override/],
  ] as const)('refuses %s', async (_n, d, message) => {
    const runId = await logRun('inv', 'review');
    const count = (await all()).length;
    await expect(decide(runId, d)).rejects.toThrow(message);
    await expect(decide(runId, d)).rejects.toBeInstanceOf(UsageError);
    expect(await all()).toHaveLength(count);
  });

  it.each(['approve', 'override', 'reject'] as const)('refuses a second decision after %s', async (first) => {
    const runId = await logRun('inv', 'review');
    await decide(runId, { decision: first, reason: 'first', ...(first === 'override' ? { output: 'x' } : {}) });
    const count = (await all()).length;
    const err = await decide(runId, { decision: 'reject', reason: 'second thoughts' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateError);
    expect(err).toMatchObject({ code: 'E_ALREADY_RESOLVED', exitCode: 1 });
    expect((err as Error).message).toContain(`already resolved (${first} by ann@example.com)`);
    expect(await all()).toHaveLength(count);
  });

  it.each([
    ['a run that needed no review', 'auto', /not waiting for review \(disposition auto\)/],
    ['a failed run', 'failed', /has not finished/],
    ['a running run', null, /has not finished/],
  ] as const)('refuses %s', async (_n, disposition, message) => {
    const runId = await logRun('inv', disposition);
    await expect(decide(runId, { decision: 'approve' })).rejects.toThrow(message);
  });

  it('refuses an unknown run', async () => {
    await expect(decide('nope', { decision: 'approve' })).rejects.toThrow(/no run nope/);
  });

  it('keeps the chain intact', async () => {
    const a = await logRun('inv', 'review');
    const b = await logRun('inv', 'approval_required');
    await decide(a, { decision: 'override', reason: 'r', output: 'o' });
    await decide(b, { decision: 'approve', reason: 'fine' });
    expect(await verifyLog(store, root)).toMatchObject({ ok: true, events: 6 });
  });
});
