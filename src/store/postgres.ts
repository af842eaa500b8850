// The shared run log: many hosts appending to one chain in PostgreSQL. The
// tables live in their own schema (`?schema=NAME`, default `aigov`), so they
// never collide with the tables of the database they share.
import type { Pool, PoolClient } from 'pg';
import { hashParts, prepareRows, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import { RUN_COLUMNS, impactRows, runPatch, type ImpactRow, type RunRecord } from '../core/log/derived.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { AigovError, UsageError } from '../errors.js';
import { AppendQueue, type AppendRequest, type Outcome } from './group-commit.js';
import { ensureSchema, schemaProblems } from './postgres-schema.js';
import {
  EVENT_COLUMNS,
  LEAN_EVENT_COLUMNS,
  RUN_SQL_COLUMNS,
  checkCondition,
  conditionSql,
  eventQuerySql,
  FOLD_COLUMNS,
  rowToFoldEvent,
  impactQuerySql,
  newEventId,
  rowToEvent,
  rowToRun,
  rowToStored,
  rowToTouch,
  impactPages,
  runPages,
  type EventRow,
} from './sql.js';
import type { AppendOptions, EventQuery, EventsTally, FoldRow, ImpactQuery, ImpactTouch, RunQuery, Store, StoreAudit } from './types.js';
import { POSTGRES_STATS, aggregateRuns, type AggregateQuery, type StoreAggregates } from './stats-sql.js';

const PAGE = 2000;

/** Splits our own `schema` parameter off the URL and refuses a password in it. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`invalid store URL ${JSON.stringify(url)}`, { hint: 'postgres://user@host:5432/database' });
  }
  if (u.password || u.searchParams.has('password')) {
    throw new UsageError('the store URL contains a password; secrets come only from the environment', {
      hint: 'remove it from the URL in aigov.yaml and set PGPASSWORD (or use ~/.pgpass)',
    });
  }
  const schema = u.searchParams.get('schema') ?? 'aigov';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new UsageError(`invalid schema name ${JSON.stringify(schema)} in the store URL`, { hint: 'lower-case letters, digits and _' });
  }
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

function failure(url: string, what: string, err: unknown): AigovError {
  if (err instanceof AigovError) return err;
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new AigovError('E_STORE_UNREACHABLE', `cannot reach the run log at ${url}: ${message}`, { exitCode: 3, cause: err });
    case '28P01':
    case '28000':
      return new AigovError('E_STORE_AUTH', `the run log at ${url} refused the login: ${message}`, {
        exitCode: 3,
        hint: 'set PGPASSWORD (or a ~/.pgpass entry) for this user',
        cause: err,
      });
    case '3D000':
      return new UsageError(`the database of the run log ${url} does not exist`, { hint: 'create it, or fix `store:` in aigov.yaml' });
    default:
      return new AigovError('E_STORE', `cannot ${what} the run log at ${url}: ${message}`, { exitCode: 3, cause: err });
  }
}

export async function openPostgresStore(url: string): Promise<Store> {
  const { connectionString, schema } = parsePostgresUrl(url);
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, options: `-c search_path=${schema}`, max: 8 });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  let client: PoolClient | undefined;
  try {
    client = await pool.connect();
    await ensureSchema(client, schema);
    client.release();
  } catch (err) {
    client?.release(true);
    await pool.end().catch(() => {});
    throw failure(url, 'open', err);
  }
  return new PostgresStore(url, pool, schema);
}

const deps = { now: () => new Date().toISOString(), newId: () => newEventId() };

interface AppendResult {
  o_found: (string | null)[];
  o_error: (string | null)[];
  o_seq: (string | null)[];
  o_prev: (string | null)[];
  o_hash: (string | null)[];
}

/** A batch of requests as the parameters of aigov_append, one array a column. */
function appendParams(reqs: AppendRequest[]): unknown[] {
  const cols = Array.from({ length: 20 }, (): unknown[] => []);
  const [rCount, rRun, rTypes, rLast, id, v, type, at, automation, run, actor, data, before, middle, after, patch, iEvent, iSystem, iRef, iAction] = cols;
  let n = 0;
  for (const req of reqs) {
    rCount.push(req.rows.length);
    rRun.push(req.expect ? req.expect.runId : null);
    rTypes.push(req.expect ? req.expect.types.join(',') : null);
    rLast.push(req.expect ? req.expect.lastSeq : null);
    for (const { event: e, dataJson } of req.rows) {
      n += 1;
      const parts = hashParts(e);
      id.push(e.id);
      v.push(e.v);
      type.push(e.type);
      at.push(e.at);
      automation.push(e.automation);
      run.push(e.runId);
      actor.push(e.actor);
      data.push(dataJson);
      before.push(parts.before);
      middle.push(parts.middle);
      after.push(parts.after);
      // seq is not known yet: the database puts it into first_seq and last_seq itself.
      const p = runPatch({ ...e, seq: 0, prevHash: '', hash: '' } as LoggedEvent);
      patch.push(p ? JSON.stringify(RUN_COLUMNS.map(([column]) => p.ops[column] ?? [0, null])) : null);
      for (const i of impactRows({ ...e, seq: 0, prevHash: '', hash: '' } as LoggedEvent)) {
        iEvent.push(n);
        iSystem.push(i.system);
        iRef.push(i.ref);
        iAction.push(i.action);
      }
    }
  }
  return cols;
}

class PostgresStore implements Store {
  readonly url: string;
  readonly #pool: Pool;
  readonly #schema: string;
  readonly #appendSql: string;
  readonly #queue: AppendQueue;
  #closed = false;

  constructor(url: string, pool: Pool, schema: string) {
    this.url = url;
    this.#pool = pool;
    this.#schema = schema;
    this.#appendSql = `SELECT * FROM ${schema}.aigov_append(${Array.from({ length: 20 }, (_, i) => `$${i + 1}`).join(', ')})`;
    this.#queue = new AppendQueue((reqs) => this.#write(reqs));
  }

  async append(events: NewEvent[], opts: AppendOptions = {}): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    if (opts.expect) conditionSql(opts.expect, (n) => `$${n}`);
    // Checked before queueing, so a bad event fails its own caller only.
    return this.#queue.add({ rows: prepareRows(events, deps), expect: opts.expect });
  }

  /** One round trip a batch: aigov_append does the lock, the chain and every row. */
  async #write(reqs: AppendRequest[]): Promise<Outcome[]> {
    let r: AppendResult;
    try {
      r = (await this.#pool.query<AppendResult>(this.#appendSql, appendParams(reqs))).rows[0];
    } catch (err) {
      throw failure(this.url, 'append to', err);
    }
    let n = 0;
    return reqs.map((req, k): Outcome => {
      const first = n;
      n += req.rows.length;
      const error = r.o_error[k];
      if (error === 'conflict') {
        try {
          checkCondition(req.expect!, r.o_found[k]);
        } catch (conflict) {
          return { ok: false, error: conflict };
        }
      }
      if (error) return { ok: false, error: new AigovError('E_STORE', `cannot append to the run log at ${this.url}: ${error}`, { exitCode: 3 }) };
      const events = req.rows.map(({ event }, j) => ({ ...event, seq: Number(r.o_seq[first + j]), prevHash: r.o_prev[first + j]!, hash: r.o_hash[first + j]! }) as LoggedEvent);
      return { ok: true, events };
    });
  }

  async query(q: EventQuery): Promise<LoggedEvent[]> {
    const { sql, params } = eventQuerySql(q, (n) => `$${n}`);
    return (await this.#rows(sql, params)).map(rowToEvent);
  }

  async queryForFold(q: EventQuery): Promise<FoldRow[]> {
    const { sql, params } = eventQuerySql(q, (n) => `$${n}`, FOLD_COLUMNS);
    return (await this.#rows<unknown[]>(sql, params)).map(rowToFoldEvent);
  }

  queryRuns(q: RunQuery): AsyncIterable<RunRecord[]> {
    return runPages(q, (n) => `$${n}`, (sql, params) => this.#rows<unknown[]>(sql, params));
  }

  async aggregateRuns(q: AggregateQuery): Promise<StoreAggregates> {
    return aggregateRuns(q, POSTGRES_STATS, (sql) => this.#rows<unknown[]>(sql, []));
  }

  async queryImpacts(q: ImpactQuery): Promise<ImpactTouch[]> {
    const { sql, params } = impactQuerySql(q, (n) => `$${n}`);
    return (await this.#rows<unknown[]>(sql, params)).map(rowToTouch);
  }

  async *scan(fromSeq = 1): AsyncIterable<LoggedEvent> {
    for await (const rows of this.#pages(fromSeq)) for (const row of rows) yield rowToEvent(row);
  }

  async *scanStored(fromSeq = 1): AsyncIterable<StoredEvent[]> {
    for await (const rows of this.#pages(fromSeq)) yield rows.map(rowToStored);
  }

  async *#pages(fromSeq: number): AsyncIterable<EventRow[]> {
    let next = Math.max(1, fromSeq);
    for (;;) {
      const rows = await this.#rows(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2`, [next, PAGE]);
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
  }

  async head(): Promise<ChainHead | null> {
    const rows = await this.#rows<[string, string]>('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1', []);
    return rows[0] ? { seq: Number(rows[0][0]), hash: rows[0][1] } : null;
  }

  async audit(): Promise<StoreAudit> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
      // One snapshot for every table, however long verify reads.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (err) {
      throw failure(this.url, 'audit', err);
    }
    return new PostgresAudit(client, this.#schema, (err) => failure(this.url, 'audit', err));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.drain();
    await this.#pool.end();
  }

  async #rows<R extends unknown[] = EventRow>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ text, values, rowMode: 'array' })).rows;
    } catch (err) {
      throw failure(this.url, 'read', err);
    }
  }
}

class PostgresAudit implements StoreAudit {
  readonly #client: PoolClient;
  readonly #schema: string;
  readonly #failure: (err: unknown) => AigovError;
  #done = false;

  constructor(client: PoolClient, schema: string, fail: (err: unknown) => AigovError) {
    this.#client = client;
    this.#schema = schema;
    this.#failure = fail;
  }

  async tally(): Promise<EventsTally> {
    const t = await this.#rows<[string, string | null, string | null]>('SELECT count(*), min(seq), max(seq) FROM events', []);
    const outside = await this.#rows<[string]>('SELECT seq FROM events WHERE seq < 1 ORDER BY seq LIMIT 10', []);
    const num = (x: string | null) => (x === null ? null : Number(x));
    return { count: Number(t[0][0]), minSeq: num(t[0][1]), maxSeq: num(t[0][2]), outside: outside.map((r) => Number(r[0])) };
  }

  async *events(opts: { lean?: boolean } = {}): AsyncIterable<StoredEvent[]> {
    for (let next = 1; ; ) {
      const rows = await this.#rows<EventRow>(`SELECT ${opts.lean ? LEAN_EVENT_COLUMNS : EVENT_COLUMNS} FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2`, [next, PAGE]);
      if (rows.length > 0) yield rows.map(rowToStored);
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
  }

  impacts(): AsyncIterable<ImpactRow[]> {
    return impactPages((sql, params) => this.#rows<unknown[]>(sql, params), (n) => `$${n}`);
  }

  async *runs(): AsyncIterable<RunRecord[]> {
    for (let seq = '-9223372036854775808', runId = ''; ; ) {
      const rows = await this.#rows<unknown[]>(`SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE (first_seq, run_id) > ($1::bigint, $2) ORDER BY first_seq, run_id LIMIT $3`, [seq, runId, PAGE]);
      if (rows.length > 0) yield rows.map(rowToRun);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1];
      seq = String(last[2]);
      runId = last[0] as string;
    }
  }

  async schemaProblems(): Promise<string[]> {
    try {
      return await schemaProblems(this.#client, this.#schema);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#client.query('COMMIT').catch(() => {});
    this.#client.release();
  }

  async #rows<R extends unknown[]>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.#client.query<R>({ text, values, rowMode: 'array' })).rows;
    } catch (err) {
      throw this.#failure(err);
    }
  }
}
