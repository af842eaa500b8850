// The PostgreSQL run log's tables, created once with the schema and never
// repaired behind anyone's back: a trigger someone dropped or disabled stays
// so, and `log verify` names it (`schemaProblems`). A log of format 1 is
// migrated once. Function bodies name their tables with the schema, so a
// session with another search_path cannot point them at other tables.
import type { PoolClient } from 'pg';
import { FORMAT_3_COLUMNS, RUN_COLUMNS, RUN_SQL_NAME, SEQ_COLUMNS, applyRunPatch, type RunColumn, type RunRecord } from '../core/log/derived.js';
import { UsageError } from '../errors.js';
import { APPEND_ONLY, EVENT_COLUMNS, NEXT_SEQ_ONLY, RUN_SQL_COLUMNS, STORE_FORMAT, rowPatch, runRowValues, type EventRow } from './sql.js';

const RUN_TYPES: Record<RunColumn, string> = {
  automation: 'text',
  firstSeq: 'bigint',
  startedAt: 'text',
  tier: 'integer',
  promptVersion: 'integer',
  model: 'text',
  status: 'text',
  finishedAt: 'text',
  disposition: 'text',
  confidence: 'double precision',
  costUsd: 'double precision',
  durationMs: 'double precision',
  decision: 'text',
  awaiting: 'text',
  audit: 'text',
  action: 'text',
  lastSeq: 'bigint',
  startSeq: 'bigint',
  endSeq: 'bigint',
  ended: 'text',
  tokensIn: 'double precision',
  tokensOut: 'double precision',
  latencyBucket: 'integer',
  mismatchSeq: 'bigint',
  decisionSeq: 'bigint',
  decisionAt: 'text',
  auditSeq: 'bigint',
  auditGrade: 'text',
  revertSeq: 'bigint',
  revertAt: 'text',
  reversibleUntil: 'text',
};

// Bits of pg_trigger.tgtype.
const ROW = 1;
const BEFORE = 2;
const INSERT = 4;
const DELETE = 8;
const UPDATE = 16;
const TRUNCATE = 32;

interface TriggerSpec {
  name: string;
  table: 'events' | 'impacts' | 'runs';
  type: number;
  fn: string;
}

const TRIGGERS: TriggerSpec[] = [
  { name: 'events_append_only', table: 'events', type: BEFORE | ROW | UPDATE | DELETE, fn: 'refuse_change' },
  { name: 'events_no_truncate', table: 'events', type: BEFORE | TRUNCATE, fn: 'refuse_change' },
  { name: 'events_next_seq', table: 'events', type: BEFORE | ROW | INSERT, fn: 'events_next_seq' },
  { name: 'impacts_append_only', table: 'impacts', type: BEFORE | ROW | UPDATE | DELETE, fn: 'refuse_change' },
  { name: 'impacts_no_truncate', table: 'impacts', type: BEFORE | TRUNCATE, fn: 'refuse_change' },
  { name: 'impacts_of_event', table: 'impacts', type: BEFORE | ROW | INSERT, fn: 'impacts_of_event' },
  { name: 'runs_no_delete', table: 'runs', type: BEFORE | ROW | DELETE, fn: 'refuse_change' },
  { name: 'runs_no_truncate', table: 'runs', type: BEFORE | TRUNCATE, fn: 'refuse_change' },
  { name: 'runs_of_event', table: 'runs', type: BEFORE | ROW | INSERT, fn: 'runs_of_event' },
  { name: 'runs_follow_events', table: 'runs', type: BEFORE | ROW | UPDATE, fn: 'runs_follow_events' },
];

const FORMAT_1_TRIGGERS = ['events_append_only', 'events_no_truncate', 'impacts_append_only', 'impacts_no_truncate'];

const CONSTRAINTS: Record<string, { table: string; def: string }> = {
  events_seq_check: { table: 'events', def: 'CHECK ((seq >= 1))' },
  impacts_seq_check: { table: 'impacts', def: 'CHECK ((seq >= 1))' },
  runs_first_seq_check: { table: 'runs', def: 'CHECK ((first_seq >= 1))' },
  runs_last_seq_check: { table: 'runs', def: 'CHECK ((last_seq >= first_seq))' },
};

/** The body of each trigger function, exactly as pg_proc keeps it. */
function functionBodies(s: string): Record<string, string> {
  const refuse = (message: string) => `RAISE EXCEPTION '${message}';`;
  return {
    refuse_change: `
BEGIN
  ${refuse(APPEND_ONLY)}
END `,
    events_next_seq: `
BEGIN
  IF NEW.seq IS DISTINCT FROM (SELECT coalesce(max(seq), 0) + 1 FROM ${s}.events) THEN
    ${refuse(NEXT_SEQ_ONLY)}
  END IF;
  RETURN NEW;
END `,
    impacts_of_event: `
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${s}.events WHERE seq = NEW.seq AND run_id IS NOT DISTINCT FROM NEW.run_id) THEN
    ${refuse('an impacts row needs the event it comes from')}
  END IF;
  RETURN NEW;
END `,
    runs_of_event: `
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${s}.events WHERE seq = NEW.last_seq AND run_id = NEW.run_id) THEN
    ${refuse('a runs row needs the event it comes from')}
  END IF;
  RETURN NEW;
END `,
    runs_follow_events: `
BEGIN
  IF NEW.run_id IS DISTINCT FROM OLD.run_id OR NEW.last_seq <= OLD.last_seq
     OR NOT EXISTS (SELECT 1 FROM ${s}.events WHERE seq = NEW.last_seq AND run_id = NEW.run_id) THEN
    ${refuse('a runs row changes only with a newer event of its run')}
  END IF;
  RETURN NEW;
END `,
  };
}

function functionSql(s: string, name: string, body: string): string {
  return `CREATE OR REPLACE FUNCTION ${s}.${name}() RETURNS trigger LANGUAGE plpgsql AS $$${body}$$;`;
}

function triggerSql(s: string, t: TriggerSpec): string {
  const events = [t.type & INSERT && 'INSERT', t.type & UPDATE && 'UPDATE', t.type & DELETE && 'DELETE', t.type & TRUNCATE && 'TRUNCATE'].filter(Boolean).join(' OR ');
  return `CREATE TRIGGER ${t.name} BEFORE ${events} ON ${s}.${t.table} FOR EACH ${t.type & ROW ? 'ROW' : 'STATEMENT'} EXECUTE FUNCTION ${s}.${t.fn}();`;
}

const runColumnsDdl = RUN_COLUMNS.map(([column, sql]) => `  ${sql} ${RUN_TYPES[column]}${column === 'firstSeq' || column === 'lastSeq' || column === 'startedAt' ? ' NOT NULL' : ''}`).join(',\n');

function format1Tables(s: string): string {
  // `at` is text, not timestamptz: the hash covers the exact string, and ISO
  // 8601 in UTC compares correctly as text. `data` is the canonical JSON text
  // for the same reason (jsonb would reorder keys).
  return `
CREATE TABLE ${s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE ${s}.events (
  seq bigint PRIMARY KEY CONSTRAINT events_seq_check CHECK (seq >= 1),
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
CREATE INDEX events_by_automation ON ${s}.events (automation, seq);
CREATE INDEX events_by_run ON ${s}.events (run_id, seq);
CREATE INDEX events_by_type ON ${s}.events (type, at);
CREATE TABLE ${s}.impacts (
  seq bigint NOT NULL CONSTRAINT impacts_seq_check CHECK (seq >= 1),
  run_id text,
  automation text,
  system text NOT NULL,
  ref text,
  action text
);
CREATE INDEX impacts_by_record ON ${s}.impacts (system, ref, seq);
`;
}

function format2Tables(s: string): string {
  return `
CREATE INDEX impacts_by_run ON ${s}.impacts (run_id, seq);
CREATE INDEX impacts_by_seq ON ${s}.impacts (seq);
CREATE TABLE ${s}.runs (
  run_id text PRIMARY KEY,
${runColumnsDdl},
  CONSTRAINT runs_first_seq_check CHECK (first_seq >= 1),
  CONSTRAINT runs_last_seq_check CHECK (last_seq >= first_seq)
);
CREATE INDEX runs_by_first ON ${s}.runs (first_seq, run_id);
CREATE INDEX runs_by_automation ON ${s}.runs (automation, first_seq);
CREATE INDEX runs_by_disposition ON ${s}.runs (disposition, first_seq);
CREATE INDEX runs_awaiting ON ${s}.runs (first_seq) WHERE awaiting IS NOT NULL;
CREATE INDEX runs_audit_pending ON ${s}.runs (first_seq) WHERE audit = 'pending';
CREATE INDEX runs_by_status ON ${s}.runs (status, started_at);
CREATE INDEX runs_by_started ON ${s}.runs (started_at);
${format3Indexes(s)}${format4Indexes(s)}`;
}

/** The index format 3 adds (its columns are in runColumnsDdl, and added to a format-2 table by migrateFrom2). */
function format3Indexes(s: string): string {
  return `CREATE INDEX runs_reverted ON ${s}.runs (first_seq) WHERE revert_seq IS NOT NULL;\n`;
}

/** The index format 4 adds: the runs with a mismatch, which the statistics group one by one (stats-sql.ts; SQLite's other format-4 indexes let it group without sorting every run, which PostgreSQL's hash aggregate does not need). */
function format4Indexes(s: string): string {
  return `CREATE INDEX runs_mismatched ON ${s}.runs (first_seq) WHERE mismatch_seq IS NOT NULL;\n`;
}

/**
 * The one statement an append is: under the append lock it reads the head,
 * checks each request's condition, chains and hashes its events (sha256 over
 * the canonical text the client sent in pieces, so the hash is the one
 * `log verify` recomputes), and writes them with their impacts and runs rows.
 * A request whose condition fails or whose rows fail is undone alone (a
 * savepoint) and reported in o_error; the others are written.
 */
function appendFunctionSql(s: string): string {
  const n = RUN_COLUMNS.length;
  const value = (column: RunColumn, j: number) =>
    SEQ_COLUMNS.has(column) ? 'this_seq' : `(patch->${j}->>1)::${RUN_TYPES[column]}`;
  const values = RUN_COLUMNS.map(([column], j) => `CASE WHEN (patch->${j}->>0)::int > 0 THEN ${value(column, j)} END`).join(',\n        ');
  const set = RUN_COLUMNS.map(
    ([, c], j) => `${c} = CASE (patch->${j}->>0)::int WHEN 1 THEN excluded.${c} WHEN 2 THEN coalesce(r.${c}, excluded.${c}) ELSE r.${c} END`,
  ).join(',\n        ');
  void n;
  return `
CREATE OR REPLACE FUNCTION ${s}.aigov_append(
  r_count int[], r_cond_run text[], r_cond_types text[], r_cond_last bigint[],
  e_id text[], e_v int[], e_type text[], e_at text[], e_automation text[], e_run text[], e_actor text[],
  e_data text[], e_before text[], e_middle text[], e_after text[], e_patch text[],
  i_event int[], i_system text[], i_ref text[], i_action text[],
  OUT o_found bigint[], OUT o_error text[], OUT o_seq bigint[], OUT o_prev text[], OUT o_hash text[]
) LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  this_seq bigint;
  this_prev text;
  this_hash text;
  found_seq bigint;
  patch jsonb;
  e int := 0;
  first_e int;
  k int;
  i int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('aigov:append:${s}'));
  SELECT seq, hash INTO head_seq, head_hash FROM ${s}.events ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
  END IF;
  -- Full length from the start: assigning past the end of an empty array would shift its bounds.
  o_found := array_fill(NULL::bigint, ARRAY[coalesce(array_length(r_count, 1), 0)]);
  o_error := array_fill(NULL::text, ARRAY[coalesce(array_length(r_count, 1), 0)]);
  o_seq := array_fill(NULL::bigint, ARRAY[coalesce(array_length(e_id, 1), 0)]);
  o_prev := array_fill(NULL::text, ARRAY[coalesce(array_length(e_id, 1), 0)]);
  o_hash := array_fill(NULL::text, ARRAY[coalesce(array_length(e_id, 1), 0)]);
  FOR k IN 1 .. coalesce(array_length(r_count, 1), 0) LOOP
    first_e := e + 1;
    e := e + r_count[k];
    o_error[k] := NULL;
    IF r_cond_run[k] IS NOT NULL THEN
      SELECT max(seq) INTO found_seq FROM ${s}.events
        WHERE run_id = r_cond_run[k] AND type = ANY (string_to_array(r_cond_types[k], ',')) AND seq >= 1;
      o_found[k] := found_seq;
      IF found_seq IS DISTINCT FROM r_cond_last[k] THEN
        o_error[k] := 'conflict';
        CONTINUE;
      END IF;
    END IF;
    BEGIN
      this_seq := head_seq;
      this_hash := head_hash;
      FOR i IN first_e .. e LOOP
        this_prev := this_hash;
        this_seq := this_seq + 1;
        this_hash := encode(sha256(convert_to(this_prev || e_before[i] || e_data[i] || e_middle[i] || this_seq::text || e_after[i], 'UTF8')), 'hex');
        INSERT INTO ${s}.events (${EVENT_COLUMNS})
          VALUES (this_seq, e_id[i], e_v[i], e_type[i], e_at[i], e_automation[i], e_run[i], e_actor[i], e_data[i], this_prev, this_hash);
        o_seq[i] := this_seq;
        o_prev[i] := this_prev;
        o_hash[i] := this_hash;
        IF e_patch[i] IS NOT NULL THEN
          patch := e_patch[i]::jsonb;
          INSERT INTO ${s}.runs AS r (${RUN_SQL_COLUMNS}) VALUES (e_run[i],
        ${values})
          ON CONFLICT (run_id) DO UPDATE SET
        ${set};
        END IF;
      END LOOP;
      INSERT INTO ${s}.impacts (seq, run_id, automation, system, ref, action)
        SELECT head_seq + x.n - first_e + 1, e_run[x.n], e_automation[x.n], x.system, x.ref, x.action
        FROM unnest(i_event, i_system, i_ref, i_action) AS x(n, system, ref, action)
        WHERE x.n BETWEEN first_e AND e;
      head_seq := this_seq;
      head_hash := this_hash;
    EXCEPTION WHEN OTHERS THEN
      o_error[k] := SQLSTATE || ': ' || SQLERRM;
      FOR i IN first_e .. e LOOP
        o_seq[i] := NULL;
        o_prev[i] := NULL;
        o_hash[i] := NULL;
      END LOOP;
    END;
  END LOOP;
END $$;`;
}

function allFunctionsAndTriggers(s: string, only?: (name: string) => boolean): string {
  const bodies = functionBodies(s);
  const fns = Object.entries(bodies).map(([name, body]) => functionSql(s, name, body));
  const triggers = TRIGGERS.filter((t) => !only || only(t.name)).map((t) => triggerSql(s, t));
  return [...fns, appendFunctionSql(s), ...triggers].join('\n');
}

export async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  // Two processes opening a fresh database at once would race on CREATE.
  await client.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('aigov:schema:${schema}')); CREATE SCHEMA IF NOT EXISTS ${schema}`);
  try {
    const { rows } = await client.query<{ meta: boolean; events: boolean }>(
      `SELECT to_regclass('${schema}.meta') IS NOT NULL AS meta, to_regclass('${schema}.events') IS NOT NULL AS events`,
    );
    const format = rows[0].meta
      ? Number((await client.query<{ value: string }>(`SELECT value FROM ${schema}.meta WHERE key = 'format'`)).rows[0]?.value ?? 0) || null
      : null;
    if (format !== null && format > STORE_FORMAT) {
      throw new UsageError(`the run log has format ${format}, newer than this aigov understands (${STORE_FORMAT})`, { hint: 'upgrade aigov' });
    }
    if (format === STORE_FORMAT) {
      await client.query('COMMIT');
      return;
    }
    if (format === null) {
      if (rows[0].events) throw new UsageError(`schema ${schema} has an events table but no format: it is not a run log aigov wrote`);
      await client.query(format1Tables(schema) + format2Tables(schema) + allFunctionsAndTriggers(schema));
    } else if (format === 1) {
      await migrateFrom1(client, schema);
    } else if (format === 2) {
      await migrateFrom2(client, schema);
    } else {
      await client.query(format4Indexes(schema));
    }
    await client.query(`INSERT INTO ${schema}.meta (key, value) VALUES ('format', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(STORE_FORMAT)]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Format 1 had no seq trigger, no CHECK on seq and no runs table: they are
 * added (the CHECKs NOT VALID, so a bad old row does not block the upgrade:
 * verify reports it), and the runs rows built from the chain. A format-1
 * trigger that is missing is not put back: `log verify` reports it.
 */
async function migrateFrom1(client: PoolClient, s: string): Promise<void> {
  await client.query(format2Tables(s));
  await client.query(`ALTER TABLE ${s}.events ADD CONSTRAINT events_seq_check CHECK (seq >= 1) NOT VALID;
    ALTER TABLE ${s}.impacts ADD CONSTRAINT impacts_seq_check CHECK (seq >= 1) NOT VALID`);
  const runs = await runsFromChain(client, s);
  const all = [...runs.values()].map(runRowValues);
  const types = ['text', ...RUN_COLUMNS.map(([column]) => RUN_TYPES[column])];
  for (let i = 0; i < all.length; i += 5000) {
    const slice = all.slice(i, i + 5000);
    const columns = types.map((_, c) => slice.map((r) => r[c]));
    await client.query(`INSERT INTO ${s}.runs (${RUN_SQL_COLUMNS}) SELECT * FROM unnest(${types.map((t, c) => `$${c + 1}::${t}[]`).join(', ')})`, columns);
  }
  await client.query(allFunctionsAndTriggers(s, (name) => !FORMAT_1_TRIGGERS.includes(name)));
}

/** Every run's row as the chain leaves it. */
async function runsFromChain(client: PoolClient, s: string): Promise<Map<string, RunRecord>> {
  const runs = new Map<string, RunRecord>();
  for (let next = 1; ; ) {
    const { rows } = await client.query<EventRow>({ text: `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE seq >= $1 ORDER BY seq LIMIT 5000`, values: [next], rowMode: 'array' });
    for (const row of rows) {
      const { patch } = rowPatch(row);
      if (patch) runs.set(patch.runId, applyRunPatch(runs.get(patch.runId) ?? null, patch));
    }
    if (rows.length < 5000) break;
    next = Number(rows[rows.length - 1][0]) + 1;
  }
  return runs;
}

/**
 * Format 2 had no columns for the statistics: they are added and filled from
 * the chain, and the append function written again to fill them. The trigger
 * that lets a runs row change only with a newer event is disabled for that and
 * put back as it was (one missing or disabled stays so, for verify to name).
 */
async function migrateFrom2(client: PoolClient, s: string): Promise<void> {
  const columns = FORMAT_3_COLUMNS.map((c) => [c, RUN_SQL_NAME.get(c)!] as const);
  await client.query(columns.map(([c, sql]) => `ALTER TABLE ${s}.runs ADD COLUMN ${sql} ${RUN_TYPES[c]};`).join('\n') + format3Indexes(s) + format4Indexes(s));
  const { rows } = await client.query<{ enabled: string }>(
    `SELECT t.tgenabled AS enabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'runs' AND t.tgname = 'runs_follow_events'`,
    [s],
  );
  const enabled = rows.length > 0 && rows[0].enabled !== 'D';
  if (enabled) await client.query(`ALTER TABLE ${s}.runs DISABLE TRIGGER runs_follow_events`);
  const all = [...(await runsFromChain(client, s)).values()];
  const types = ['text', ...columns.map(([c]) => RUN_TYPES[c])];
  for (let i = 0; i < all.length; i += 5000) {
    const slice = all.slice(i, i + 5000);
    const values = [slice.map((r) => r.runId), ...columns.map(([c]) => slice.map((r) => r[c]))];
    await client.query(
      `UPDATE ${s}.runs r SET ${columns.map(([, sql]) => `${sql} = u.${sql}`).join(', ')}
         FROM unnest(${types.map((t, n) => `$${n + 1}::${t}[]`).join(', ')}) AS u(run_id, ${columns.map(([, sql]) => sql).join(', ')})
        WHERE r.run_id = u.run_id`,
      values,
    );
  }
  if (enabled) await client.query(`ALTER TABLE ${s}.runs ENABLE TRIGGER runs_follow_events`);
  await client.query(appendFunctionSql(s));
}

/** Every way the schema differs from what aigov created: a trigger or CHECK missing, changed or disabled. */
export async function schemaProblems(client: PoolClient, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string; table: string; type: number; enabled: string; qual: boolean; fn: string; fnschema: string; body: string }>(
    `SELECT t.tgname AS name, c.relname AS table, t.tgtype AS type, t.tgenabled AS enabled, t.tgqual IS NOT NULL AS qual,
            p.proname AS fn, pn.nspname AS fnschema, p.prosrc AS body
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_proc p ON p.oid = t.tgfoid
       JOIN pg_namespace pn ON pn.oid = p.pronamespace
      WHERE n.nspname = $1 AND NOT t.tgisinternal`,
    [schema],
  );
  const bodies = functionBodies(schema);
  const actual = new Map(rows.map((r) => [r.name, r]));
  const problems: string[] = [];
  for (const t of TRIGGERS) {
    const found = actual.get(t.name);
    if (!found) problems.push(`trigger ${t.name} is missing`);
    else if (found.table !== t.table || found.type !== t.type || found.qual || found.fn !== t.fn || found.fnschema !== schema || found.body !== bodies[t.fn]) {
      problems.push(`trigger ${t.name} was changed`);
    } else if (found.enabled === 'D') problems.push(`trigger ${t.name} is disabled`);
  }
  for (const name of actual.keys()) if (!TRIGGERS.some((t) => t.name === name)) problems.push(`trigger ${name} is not one aigov created`);
  const constraints = await client.query<{ name: string; table: string; def: string }>(
    `SELECT co.conname AS name, c.relname AS table, pg_get_constraintdef(co.oid) AS def
       FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND co.contype = 'c'`,
    [schema],
  );
  const defs = new Map(constraints.rows.map((r) => [r.name, r]));
  for (const [name, want] of Object.entries(CONSTRAINTS)) {
    const found = defs.get(name);
    if (!found) problems.push(`constraint ${name} is missing`);
    else if (found.table !== want.table || found.def.replace(/ NOT VALID$/, '') !== want.def) problems.push(`constraint ${name} was changed`);
  }
  return problems;
}
