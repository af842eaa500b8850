// A long SQLite log is verified in ranges of seqs on several threads, each
// with its own connection. That must find exactly what one pass on this thread
// finds: here the same log, intact and after each kind of tampering, verified
// both ways, with ranges so short that runs, their rows and their impacts
// cross from one range into the next.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { sealLog, verifyLog } from './log.js';

const DB = '.aigov/runs.db';
const TRIGGERS = ['events_no_update', 'events_no_delete', 'events_next_seq', 'impacts_no_update', 'impacts_no_delete', 'impacts_of_event', 'runs_no_delete', 'runs_of_event', 'runs_follow_events'];

/** 12 runs, interleaved: each starts, later finishes, some act, some are reviewed long after. */
function theLog(): NewEvent[][] {
  const batches: NewEvent[][] = [];
  const run = (n: number) => ({ automation: n % 3 === 0 ? 'inv' : 'crm', runId: `r${n}` });
  for (let n = 0; n < 12; n++) {
    batches.push([{ type: 'run_started', ...run(n), data: startedData({ n }) }]);
    if (n >= 2) batches.push([{ type: 'run_finished', ...run(n - 2), data: finishedData({ disposition: (n - 2) % 4 === 0 ? 'review' : 'auto', confidence: 0.5 }) }]);
    if (n % 5 === 4) batches.push([{ type: 'eval_completed', data: { suite: 'inv', passRate: 1 } }]);
  }
  batches.push([{ type: 'run_finished', ...run(10), data: finishedData() }, { type: 'run_finished', ...run(11), data: finishedData() }]);
  for (const n of [1, 2, 3, 5, 6, 7, 9, 10, 11]) {
    const impacts = [{ system: 'erp', ref: `INV-${n}`, action: 'book' }, ...(n % 2 ? [{ system: 'crm', ref: `C-${n}`, action: null }] : [])];
    batches.push([{ type: 'action_started', ...run(n), data: { impacts } }]);
    if (n !== 7) batches.push([{ type: 'action_taken', ...run(n), data: { impacts, notified: true } }]);
  }
  batches.push([{ type: 'impact_tagged', ...run(3), data: { system: 'crm', ref: 'C-3', action: 'note' } }]);
  for (const n of [0, 4, 8]) batches.push([{ type: 'review_resolved', ...run(n), data: { decision: n === 4 ? 'reject' : 'approve', reviewer: 'ann', reason: null } }]);
  batches.push([{ type: 'run_started', automation: 'inv', runId: 'open', data: startedData() }]);
  return batches;
}

describe('log verify in ranges on threads', () => {
  let root: string;
  let store: Store;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'aigov-ranges-'));
    store = await openStore(`sqlite:${DB}`, root);
    for (const batch of theLog()) await store.append(batch);
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  function tamper(sql: string): void {
    const db = new Database(join(root, DB));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  }
  const dropAll = TRIGGERS.map((t) => `DROP TRIGGER ${t};`).join(' ');

  /** Verified on this thread and on 2 and 5 threads: the same result each time, which it returns. */
  async function bothWays() {
    await store.close();
    store = await openStore(`sqlite:${DB}`, root);
    const one = await verifyLog(store, root, { threads: 1 });
    for (const threads of [2, 5]) {
      expect(await verifyLog(store, root, { threads })).toEqual(one);
    }
    return one;
  }

  it('finds an intact log intact, every row counted, on every number of threads', async () => {
    const v = await bothWays();
    expect(v).toMatchObject({ ok: true, rows: { problems: [], more: 0 } });
    expect(v.events).toBeGreaterThan(40);
    expect(v.rows!.runs).toBe(13);
  });

  it.each<[string, string]>([
    ['deleted impacts rows', `${dropAll} DELETE FROM impacts WHERE system = 'crm'`],
    ['an impacts row no event names, inside and past the chain', `${dropAll} PRAGMA ignore_check_constraints = ON; INSERT INTO impacts VALUES (5, 'r1', 'crm', 'erp', 'X', NULL), (999, 'r1', 'crm', 'erp', 'Y', NULL), (-3, NULL, NULL, 'erp', 'Z', NULL)`],
    ['a forged row at seq -1', `${dropAll} PRAGMA ignore_check_constraints = ON; INSERT INTO events VALUES (-1, 'forged', 2, 'review_resolved', '2026-01-01T00:00:00.000Z', 'inv', 'r1', 'm', '{"decision":"approve","reviewer":"m"}', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`],
    ['a runs row edited behind the chain', `${dropAll} UPDATE runs SET decision = 'approve' WHERE run_id = 'r4'`],
    ['a runs row cut short (its last event forgotten)', `${dropAll} UPDATE runs SET last_seq = first_seq, status = 'running', finished_at = NULL, disposition = NULL, confidence = NULL, cost_usd = NULL, duration_ms = NULL, awaiting = NULL, decision = NULL WHERE run_id = 'r0'`],
    ['a runs row whose status is its text as a BLOB', `${dropAll} UPDATE runs SET status = CAST(status AS BLOB) WHERE run_id = 'r1'`],
    ['a runs row with a disposition aigov never writes', `${dropAll} UPDATE runs SET disposition = 'autox', action = 'Taken' WHERE run_id = 'r2'`],
    ['a deleted runs row and a ghost', `${dropAll} DELETE FROM runs WHERE run_id = 'r5'; INSERT INTO runs (run_id, automation, first_seq, started_at, last_seq) VALUES ('ghost', 'inv', 2, 'x', 40)`],
    ['an edited payload', `${dropAll} UPDATE events SET data = '{"n":40}' WHERE seq = 20`],
    ['a payload that is not JSON', `${dropAll} UPDATE events SET data = '{"decision":' WHERE type = 'review_resolved'`],
    ['a deleted event', `${dropAll} DELETE FROM events WHERE seq IN (17, 31)`],
    [
      'two reordered events',
      `${dropAll} CREATE TEMP TABLE swap AS SELECT * FROM events WHERE seq IN (9, 33); DELETE FROM events WHERE seq IN (9, 33);
       INSERT INTO events SELECT CASE seq WHEN 9 THEN 33 ELSE 9 END, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM swap;`,
    ],
    ['a value of another type than aigov writes: a BLOB actor', `${dropAll} UPDATE events SET actor = x'616e6e' WHERE seq = 12`],
    ['a value of another type: a fractional v and a BLOB payload', `${dropAll} UPDATE events SET v = 2.5 WHERE seq = 14; UPDATE events SET data = CAST(data AS BLOB) WHERE seq = 15`],
    ['text that is not UTF-8', `${dropAll} UPDATE events SET actor = CAST(x'ff61' AS TEXT) WHERE seq = 16`],
  ])('finds the same after %s', async (_what, sql) => {
    tamper(sql);
    const v = await bothWays();
    expect(v.ok).toBe(false);
  });

  it('spells a BLOB in a runs row as SQL does, read on this thread or another', async () => {
    tamper(`${dropAll} UPDATE runs SET status = CAST(status AS BLOB) WHERE run_id = 'r1'`);
    const v = await bothWays();
    expect(v.rows!.problems).toEqual([expect.objectContaining({ runId: 'r1', reason: `the runs row of r1 does not match its events: status is x'66696e6973686564', the chain says "finished"` })]);
  });

  it('finds a runs row that claims its run began in a later range than it did, naming that run', async () => {
    // One pass compares the row with every event of the run: first_seq differs.
    // In ranges, the row's range compares it with that range's events (which
    // may match), and the run's earlier events are left with no row that
    // matches them: the same run is named, in other words.
    tamper(`${dropAll} UPDATE runs SET first_seq = last_seq WHERE run_id = 'r2'`);
    await store.close();
    store = await openStore(`sqlite:${DB}`, root);
    const one = await verifyLog(store, root, { threads: 1 });
    expect(one.rows!.problems).toEqual([expect.objectContaining({ runId: 'r2', reason: expect.stringMatching(/^the runs row of r2 does not match its events: first_seq is \d+, the chain says 3$/) })]);
    for (const threads of [2, 5]) {
      const v = await verifyLog(store, root, { threads });
      expect(v.ok).toBe(false);
      expect(v.rows!.problems.length).toBeGreaterThan(0);
      expect(new Set(v.rows!.problems.map((p) => p.runId))).toEqual(new Set(['r2']));
      expect({ ...v, rows: null }).toEqual({ ...one, rows: null });
    }
  });

  it('checks the seals the same way', async () => {
    await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    tamper(`${dropAll} UPDATE events SET hash = '${'a'.repeat(64)}' WHERE seq = 8`);
    const v = await bothWays();
    expect(v.seals.bad.map((b) => b.code)).toEqual(['E_SEAL_ROOT_MISMATCH']);
  });

  it('reads one snapshot while another writer appends', async () => {
    const writer = await openStore(`sqlite:${DB}`, root);
    try {
      const appends = Array.from({ length: 30 }, (_, i) =>
        writer.append([{ type: i % 2 ? 'run_finished' : 'run_started', automation: 'inv', runId: `w${i >> 1}`, data: i % 2 ? finishedData() : startedData() }]),
      );
      const v = await verifyLog(store, root, { threads: 3 });
      await Promise.all(appends);
      expect(v.ok).toBe(true);
      expect(v.rows!.events).toBe(v.events);
    } finally {
      await writer.close();
    }
  });
});
