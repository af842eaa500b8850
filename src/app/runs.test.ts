// Reading the run log back, over a real SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Disposition, NewEvent } from '../core/log/events.js';
import { UsageError } from '../errors.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { listRuns, loadRun, runPages, runRow, trace } from './runs.js';

let root: string;
let store: Store;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'aigov-runs-'));
  store = await openStore('sqlite:.aigov/runs.db', root);
});
afterEach(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

interface RunSpec {
  id: string;
  automation?: string;
  at?: string;
  version?: number;
  end?: Disposition | 'failed' | null;
  confidence?: number | null;
}

/** The events the governor logs for one run (start, then finish or failure). */
function runEvents(r: RunSpec): NewEvent[] {
  const base = { automation: r.automation ?? 'inv', runId: r.id, actor: 'svc', at: r.at ?? '2026-11-24T09:00:00.000Z' };
  const out: NewEvent[] = [
    { ...base, type: 'run_started', data: { inputSha256: 'ab', triggeredBy: null, tier: 2, prompt: { id: 'p', version: r.version ?? 3, sha256: 'cd' }, model: { requested: 'openai:m', resolved: 'openai:m-2024-07-18' } } },
  ];
  const end = r.end === undefined ? 'auto' : r.end;
  if (end === 'failed') out.push({ ...base, type: 'run_failed', data: { error: { type: 'server', message: 'boom' }, durationMs: 7 } });
  else if (end) out.push({ ...base, type: 'run_finished', data: { output: 'x', confidence: r.confidence === undefined ? 0.9 : r.confidence, confidenceSource: 'logprobs', disposition: end, costUsd: 0.002, durationMs: 40, tokens: { input: 1, output: 1 } } });
  return out;
}

const log = (...runs: RunSpec[]) => store.append(runs.flatMap(runEvents));

describe('listRuns', () => {
  beforeEach(async () => {
    await log(
      { id: 'a', automation: 'inv', at: '2026-11-01T08:00:00.000Z', end: 'auto' },
      { id: 'b', automation: 'tickets', at: '2026-11-02T08:00:00.000Z', end: 'review', confidence: 0.4 },
      { id: 'c', automation: 'inv', at: '2026-11-03T08:00:00.000Z', end: 'failed' },
      { id: 'd', automation: 'inv', at: '2026-11-04T08:00:00.000Z', end: null, version: 4 },
      { id: 'e', automation: 'inv', at: '2026-11-05T08:00:00.000Z', end: 'review', confidence: null },
    );
    await store.append([{ type: 'review_resolved', automation: 'inv', runId: 'e', actor: 'ann', data: { decision: 'override', reviewer: 'ann', reason: 'r', output: 'y' } }]);
    await store.append([{ type: 'action_taken', automation: 'inv', runId: 'a', actor: 'svc', data: { impacts: [{ system: 'erp', ref: 'INV-1' }], notified: true } }]);
  });

  it('lists every run newest first, with its state', async () => {
    const rows = await listRuns(store, {});
    expect(rows.map((r) => [r.runId, r.status, r.disposition, r.decision])).toEqual([
      ['e', 'finished', 'review', 'override'],
      ['d', 'running', null, null],
      ['c', 'failed', null, null],
      ['b', 'finished', 'review', null],
      ['a', 'finished', 'auto', null],
    ]);
    expect(rows.find((r) => r.runId === 'a')).toEqual({
      runId: 'a',
      automation: 'inv',
      startedAt: '2026-11-01T08:00:00.000Z',
      status: 'finished',
      disposition: 'auto',
      decision: null,
      actionState: 'taken',
      promptVersion: 3,
      model: 'openai:m-2024-07-18',
      confidence: 0.9,
      costUsd: 0.002,
      durationMs: 40,
      impacts: ['erp:INV-1'],
    });
    expect(rows.find((r) => r.runId === 'c')).toMatchObject({ durationMs: 7, confidence: null, costUsd: null });
    expect(rows.find((r) => r.runId === 'd')).toMatchObject({ promptVersion: 4, durationMs: null });
  });

  it.each([
    ['automation', { automation: 'tickets' }, ['b']],
    ['since (inclusive)', { since: '2026-11-03T08:00:00.000Z' }, ['e', 'd', 'c']],
    ['disposition review', { disposition: 'review' as const }, ['e', 'b']],
    ['disposition auto', { disposition: 'auto' as const }, ['a']],
    ['disposition and automation', { disposition: 'review' as const, automation: 'inv' }, ['e']],
    ['limit', { limit: 2 }, ['e', 'd']],
    ['nothing matches', { automation: 'nope' }, []],
  ])('filters by %s', async (_n, filter, ids) => {
    expect((await listRuns(store, filter)).map((r) => r.runId)).toEqual(ids);
  });

  it('with a disposition, since still means when the run started', async () => {
    await log({ id: 'late', at: '2026-10-31T23:59:59.000Z', end: null });
    await store.append([{ type: 'run_finished', automation: 'inv', runId: 'late', at: '2026-11-06T00:00:00.000Z', data: { output: 'x', confidence: 0.1, confidenceSource: 'logprobs', disposition: 'review' } }]);
    expect((await listRuns(store, { since: '2026-11-01T00:00:00.000Z' })).map((r) => r.runId)).not.toContain('late');
    expect((await listRuns(store, { since: '2026-11-01T00:00:00.000Z', disposition: 'review' })).map((r) => r.runId)).not.toContain('late');
  });
});

describe('listRuns over many runs', () => {
  it('lists every run when more than a page share one timestamp', async () => {
    // One batch: every event at the same millisecond, as a busy service logs them.
    const runs = Array.from({ length: 520 }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, end: null }));
    await log(...runs);
    const rows = await listRuns(store, {});
    expect(rows).toHaveLength(520);
    expect(rows[0].runId).toBe('r519');
    expect(rows.at(-1)!.runId).toBe('r000');
  });

  it('finds the matching runs beyond the first page of a filtered query', async () => {
    const runs: RunSpec[] = Array.from({ length: 120 }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, end: i < 5 ? 'review' : 'auto' }));
    await log(...runs);
    expect((await listRuns(store, { disposition: 'review', limit: 2 })).map((r) => r.runId)).toEqual(['r004', 'r003']);
    expect(await listRuns(store, { disposition: 'review' })).toHaveLength(5);
  });

  it('lists each run once, in log order, when times run backwards', async () => {
    // Hosts' clocks differ: a later event may carry an earlier time.
    const runs: RunSpec[] = Array.from({ length: 120 }, (_, i) => ({
      id: `r${String(i).padStart(3, '0')}`,
      at: new Date(Date.UTC(2026, 10, 1) + (i % 7) * 1000).toISOString(),
      end: i % 2 === 0 ? 'review' : 'auto',
    }));
    await log(...runs);
    const want = runs.filter((r) => r.end === 'review').map((r) => r.id).reverse();
    expect((await listRuns(store, { disposition: 'review', limit: 55 })).map((r) => r.runId)).toEqual(want.slice(0, 55));
    expect((await listRuns(store, { disposition: 'review' })).map((r) => r.runId)).toEqual(want);
  });
});

describe('runs whose action never ended', () => {
  beforeEach(async () => {
    await log({ id: 'doubt', at: '2026-11-01T08:00:00.000Z' }, { id: 'done', at: '2026-11-01T09:00:00.000Z' }, { id: 'stuck', at: '2026-11-01T10:00:00.000Z', end: null });
    const impacts = [{ system: 'erp', ref: 'INV-7', action: 'book' }];
    await store.append([
      { type: 'action_started', automation: 'inv', runId: 'doubt', data: { impacts } },
      { type: 'action_started', automation: 'inv', runId: 'done', data: { impacts: [{ system: 'erp', ref: 'INV-8', action: 'book' }] } },
      { type: 'action_taken', automation: 'inv', runId: 'done', data: { impacts: [{ system: 'erp', ref: 'INV-8', action: 'book' }], notified: false } },
    ]);
  });

  it('lists a run killed between action_started and its outcome as in doubt, with its impacts', async () => {
    const rows = await listRuns(store, {});
    expect(rows.find((r) => r.runId === 'doubt')).toMatchObject({ actionState: 'in_doubt', impacts: ['erp:INV-7'] });
    expect(rows.find((r) => r.runId === 'done')).toMatchObject({ actionState: 'taken', impacts: ['erp:INV-8'] });
  });

  it('traces the record an action in doubt may have touched, and a started-then-taken touch once', async () => {
    expect((await trace(store, { system: 'erp', ref: 'INV-7' })).map((r) => [r.runId, r.action, r.actionState])).toEqual([['doubt', 'book', 'in_doubt']]);
    expect((await trace(store, { system: 'erp', ref: 'INV-8' })).map((r) => [r.runId, r.actionState])).toEqual([['done', 'taken']]);
    expect((await trace(store, { system: 'erp', limit: 1 })).map((r) => r.runId)).toEqual(['done']);
  });

  it('lists runs that started before a time and never finished', async () => {
    expect((await listRuns(store, { staleBefore: '2026-11-02T00:00:00.000Z' })).map((r) => r.runId)).toEqual(['stuck']);
    expect(await listRuns(store, { staleBefore: '2026-11-01T09:00:00.000Z' })).toEqual([]);
  });
});

describe('runPages', () => {
  it('streams every run a page at a time, newest first', async () => {
    await log(...Array.from({ length: 1200 }, (_, i) => ({ id: `r${String(i).padStart(4, '0')}`, end: null })));
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const page of runPages(store, {})) {
      sizes.push(page.length);
      ids.push(...page.map((r) => r.runId));
    }
    expect(sizes).toEqual([500, 500, 200]);
    expect(ids[0]).toBe('r1199');
    expect(new Set(ids).size).toBe(1200);
  });
});

describe('loadRun', () => {
  it('returns every event of a run in order, and refuses an unknown run', async () => {
    await log({ id: 'a' });
    await store.append([{ type: 'impact_tagged', automation: 'inv', runId: 'a', data: { system: 'erp', ref: 'X', action: null } }]);
    const { events, state } = await loadRun(store, 'a');
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'run_started'], [2, 'run_finished'], [3, 'impact_tagged']]);
    expect(state.disposition).toBe('auto');
    const err = await loadRun(store, 'zzz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ hint: expect.stringContaining('aigov runs') });
  });
});

describe('trace', () => {
  beforeEach(async () => {
    await log({ id: 'old', version: 2, at: '2026-11-01T08:00:00.000Z', end: 'auto' }, { id: 'new', version: 3, at: '2026-11-02T08:00:00.000Z', end: 'review' }, { id: 'other', automation: 'tickets' });
    const act = (runId: string, impacts: unknown[], at: string): NewEvent => ({ type: 'action_taken', automation: 'inv', runId, at, data: { impacts, notified: false } });
    await store.append([
      act('old', [{ system: 'erp', ref: 'INV-1', action: 'book' }, { system: 'crm', ref: 'C-1' }], '2026-11-01T08:01:00.000Z'),
      { type: 'review_resolved', automation: 'inv', runId: 'new', at: '2026-11-02T08:00:30.000Z', data: { decision: 'approve', reviewer: 'ann', reason: null } },
      act('new', [{ system: 'erp', ref: 'INV-2' }], '2026-11-02T08:01:00.000Z'),
      { type: 'impact_tagged', automation: 'inv', runId: 'old', at: '2026-11-03T08:00:00.000Z', data: { system: 'erp', ref: 'INV-2', action: 'credit note' } },
      act('other', [{ system: 'crm', ref: 'C-1' }], '2026-11-03T09:00:00.000Z'),
    ]);
  });

  it('lists every touch of a system newest first, with prompt version, model and disposition', async () => {
    const rows = await trace(store, { system: 'erp' });
    expect(rows.map((r) => [r.runId, r.ref, r.action, r.promptVersion, r.model, r.disposition, r.decision, r.at])).toEqual([
      ['old', 'INV-2', 'credit note', 2, 'openai:m-2024-07-18', 'auto', null, '2026-11-03T08:00:00.000Z'],
      ['new', 'INV-2', 'act', 3, 'openai:m-2024-07-18', 'review', 'approve', '2026-11-02T08:01:00.000Z'],
      ['old', 'INV-1', 'book', 2, 'openai:m-2024-07-18', 'auto', null, '2026-11-01T08:01:00.000Z'],
    ]);
  });

  it('narrows to one record, and to a limit', async () => {
    expect((await trace(store, { system: 'erp', ref: 'INV-2' })).map((r) => r.runId)).toEqual(['old', 'new']);
    expect((await trace(store, { system: 'crm', ref: 'C-1' })).map((r) => [r.runId, r.automation])).toEqual([['other', 'tickets'], ['old', 'inv']]);
    expect((await trace(store, { system: 'erp', limit: 1 })).map((r) => r.ref)).toEqual(['INV-2']);
    expect(await trace(store, { system: 'erp', ref: 'INV-404' })).toEqual([]);
    expect(await trace(store, { system: 'billing' })).toEqual([]);
  });

  it('shows an action that started and never ended as in doubt, and one that ended once, also under a limit', async () => {
    await log({ id: 'doubt', at: '2026-11-04T08:00:00.000Z' }, { id: 'done', at: '2026-11-04T09:00:00.000Z' });
    const started = (runId: string, ref: string): NewEvent => ({ type: 'action_started', automation: 'inv', runId, data: { impacts: [{ system: 'erp', ref }] } });
    await store.append([started('doubt', 'INV-7'), started('done', 'INV-8'), { type: 'action_taken', automation: 'inv', runId: 'done', data: { impacts: [{ system: 'erp', ref: 'INV-8' }] } }]);
    expect((await trace(store, { system: 'erp', limit: 2 })).map((r) => [r.runId, r.ref, r.inDoubt, r.actionState])).toEqual([
      ['done', 'INV-8', false, 'taken'],
      ['doubt', 'INV-7', true, 'in_doubt'],
    ]);
    expect((await trace(store, { system: 'erp', ref: 'INV-7' })).map((r) => r.runId)).toEqual(['doubt']);
  });
});

describe('action state', () => {
  const impacts = [{ system: 'erp', ref: 'INV-1' }];
  const data: Record<string, Record<string, unknown>> = {
    action_started: { impacts },
    action_taken: { impacts },
    action_failed: { error: { type: 'Error', message: 'erp down' } },
    revert_started: { by: 'ann', reason: 'wrong' },
    'action_reverted:ok': { by: 'ann', reason: 'wrong', result: { ok: true } },
    'action_reverted:failed': { by: 'ann', reason: 'wrong', result: { ok: false } },
  };
  it.each([
    ['none', [], null],
    ['taken', ['action_started', 'action_taken'], 'taken'],
    ['failed', ['action_started', 'action_failed'], 'failed'],
    ['in doubt', ['action_started'], 'in_doubt'],
    ['failed, then in doubt on a retry', ['action_started', 'action_failed', 'action_started'], 'in_doubt'],
    ['a revert that has not ended leaves it taken', ['action_started', 'action_taken', 'revert_started'], 'taken'],
    ['a revert that failed leaves it taken', ['action_started', 'action_taken', 'revert_started', 'action_reverted:failed'], 'taken'],
    ['reverted', ['action_started', 'action_taken', 'revert_started', 'action_reverted:ok'], 'reverted'],
    ['an action in doubt, reverted with --force', ['action_started', 'revert_started', 'action_reverted:ok'], 'reverted'],
  ] as const)('%s: the same from the events and from the runs table', async (_n, types, want) => {
    await log({ id: 'x' });
    for (const t of types) await store.append([{ type: t.split(':')[0] as NewEvent['type'], automation: 'inv', runId: 'x', data: data[t] }]);
    expect(runRow((await loadRun(store, 'x')).state).actionState).toBe(want);
    expect((await listRuns(store, {}))[0]).toMatchObject({ runId: 'x', actionState: want });
  });
});
