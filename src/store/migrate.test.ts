// A run log written by format 1 (no seq trigger, no runs table) opens as
// format 4: the runs rows built from its chain, the new triggers added, and a
// format-1 trigger someone dropped left dropped for verify to name. One of
// format 2 (no columns for the statistics) gets them, filled from its chain.
// One of format 3 gets the indexes the statistics are read through.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { linkRows, prepareRows, type ChainedRow } from '../core/log/chain.js';
import type { NewEvent } from '../core/log/events.js';
import { verifyLog } from '../app/log.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { pgUrl } from '../../test/support/stores.js';
import { writeVariedLog } from '../../test/support/varied-log.js';
import { FORMAT_3_COLUMNS, RUN_SQL_NAME, type RunRecord } from '../core/log/derived.js';
import { foldLog, readStats } from '../app/read-stats.js';
import { openStore } from './open.js';

const FORMAT_1 = (bigint: string) => `
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE events (seq ${bigint} PRIMARY KEY, id text NOT NULL UNIQUE, v integer NOT NULL, type text NOT NULL, at text NOT NULL,
  automation text, run_id text, actor text, data text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);
CREATE INDEX events_by_automation ON events (automation, seq);
CREATE INDEX events_by_run ON events (run_id, seq);
CREATE INDEX events_by_type ON events (type, at);
CREATE TABLE impacts (seq ${bigint} NOT NULL, run_id text, automation text, system text NOT NULL, ref text, action text);
CREATE INDEX impacts_by_record ON impacts (system, ref, seq);
INSERT INTO meta (key, value) VALUES ('format', '1');
`;
const SQLITE_TRIGGERS = ['events_no_update', 'events_no_delete', 'impacts_no_update', 'impacts_no_delete']
  .map((name) => {
    const [table, , verb] = name.split('_');
    return `CREATE TRIGGER ${name} BEFORE ${verb.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, 'the run log is append-only'); END;`;
  })
  .join('\n');
const PG_TRIGGERS = `CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the run log is append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER impacts_append_only BEFORE UPDATE OR DELETE ON impacts FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER impacts_no_truncate BEFORE TRUNCATE ON impacts FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();`;

/** Format-1 rows: chained as format 1 chained them (v 1), with their impacts. */
function format1Rows(): { rows: ChainedRow[]; impacts: unknown[][] } {
  const events: NewEvent[] = [
    { type: 'run_started', automation: 'inv', runId: 'r1', at: '2026-01-01T00:00:00.000Z', data: startedData() },
    { type: 'run_finished', automation: 'inv', runId: 'r1', at: '2026-01-01T00:00:01.000Z', data: finishedData({ disposition: 'review' }) },
    { type: 'review_resolved', automation: 'inv', runId: 'r1', at: '2026-01-01T00:00:02.000Z', data: { decision: 'approve', reviewer: 'ann', reason: null } },
    { type: 'action_taken', automation: 'inv', runId: 'r1', at: '2026-01-01T00:00:03.000Z', data: { impacts: [{ system: 'erp', ref: 'INV-1' }], notified: false } },
    { type: 'run_started', automation: 'inv', runId: 'r2', at: '2026-01-01T00:00:04.000Z', data: startedData() },
  ];
  let n = 0;
  const prepared = prepareRows(events, { now: () => '', newId: () => `id-${++n}` }).map((p) => ({ ...p, event: { ...p.event, v: 1 } }));
  const rows = linkRows(null, prepared);
  return { rows, impacts: [[4, 'r1', 'inv', 'erp', 'INV-1', null]] };
}

const values = (r: ChainedRow) => {
  const e = r.event;
  return [e.seq, e.id, e.v, e.type, e.at, e.automation, e.runId, e.actor, r.dataJson, e.prevHash, e.hash];
};

/** A schema of its own on the test server, with a connection to it, dropped after the test. */
async function throwawaySchema(cleanups: (() => Promise<void> | void)[]): Promise<{ schema: string; admin: pg.Client }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  cleanups.push(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });
  await admin.query(`CREATE SCHEMA ${schema}`);
  return { schema, admin };
}

describe('migrating a format-1 run log', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function check(url: string, root: string, droppedTrigger: string) {
    const store = await openStore(url, root);
    cleanups.push(() => store.close());
    const [r1] = await (async () => {
      for await (const page of store.queryRuns({ runIds: ['r1'] })) return page;
      return [];
    })();
    expect(r1).toMatchObject({ runId: 'r1', status: 'finished', disposition: 'review', decision: 'approve', action: 'taken', firstSeq: 1, lastSeq: 4 });
    const next = await store.append([{ type: 'run_finished', automation: 'inv', runId: 'r2', data: finishedData() }]);
    expect(next[0]).toMatchObject({ seq: 6, v: 2 });
    const v = await verifyLog(store, root);
    expect(v.firstBad).toBeUndefined();
    expect(v.rows).toMatchObject({ events: 6, impacts: 1, runs: 2, problems: [] });
    expect(v.schema.problems).toEqual([`trigger ${droppedTrigger} is missing`]);
    // Both versions of the payloads read back typed.
    expect((await store.query({ runId: 'r1' })).map((e) => e.v)).toEqual([1, 1, 1, 1]);
  }

  it('on SQLite', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aigov-migrate-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, '.aigov'));
    const db = new Database(join(root, '.aigov/runs.db'));
    db.exec(FORMAT_1('INTEGER') + SQLITE_TRIGGERS);
    const { rows, impacts } = format1Rows();
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(...values(r));
    for (const i of impacts) db.prepare('INSERT INTO impacts VALUES (?, ?, ?, ?, ?, ?)').run(...i);
    db.exec('DROP TRIGGER impacts_no_delete');
    db.close();
    await check('sqlite:.aigov/runs.db', root, 'impacts_no_delete');
  });

  it.skipIf(!pgUrl)('on PostgreSQL', async () => {
    const { schema, admin } = await throwawaySchema(cleanups);
    await admin.query(`SET search_path = ${schema}; ${FORMAT_1('bigint')} ${PG_TRIGGERS}`);
    const { rows, impacts } = format1Rows();
    for (const r of rows) await admin.query(`INSERT INTO events VALUES (${values(r).map((_, i) => `$${i + 1}`).join(', ')})`, values(r));
    for (const i of impacts) await admin.query('INSERT INTO impacts VALUES ($1, $2, $3, $4, $5, $6)', i);
    await admin.query('DROP TRIGGER impacts_no_truncate ON impacts');
    await check(`${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`, tmpdir(), 'impacts_no_truncate');
  });
});

/** What takes a log back from format 4 to 3: the indexes the statistics are read through. */
const SQLITE_FORMAT_4_DROP = 'DROP INDEX runs_by_class; DROP INDEX runs_by_latency; DROP INDEX runs_mismatched; DROP INDEX runs_waited;';
const PG_FORMAT_4_DROP = 'DROP INDEX runs_mismatched;';

/** Every runs row, in first_seq order. */
async function allRuns(store: Awaited<ReturnType<typeof openStore>>): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const page of store.queryRuns({ order: 'asc' })) out.push(...page);
  return out;
}

describe('migrating a format-2 run log', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Writes a varied log at format 3, takes it back to format 2 with `downgrade`, opens it again, and compares. */
  async function check(url: string, root: string, downgrade: () => Promise<void>) {
    let store = await openStore(url, root);
    await writeVariedLog(store, new Date('2026-11-20T00:00:00Z'), 300);
    const before = await allRuns(store);
    expect(before.filter((r) => r.endSeq !== null).length).toBeGreaterThan(200);
    await store.close();
    await downgrade();
    store = await openStore(url, root);
    cleanups.push(() => store.close());
    expect(await allRuns(store)).toEqual(before);
    const [next] = await store.append([{ type: 'run_started', automation: 'inv', runId: 'new', data: startedData() }]);
    expect((await allRuns(store)).find((r) => r.runId === 'new')).toMatchObject({ startSeq: next.seq, firstSeq: next.seq });
    const v = await verifyLog(store, root);
    expect(v.firstBad).toBeUndefined();
    expect(v.rows?.problems).toEqual([]);
    expect(v.schema.problems).toEqual([]);
  }

  const dropped = FORMAT_3_COLUMNS.map((c) => RUN_SQL_NAME.get(c)!);

  it('on SQLite', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aigov-migrate-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    await check('sqlite:runs.db', root, async () => {
      const db = new Database(join(root, 'runs.db'));
      db.exec(`${SQLITE_FORMAT_4_DROP} DROP INDEX runs_reverted; ${dropped.map((c) => `ALTER TABLE runs DROP COLUMN ${c};`).join(' ')} UPDATE meta SET value = '2' WHERE key = 'format'`);
      db.close();
    });
  });

  it.skipIf(!pgUrl)('on PostgreSQL', async () => {
    const { schema, admin } = await throwawaySchema(cleanups);
    await check(`${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`, tmpdir(), async () => {
      await admin.query(`SET search_path = ${schema}; ${PG_FORMAT_4_DROP} DROP INDEX runs_reverted; ${dropped.map((c) => `ALTER TABLE runs DROP COLUMN ${c};`).join(' ')} UPDATE meta SET value = '2' WHERE key = 'format'`);
    });
  });
});

describe('migrating a format-3 run log', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Writes a varied log, takes it back to format 3 with `downgrade`, opens it again: the statistics' aggregates still give what the fold gives. */
  async function check(url: string, root: string, downgrade: () => Promise<void>, indexes: () => Promise<string[]>) {
    let store = await openStore(url, root);
    const until = new Date('2026-11-20T00:00:00Z');
    await writeVariedLog(store, until, 300);
    await store.close();
    await downgrade();
    expect(await indexes()).toEqual([]);
    store = await openStore(url, root);
    cleanups.push(() => store.close());
    expect((await indexes()).length).toBeGreaterThan(0);
    const req = { asOf: until.toISOString(), cuts: { at: ['2026-11-02T13:00:00.000Z'] }, windowOf: (at: string) => (at < '2026-11-02T13:00:00.000Z' ? 'a' : 'b') };
    const rounded = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v)));
    expect(rounded((await readStats(store, req)).stats)).toEqual(rounded((await foldLog(store, req)).stats));
    const v = await verifyLog(store, root);
    expect(v.firstBad).toBeUndefined();
    expect(v.schema.problems).toEqual([]);
  }

  it('on SQLite', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aigov-migrate-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const db = () => new Database(join(root, 'runs.db'));
    const indexes = async () => {
      const d = db();
      try {
        return d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('runs_by_class', 'runs_by_latency', 'runs_mismatched', 'runs_waited') ORDER BY name").pluck().all() as string[];
      } finally {
        d.close();
      }
    };
    await check(
      'sqlite:runs.db',
      root,
      async () => {
        const d = db();
        d.exec(`${SQLITE_FORMAT_4_DROP} UPDATE meta SET value = '3' WHERE key = 'format'`);
        d.close();
      },
      indexes,
    );
  });

  it('on SQLite, an index dropped at format 4 is named by verify, and the aggregates come from the table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aigov-migrate-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    let store = await openStore('sqlite:runs.db', root);
    const until = new Date('2026-11-20T00:00:00Z');
    await writeVariedLog(store, until, 200);
    await store.close();
    const d = new Database(join(root, 'runs.db'));
    d.exec('DROP INDEX runs_by_class');
    d.close();
    store = await openStore('sqlite:runs.db', root);
    cleanups.push(() => store.close());
    const req = { asOf: until.toISOString() };
    const rounded = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v)));
    expect(rounded((await readStats(store, req)).stats)).toEqual(rounded((await foldLog(store, req)).stats));
    expect((await verifyLog(store, root)).schema.problems).toEqual(['index runs_by_class is missing: the dashboard and the report read every run without it']);
  });

  it.skipIf(!pgUrl)('on PostgreSQL', async () => {
    const { schema, admin } = await throwawaySchema(cleanups);
    await check(
      `${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`,
      tmpdir(),
      async () => {
        await admin.query(`SET search_path = ${schema}; ${PG_FORMAT_4_DROP} UPDATE meta SET value = '3' WHERE key = 'format'`);
      },
      async () => (await admin.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, 'runs_mismatched'])).rows.map((r) => r.indexname),
    );
  });
});
