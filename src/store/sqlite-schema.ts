// The SQLite run log's tables, created on first open and checked on every open:
// the format version, and the triggers that make the tables append-only.
import type BetterSqlite3 from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { APPEND_ONLY, STORE_FORMAT } from './sql.js';

const TRIGGERS = ['events_no_update', 'events_no_delete', 'impacts_no_update', 'impacts_no_delete'];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
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
CREATE INDEX IF NOT EXISTS events_by_automation ON events (automation, seq);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, at);
CREATE TABLE IF NOT EXISTS impacts (
  seq INTEGER NOT NULL,
  run_id TEXT,
  automation TEXT,
  system TEXT NOT NULL,
  ref TEXT,
  action TEXT
);
CREATE INDEX IF NOT EXISTS impacts_by_record ON impacts (system, ref, seq);
${TRIGGERS.map((name) => {
  const [table, , verb] = name.split('_');
  return `CREATE TRIGGER IF NOT EXISTS ${name} BEFORE ${verb.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END;`;
}).join('\n')}
INSERT OR IGNORE INTO meta (key, value) VALUES ('format', '${STORE_FORMAT}');
`;

export function ensureSchema(db: BetterSqlite3.Database, path: string): void {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (hasMeta) {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
    if (row && Number(row.value) > STORE_FORMAT) {
      throw new UsageError(`the run log ${path} has format ${row.value}, newer than this aigov understands (${STORE_FORMAT})`, {
        hint: 'upgrade aigov',
      });
    }
    const triggers = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name IN (${TRIGGERS.map(() => '?').join(',')})`);
    if (row && (triggers.get(...TRIGGERS) as { n: number }).n === TRIGGERS.length) return;
  }
  // Also puts back append-only triggers someone dropped.
  db.transaction(() => db.exec(SCHEMA)).immediate();
}
