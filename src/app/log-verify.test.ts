// `log verify` accounts for every row of every table the commands read, on
// SQLite and on PostgreSQL: rows outside the chain, derived rows the chain does
// not explain (or that it explains but are gone), and triggers taken away are
// each a failure that names what is wrong.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { storeBackends, type Opened } from '../../test/support/stores.js';
import type { Store } from '../store/types.js';
import { verifyLog } from './log.js';

const log: NewEvent[] = [
  { type: 'run_started', automation: 'inv', runId: 'r1', data: startedData() },
  { type: 'run_finished', automation: 'inv', runId: 'r1', data: finishedData({ disposition: 'review', confidence: 0.2 }) },
  { type: 'review_resolved', automation: 'inv', runId: 'r1', data: { decision: 'reject', reviewer: 'ann', reason: 'wrong' } },
  { type: 'run_started', automation: 'inv', runId: 'r2', data: startedData() },
  { type: 'run_finished', automation: 'inv', runId: 'r2', data: finishedData() },
  { type: 'action_started', automation: 'inv', runId: 'r2', data: { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }] } },
  { type: 'action_taken', automation: 'inv', runId: 'r2', data: { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }], notified: false } },
  { type: 'impact_tagged', automation: 'inv', runId: 'r2', data: { system: 'crm', ref: 'C-1', action: null } },
  { type: 'eval_completed', data: { suite: 'inv', passRate: 1 } },
];

describe.each(storeBackends('log verify accounts'))('log verify accounts for every row: $name', (backend) => {
  let opened: Opened;
  let store: Store;
  let root: string;
  const sqlite = backend.dialect === 'sqlite';
  const drop = (name: string, table: string) => (sqlite ? `DROP TRIGGER ${name}` : `DROP TRIGGER ${name} ON ${table}`);

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    root = mkdtempSync(join(tmpdir(), 'aigov-verify-'));
    await store.append(log.slice(0, 4));
    await store.append(log.slice(4));
  });
  afterEach(async () => {
    await store.close();
    await opened.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  const verify = () => verifyLog(store, root);
  const reasons = async () => {
    const v = await verify();
    expect(v.ok).toBe(false);
    return [...(v.rows?.problems.map((p) => p.reason) ?? []), ...v.schema.problems];
  };

  it('passes an intact log, counting every row', async () => {
    expect(await verify()).toMatchObject({
      ok: true,
      events: 9,
      rows: { events: 9, impacts: 3, runs: 2, problems: [], more: 0 },
      schema: { problems: [] },
    });
  });

  it('fails on deleted impacts rows, naming the event they came from', async () => {
    const trigger = sqlite ? 'impacts_no_delete' : 'impacts_append_only';
    await opened.raw(`${drop(trigger, 'impacts')}; DELETE FROM impacts WHERE system = 'erp'`);
    expect(await reasons()).toEqual([
      'the impacts rows of event 6 do not match it (1 missing)',
      'the impacts rows of event 7 do not match it (1 missing)',
      `trigger ${trigger} is missing`,
    ]);
  });

  it('fails on a row forged at seq -1, naming it', async () => {
    const guards = sqlite
      ? `${drop('events_next_seq', 'events')}; PRAGMA ignore_check_constraints = ON;`
      : `${drop('events_next_seq', 'events')}; ALTER TABLE events DROP CONSTRAINT events_seq_check;`;
    await opened.raw(
      `${guards} INSERT INTO events (seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash) VALUES (-1, 'forged', 2, 'review_resolved', '2026-01-01T00:00:00.000Z', 'inv', 'r1', 'mallory', '{"decision":"approve","reviewer":"mallory"}', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`,
    );
    const v = await verify();
    // The chain itself is intact: the row is outside it, and only the count finds it.
    expect(v.firstBad).toBeUndefined();
    expect(await reasons()).toEqual([
      'a row at seq -1 is outside the chain (seqs start at 1)',
      'the events table holds 10 rows, the chain 9',
      'the events table spans seq -1-9, the chain 1-9',
      'trigger events_next_seq is missing',
      ...(sqlite ? [] : ['constraint events_seq_check is missing']),
    ]);
  });

  it('fails on a dropped trigger, names it, and the next open does not put it back', async () => {
    await opened.raw(drop('runs_no_delete', 'runs'));
    expect(await reasons()).toEqual(['trigger runs_no_delete is missing']);
    const again = await opened.reopen();
    expect((await verifyLog(again, root)).schema.problems).toEqual(['trigger runs_no_delete is missing']);
  });

  it('fails on a trigger replaced by one that lets everything through', async () => {
    const noop = sqlite
      ? `${drop('events_no_update', 'events')}; CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT 1; END`
      : `CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`;
    await opened.raw(noop);
    const problems = await reasons();
    expect(problems).toContain(sqlite ? 'trigger events_no_update was changed' : 'trigger events_append_only was changed');
  });

  if (backend.dialect === 'postgres') {
    it('fails on a disabled trigger', async () => {
      await opened.raw('ALTER TABLE events DISABLE TRIGGER events_next_seq');
      expect(await reasons()).toEqual(['trigger events_next_seq is disabled']);
    });
  }

  it('fails on a runs row edited behind the chain (a rejected run made approved)', async () => {
    await opened.raw(`${drop('runs_follow_events', 'runs')}; UPDATE runs SET decision = 'approve' WHERE run_id = 'r1'`);
    expect(await reasons()).toEqual(['the runs row of r1 does not match its events: decision is "approve", the chain says "reject"', 'trigger runs_follow_events is missing']);
  });

  it('fails on a deleted runs row, and on one no event explains', async () => {
    await opened.raw(
      `${drop('runs_no_delete', 'runs')}; ${drop('runs_of_event', 'runs')}; DELETE FROM runs WHERE run_id = 'r2'; INSERT INTO runs (run_id, automation, first_seq, started_at, last_seq) VALUES ('ghost', 'inv', 2, 'x', 5)`,
    );
    expect(await reasons()).toEqual([
      'the runs row of ghost is not explained by the chain (no event of that run up to seq 5)',
      'run r2 has events up to seq 8 but no runs row that matches them',
      'trigger runs_no_delete is missing',
      'trigger runs_of_event is missing',
    ]);
  });

  it('fails on an impacts row no event names', async () => {
    await opened.raw(`${drop('impacts_of_event', 'impacts')}; INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (3, 'r1', 'inv', 'erp', 'INV-9', NULL), (42, 'r1', 'inv', 'erp', 'INV-10', NULL)`);
    expect(await reasons()).toEqual([
      'the impacts rows of event 3 do not match it (1 not named by it)',
      'an impacts row at seq 42 (erp:INV-10) is not named by any event',
      'trigger impacts_of_event is missing',
    ]);
  });

  it('verifies a snapshot while another writer appends', async () => {
    const writer = await opened.reopen();
    const appends = Array.from({ length: 20 }, (_, i) => writer.append([{ type: 'run_started', automation: 'inv', runId: `w${i}`, data: startedData() }]));
    const v = await verify();
    await Promise.all(appends);
    expect(v.ok).toBe(true);
    expect(v.rows!.events).toBe(v.events);
    expect((await verify()).events).toBe(29);
  });
});
