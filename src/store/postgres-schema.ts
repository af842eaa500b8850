// The PostgreSQL run log's tables, created on first open and checked on every
// open: the format version, and the triggers that make the tables append-only.
import type { PoolClient } from 'pg';
import { UsageError } from '../errors.js';
import { APPEND_ONLY, STORE_FORMAT } from './sql.js';

const TRIGGERS: { name: string; table: string; when: string; each: string }[] = [
  { name: 'events_append_only', table: 'events', when: 'UPDATE OR DELETE', each: 'ROW' },
  { name: 'events_no_truncate', table: 'events', when: 'TRUNCATE', each: 'STATEMENT' },
  { name: 'impacts_append_only', table: 'impacts', when: 'UPDATE OR DELETE', each: 'ROW' },
  { name: 'impacts_no_truncate', table: 'impacts', when: 'TRUNCATE', each: 'STATEMENT' },
];

// `at` is text, not timestamptz: the hash covers the exact string, and ISO 8601
// in UTC compares correctly as text. `data` is the canonical JSON text for the
// same reason (jsonb would reorder keys).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  v integer NOT NULL,
  type text NOT NULL,
  at text NOT NULL,
  automation text,
  run_id text,
  actor text,
  data text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_automation ON events (automation, seq);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, at);
CREATE TABLE IF NOT EXISTS impacts (
  seq bigint NOT NULL,
  run_id text,
  automation text,
  system text NOT NULL,
  ref text,
  action text
);
CREATE INDEX IF NOT EXISTS impacts_by_record ON impacts (system, ref, seq);
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '${APPEND_ONLY}';
END $$;
${TRIGGERS.map(
  (t) => `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '${t.name}' AND tgrelid = '${t.table}'::regclass) THEN
    CREATE TRIGGER ${t.name} BEFORE ${t.when} ON ${t.table} FOR EACH ${t.each} EXECUTE FUNCTION refuse_change();
  END IF;
END $$;`,
).join('\n')}
INSERT INTO meta (key, value) VALUES ('format', '${STORE_FORMAT}') ON CONFLICT (key) DO NOTHING;
`;

export async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  // Two processes opening a fresh database at once would race on CREATE.
  await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('aigov:schema:${schema}')); CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const ready = await client.query<{ ready: boolean }>(
    "SELECT to_regclass('meta') IS NOT NULL AND to_regclass('events') IS NOT NULL AND to_regclass('impacts') IS NOT NULL AS ready",
  );
  const { rows } = ready.rows[0].ready
    ? await client.query<{ format: string | null; triggers: string }>(
        `SELECT (SELECT value FROM meta WHERE key = 'format') AS format,
                (SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('events'::regclass, 'impacts'::regclass) AND tgname = ANY ($1)) AS triggers`,
        [TRIGGERS.map((t) => t.name)],
      )
    : { rows: [] };
  const found = rows[0];
  if (found?.format && Number(found.format) > STORE_FORMAT) {
    await client.query('ROLLBACK');
    throw new UsageError(`the run log has format ${found.format}, newer than this aigov understands (${STORE_FORMAT})`, { hint: 'upgrade aigov' });
  }
  // Also puts back append-only triggers someone dropped.
  if (!found?.format || Number(found.triggers) !== TRIGGERS.length) await client.query(SCHEMA);
  await client.query('COMMIT');
}
