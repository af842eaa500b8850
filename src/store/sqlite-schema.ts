// The SQLite run log's tables, created once with the file and never repaired
// behind anyone's back: a trigger someone dropped stays dropped, and
// `log verify` names it (`schemaProblems`). A log of format 1 is migrated once.
import type BetterSqlite3 from 'better-sqlite3';
import { FORMAT_3_COLUMNS, RUN_COLUMNS, RUN_SQL_NAME, applyRunPatch, type RunColumn, type RunRecord } from '../core/log/derived.js';
import { UsageError } from '../errors.js';
import { APPEND_ONLY, NEXT_SEQ_ONLY, STORE_FORMAT, rowPatch, runRowValues, type EventRow } from './sql.js';
import { STATS_INDEXES } from './stats-sql.js';

type Database = BetterSqlite3.Database;

const refuse = (message: string) => `BEGIN SELECT RAISE(ABORT, '${message}'); END`;

/**
 * Every trigger and the exact text SQLite keeps for it. The append-only ones
 * have the text format 1 created, so a migrated log matches too.
 */
export const SQLITE_TRIGGERS: Readonly<Record<string, string>> = {
  events_no_update: `CREATE TRIGGER events_no_update BEFORE UPDATE ON events ${refuse(APPEND_ONLY)}`,
  events_no_delete: `CREATE TRIGGER events_no_delete BEFORE DELETE ON events ${refuse(APPEND_ONLY)}`,
  // Only the next seq: no row at 0 or below, no gap, no second row at a seq.
  events_next_seq: `CREATE TRIGGER events_next_seq BEFORE INSERT ON events WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM events) ${refuse(NEXT_SEQ_ONLY)}`,
  impacts_no_update: `CREATE TRIGGER impacts_no_update BEFORE UPDATE ON impacts ${refuse(APPEND_ONLY)}`,
  impacts_no_delete: `CREATE TRIGGER impacts_no_delete BEFORE DELETE ON impacts ${refuse(APPEND_ONLY)}`,
  impacts_of_event: `CREATE TRIGGER impacts_of_event BEFORE INSERT ON impacts WHEN NOT EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq AND run_id IS NEW.run_id) ${refuse('an impacts row needs the event it comes from')}`,
  runs_no_delete: `CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs ${refuse(APPEND_ONLY)}`,
  runs_of_event: `CREATE TRIGGER runs_of_event BEFORE INSERT ON runs WHEN NOT EXISTS (SELECT 1 FROM events WHERE seq = NEW.last_seq AND run_id = NEW.run_id) ${refuse('a runs row needs the event it comes from')}`,
  runs_follow_events: `CREATE TRIGGER runs_follow_events BEFORE UPDATE ON runs WHEN NEW.run_id IS NOT OLD.run_id OR NEW.last_seq <= OLD.last_seq OR NOT EXISTS (SELECT 1 FROM events WHERE seq = NEW.last_seq AND run_id = NEW.run_id) ${refuse('a runs row changes only with a newer event of its run')}`,
};

const FORMAT_1_TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  id TEXT NOT NULL UNIQUE,
  v INTEGER NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  automation TEXT,
  run_id TEXT,
  actor TEXT,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_by_automation ON events (automation, seq);
CREATE INDEX events_by_run ON events (run_id, seq);
CREATE INDEX events_by_type ON events (type, at);
CREATE TABLE impacts (
  seq INTEGER NOT NULL CHECK (seq >= 1),
  run_id TEXT,
  automation TEXT,
  system TEXT NOT NULL,
  ref TEXT,
  action TEXT
);
CREATE INDEX impacts_by_record ON impacts (system, ref, seq);
`;

/** What format 2 adds: the runs table and its indexes, and the impacts of a run. */
const FORMAT_2_TABLES = `
CREATE INDEX impacts_by_run ON impacts (run_id, seq);
CREATE INDEX impacts_by_seq ON impacts (seq);
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY,
  automation TEXT,
  first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
  started_at TEXT NOT NULL,
  tier INTEGER,
  prompt_version INTEGER,
  model TEXT,
  status TEXT,
  finished_at TEXT,
  disposition TEXT,
  confidence REAL,
  cost_usd REAL,
  duration_ms REAL,
  decision TEXT,
  awaiting TEXT,
  audit TEXT,
  action TEXT,
  last_seq INTEGER NOT NULL CHECK (last_seq >= first_seq)
);
CREATE INDEX runs_by_first ON runs (first_seq);
CREATE INDEX runs_by_automation ON runs (automation, first_seq);
CREATE INDEX runs_by_disposition ON runs (disposition, first_seq);
CREATE INDEX runs_awaiting ON runs (first_seq) WHERE awaiting IS NOT NULL;
CREATE INDEX runs_audit_pending ON runs (first_seq) WHERE audit = 'pending';
CREATE INDEX runs_by_status ON runs (status, started_at);
CREATE INDEX runs_by_started ON runs (started_at);
`;

/** What format 3 adds: the columns the statistics are aggregated from (derived.ts), and an index of the reverted runs. */
const FORMAT_3_TYPES: Readonly<Record<string, string>> = {
  start_seq: 'INTEGER',
  end_seq: 'INTEGER',
  ended: 'TEXT',
  tokens_in: 'REAL',
  tokens_out: 'REAL',
  latency_bucket: 'INTEGER',
  mismatch_seq: 'INTEGER',
  decision_seq: 'INTEGER',
  decision_at: 'TEXT',
  audit_seq: 'INTEGER',
  audit_grade: 'TEXT',
  revert_seq: 'INTEGER',
  revert_at: 'TEXT',
  reversible_until: 'TEXT',
};
const sqlName = (column: RunColumn): string => RUN_SQL_NAME.get(column)!;
const FORMAT_3_TABLES =
  FORMAT_3_COLUMNS.map((c) => `ALTER TABLE runs ADD COLUMN ${sqlName(c)} ${FORMAT_3_TYPES[sqlName(c)]};`).join('\n') +
  `\nCREATE INDEX runs_reverted ON runs (first_seq) WHERE revert_seq IS NOT NULL;\n`;

/** What format 4 adds: the indexes the statistics' aggregates are read through (stats-sql.ts). */
const FORMAT_4_TABLES = Object.entries(STATS_INDEXES).map(([name, on]) => `CREATE INDEX ${name} ${on};`).join('\n');

const FORMAT_1_TRIGGERS = ['events_no_update', 'events_no_delete', 'impacts_no_update', 'impacts_no_delete'];

function format(db: Database): number | null {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return null;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
  return row ? Number(row.value) : null;
}

export function ensureSchema(db: Database, path: string): void {
  const found = format(db);
  if (found === STORE_FORMAT) return;
  if (found !== null && found > STORE_FORMAT) {
    throw new UsageError(`the run log ${path} has format ${found}, newer than this aigov understands (${STORE_FORMAT})`, { hint: 'upgrade aigov' });
  }
  // Another process may be creating or migrating the same file: decide under the write lock.
  db.transaction(() => {
    const now = format(db);
    if (now === STORE_FORMAT) return;
    if (now === null) {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get()) {
        throw new UsageError(`${path} has an events table but no format: it is not a run log aigov wrote`);
      }
      db.exec(FORMAT_1_TABLES + FORMAT_2_TABLES + FORMAT_3_TABLES + FORMAT_4_TABLES + Object.values(SQLITE_TRIGGERS).map((t) => `${t};`).join('\n'));
    } else if (now === 1) {
      migrateFrom1(db);
    } else if (now === 2) {
      migrateFrom2(db);
    }
    if (now !== null) db.exec(FORMAT_4_TABLES);
    db.prepare("INSERT INTO meta (key, value) VALUES ('format', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(STORE_FORMAT));
  }).immediate();
}

/**
 * Format 1 had no seq trigger and no runs table: both are added, and the runs
 * rows built from the chain. A format-1 append-only trigger that is missing is
 * not put back: `log verify` reports it.
 */
function migrateFrom1(db: Database): void {
  db.exec(FORMAT_2_TABLES + FORMAT_3_TABLES);
  const upsert = db.prepare(`INSERT INTO runs VALUES (${Array(1 + RUN_COLUMNS.length).fill('?').join(', ')})`);
  for (const run of runsFromChain(db).values()) upsert.run(...runRowValues(run));
  for (const name of Object.keys(SQLITE_TRIGGERS)) {
    if (!FORMAT_1_TRIGGERS.includes(name)) db.exec(SQLITE_TRIGGERS[name]);
  }
}

/** Every run's row as the chain leaves it. */
function runsFromChain(db: Database): Map<string, RunRecord> {
  const runs = new Map<string, RunRecord>();
  for (const row of db.prepare('SELECT seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM events WHERE seq >= 1 ORDER BY seq').raw(true).iterate()) {
    const { patch } = rowPatch(row as EventRow);
    if (patch) runs.set(patch.runId, applyRunPatch(runs.get(patch.runId) ?? null, patch));
  }
  return runs;
}

/**
 * Format 2 had no columns for the statistics: they are added and filled from
 * the chain. The trigger that lets a runs row change only with a newer event
 * is lifted for that and put back as it was (one already missing stays missing).
 */
function migrateFrom2(db: Database): void {
  db.exec(FORMAT_3_TABLES);
  const trigger = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'runs_follow_events'").get() as { sql: string } | undefined;
  if (trigger) db.exec('DROP TRIGGER runs_follow_events');
  const columns = FORMAT_3_COLUMNS.map(sqlName);
  const update = db.prepare(`UPDATE runs SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE run_id = ?`);
  for (const run of runsFromChain(db).values()) update.run(...FORMAT_3_COLUMNS.map((c) => run[c]), run.runId);
  if (trigger) db.exec(trigger.sql);
}

/** The statistics' indexes (format 4) that are not in the file. */
export function missingStatsIndexes(db: Database): string[] {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[]);
  return Object.keys(STATS_INDEXES).filter((name) => !present.has(name));
}

/** Every way the schema differs from what aigov created: a trigger missing or changed. */
export function schemaProblems(db: Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
  const actual = new Map(rows.map((r) => [r.name, r.sql]));
  const problems: string[] = [];
  for (const [name, sql] of Object.entries(SQLITE_TRIGGERS)) {
    const found = actual.get(name);
    if (found === undefined) problems.push(`trigger ${name} is missing`);
    else if (found !== sql) problems.push(`trigger ${name} was changed`);
  }
  for (const name of actual.keys()) if (!(name in SQLITE_TRIGGERS)) problems.push(`trigger ${name} is not one aigov created`);
  for (const name of missingStatsIndexes(db)) problems.push(`index ${name} is missing: the dashboard and the report read every run without it`);
  return problems;
}
