// Every row accounted for, at the database itself: plain SQL cannot put a row
// outside the chain (seq 0 or below, a gap, a second row at a seq), nor an
// impacts or runs row no event explains, on SQLite and on PostgreSQL. Where an
// attacker first takes those guards away, no query reads the row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runState } from '../core/log/run-state.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { storeBackends, type Opened } from '../../test/support/stores.js';
import type { Store } from './types.js';

/** A raw INSERT of an event row at `seq`, as an attacker with SQL access writes it. */
const forged = (seq: number, type = 'review_resolved', data = '{"decision":"approve","reviewer":"mallory"}') =>
  `INSERT INTO events (seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash) VALUES (${seq}, 'forged-${seq}', 2, '${type}', '2026-01-01T00:00:00.000Z', 'inv', 'r1', 'mallory', '${data}', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`;

describe.each(storeBackends('store integrity', { thread: true }))('every row accounted for: $name', (backend) => {
  let opened: Opened;
  let store: Store;
  const sqlite = backend.dialect === 'sqlite';
  const dropTrigger = (name: string, table: string) => (sqlite ? `DROP TRIGGER ${name}` : `DROP TRIGGER ${name} ON ${table}`);
  // Takes the CHECK on seq away too: SQLite can only ignore it, PostgreSQL can drop it.
  const withoutSeqGuards = (sql: string) =>
    sqlite
      ? `${dropTrigger('events_next_seq', 'events')}; PRAGMA ignore_check_constraints = ON; ${sql}`
      : `${dropTrigger('events_next_seq', 'events')}; ALTER TABLE events DROP CONSTRAINT events_seq_check; ${sql}`;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    await store.append([
      { type: 'run_started', automation: 'inv', runId: 'r1', data: startedData() },
      { type: 'run_finished', automation: 'inv', runId: 'r1', data: finishedData({ disposition: 'review', confidence: 0.2 }) },
      { type: 'review_resolved', automation: 'inv', runId: 'r1', data: { decision: 'reject', reviewer: 'ann', reason: 'wrong' } },
      { type: 'action_taken', automation: 'inv', runId: 'r2', data: { impacts: [{ system: 'erp', ref: 'INV-1' }] } },
    ]);
  });
  afterEach(async () => {
    await store.close();
    await opened.cleanup();
  });

  it.each<[string, number]>([
    ['seq 0', 0],
    ['seq -1', -1],
    ['a gap (seq 6 after 4)', 6],
    ['a duplicate seq', 3],
    ['the next seq is the only one taken', 5],
  ])('the database refuses an event row at %s', async (what, seq) => {
    if (seq === 5) {
      await opened.raw(forged(5));
      expect((await opened.rows('SELECT count(*) AS n FROM events'))[0]).toEqual({ n: sqlite ? 5 : '5' });
      return;
    }
    await expect(opened.raw(forged(seq))).rejects.toThrow(/the run log takes only the next seq|duplicate|UNIQUE|PRIMARY/);
    expect(await store.head()).toMatchObject({ seq: 4 });
  });

  it.each([0, -1])('the CHECK still refuses seq %i with the seq trigger dropped', async (seq) => {
    await expect(opened.raw(`${dropTrigger('events_next_seq', 'events')}; ${forged(seq)}`)).rejects.toThrow(/check constraint|events_seq_check/i);
  });

  it('no query reads a row forged at seq -1 once every guard is gone: a rejected run stays rejected', async () => {
    await opened.raw(withoutSeqGuards(forged(-1)));
    expect((await opened.rows('SELECT seq FROM events WHERE seq < 1')).map((r) => Number(r.seq))).toEqual([-1]);
    const events = await store.query({ runId: 'r1' });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(runState('r1', events)).toMatchObject({ rejected: true });
    expect((await store.query({ types: ['review_resolved'] })).map((e) => e.seq)).toEqual([3]);
    const scanned: number[] = [];
    for await (const e of store.scan(-5)) scanned.push(e.seq);
    expect(scanned).toEqual([1, 2, 3, 4]);
  });

  it.each<[string, string, RegExp]>([
    ['an impacts row of no event', "INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (99, 'r2', 'inv', 'erp', 'INV-9', NULL)", /needs the event it comes from/],
    ['an impacts row naming another run', "INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (4, 'r1', 'inv', 'erp', 'INV-9', NULL)", /needs the event it comes from/],
    ['an impacts row at seq 0', "INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (0, 'r2', 'inv', 'erp', 'INV-9', NULL)", /needs the event it comes from|check/i],
    ['a runs row of no run', "INSERT INTO runs (run_id, first_seq, started_at, last_seq) VALUES ('ghost', 1, 'x', 1)", /needs the event it comes from/],
    ['a decision forged onto a runs row', "UPDATE runs SET decision = 'approve' WHERE run_id = 'r1'", /changes only with a newer event of its run/],
    ['a runs row moved to another run', "UPDATE runs SET run_id = 'r9', last_seq = 4 WHERE run_id = 'r1'", /changes only with a newer event of its run/],
    ['a runs row deleted', "DELETE FROM runs WHERE run_id = 'r1'", /append-only/],
    ['an impacts row deleted', 'DELETE FROM impacts', /append-only/],
  ])('the database refuses %s', async (_what, sql, message) => {
    await expect(opened.raw(sql)).rejects.toThrow(message);
    expect((await opened.rows("SELECT decision FROM runs WHERE run_id = 'r1'"))[0]).toEqual({ decision: 'reject' });
  });

  if (backend.dialect === 'postgres') {
    it('the database refuses TRUNCATE runs', async () => {
      await expect(opened.raw('TRUNCATE runs')).rejects.toThrow(/append-only/);
    });
  }

  it('writes each runs row in the transaction of its events', async () => {
    const [row] = await opened.rows("SELECT run_id, automation, first_seq, status, disposition, decision, awaiting, action, last_seq FROM runs WHERE run_id = 'r1'");
    expect({ ...row, first_seq: Number(row.first_seq), last_seq: Number(row.last_seq) }).toEqual({
      run_id: 'r1', automation: 'inv', first_seq: 1, status: 'finished', disposition: 'review', decision: 'reject', awaiting: null, action: null, last_seq: 3,
    });
    // A batch that fails writes no runs row either.
    await expect(store.append([{ type: 'run_started', runId: 'r3', data: startedData() }, { type: 'run_finished', runId: 'r3', data: { confidence: 'high' } }])).rejects.toThrow(/does not fit/);
    expect(await opened.rows("SELECT run_id FROM runs WHERE run_id = 'r3'")).toEqual([]);
  });
});
