import { describe, expect, it } from 'vitest';
import { RUN_COLUMNS } from '../core/log/derived.js';
import { eventQuerySql, newEventId, rowToRun, runQuerySql, runRowValues, runUpsertParams } from './sql.js';

describe('newEventId', () => {
  it('is a UUIDv7 carrying the time, unique and growing with it', () => {
    const t = Date.UTC(2026, 10, 24, 10, 0, 0);
    const id = newEventId(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    const ids = Array.from({ length: 5000 }, (_, i) => newEventId(t + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100) expect(ids[i] > ids[i - 1]).toBe(true);
  });
});

describe('eventQuerySql', () => {
  it('numbers parameters in the dialect asked for', () => {
    expect(eventQuerySql({ automation: 'a', types: ['run_started', 'run_failed'], system: 'erp', ref: 'R', limit: 5 }, (n) => `$${n}`)).toEqual({
      sql:
        'SELECT seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM events' +
        ' WHERE seq >= 1 AND automation = $1 AND type IN ($2, $3) AND seq IN (SELECT seq FROM impacts WHERE seq >= 1 AND system = $4 AND ref = $5)' +
        ' ORDER BY seq ASC LIMIT $6',
      params: ['a', 'run_started', 'run_failed', 'erp', 'R', 5],
    });
  });
});

describe('runQuerySql', () => {
  it('reads runs newest first after a keyset cursor, through the filters asked for', () => {
    expect(runQuerySql({ automation: 'a', disposition: 'review', since: '2026-11-01' }, 120, 50, () => '?')).toEqual({
      sql: expect.stringMatching(/WHERE first_seq >= 1 AND automation = \? AND disposition = \? AND started_at >= \? AND first_seq < \? ORDER BY first_seq DESC LIMIT \?$/),
      params: ['a', 'review', '2026-11-01T00:00:00.000Z', 120, 50],
    });
    expect(runQuerySql({ awaiting: true, order: 'asc' }, null, 10, () => '?').sql).toMatch(/WHERE first_seq >= 1 AND awaiting IS NOT NULL ORDER BY first_seq ASC LIMIT \?$/);
    expect(runQuerySql({ runIds: [] }, null, 10, () => '?').sql).toMatch(/AND false/);
  });
});

describe('runUpsertParams', () => {
  it('gives run_id, a value and a mode per column', () => {
    const params = runUpsertParams({ runId: 'r1', ops: { automation: [2, 'inv'], lastSeq: [1, 9] } });
    const n = RUN_COLUMNS.length;
    expect(params).toHaveLength(1 + 2 * n);
    expect(params.slice(0, 3)).toEqual(['r1', 'inv', null]);
    expect(params[17]).toBe(9);
    expect(params.slice(1 + n, 3 + n)).toEqual([2, 0]);
    expect(params[n + 17]).toBe(1);
  });
});

describe('rowToRun', () => {
  it('reads back a runs row in table order, numbers from text too', () => {
    const run = {
      runId: 'r1', automation: 'inv', firstSeq: 3, startedAt: 't0', tier: 2, promptVersion: 4, model: 'openai:m', status: 'finished' as const, finishedAt: 't1',
      disposition: 'review' as const, confidence: 0.25, costUsd: 0.5, durationMs: 12, decision: 'approve', awaiting: null, audit: 'pending' as const, action: 'taken' as const, lastSeq: 9,
      startSeq: 3, endSeq: 5, ended: 'finished' as const, tokensIn: 100, tokensOut: 20, latencyBucket: 125, mismatchSeq: null, decisionSeq: 7, decisionAt: 't2',
      auditSeq: null, auditGrade: null, revertSeq: 9, revertAt: 't3', reversibleUntil: 't4',
    };
    expect(rowToRun(runRowValues(run))).toEqual(run);
    expect(rowToRun(runRowValues(run).map((v) => (typeof v === 'number' ? String(v) : v)))).toEqual(run);
  });
});
