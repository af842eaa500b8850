// The shared run log: many hosts appending to one chain in PostgreSQL. The
// tables live in their own schema (`?schema=NAME`, default `aigov`), so they
// never collide with the tables of the database they share.
import type { Pool, PoolClient } from 'pg';
import { chainRows, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { AigovError, UsageError } from '../errors.js';
import { EVENT_COLUMNS, checkCondition, conditionSql, eventQuerySql, impactsOf, newEventId, rowToEvent, rowToStored, type EventRow, type ImpactRow } from './sql.js';
import { ensureSchema } from './postgres-schema.js';
import type { AppendOptions, EventQuery, Store } from './types.js';

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

const INSERT_EVENTS = `INSERT INTO events (${EVENT_COLUMNS})
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`;
const INSERT_IMPACTS = `INSERT INTO impacts (seq, run_id, automation, system, ref, action)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`;

class PostgresStore implements Store {
  readonly url: string;
  readonly #pool: Pool;
  readonly #lockSql: string;
  #closed = false;

  constructor(url: string, pool: Pool, schema: string) {
    this.url = url;
    this.#pool = pool;
    // The advisory lock serializes appenders on every host; the primary key on
    // seq would refuse a fork even without it.
    this.#lockSql = `BEGIN; SELECT pg_advisory_xact_lock(hashtext('aigov:append:${schema}')); SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`;
  }

  async append(events: NewEvent[], opts: AppendOptions = {}): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw failure(this.url, 'append to', err);
    }
    let broken: Error | undefined;
    try {
      const results = (await client.query(this.#lockSql)) as unknown as { rows: { seq: string; hash: string }[] }[];
      const last = results[2].rows[0];
      const head: ChainHead | null = last ? { seq: Number(last.seq), hash: last.hash } : null;
      if (opts.expect) {
        const { sql, params } = conditionSql(opts.expect, (n) => `$${n}`);
        const found = await client.query<[string | null]>({ text: sql, values: params, rowMode: 'array' });
        checkCondition(opts.expect, found.rows[0]?.[0]);
      }
      const rows = chainRows(head, events, { now: () => new Date().toISOString(), newId: () => newEventId() });
      const columns: unknown[][] = Array.from({ length: 11 }, () => []);
      const impacts: ImpactRow[] = [];
      for (const { event: e, dataJson } of rows) {
        const values = [e.seq, e.id, e.v, e.type, e.at, e.automation, e.runId, e.actor, dataJson, e.prevHash, e.hash];
        values.forEach((value, n) => columns[n].push(value));
        impacts.push(...impactsOf(e));
      }
      await client.query(INSERT_EVENTS, columns);
      if (impacts.length > 0) {
        await client.query(INSERT_IMPACTS, [
          impacts.map((i) => i.seq),
          impacts.map((i) => i.runId),
          impacts.map((i) => i.automation),
          impacts.map((i) => i.system),
          impacts.map((i) => i.ref),
          impacts.map((i) => i.action),
        ]);
      }
      await client.query('COMMIT');
      return rows.map((r) => r.event);
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw failure(this.url, 'append to', err);
    } finally {
      client.release(broken);
    }
  }

  async query(q: EventQuery): Promise<LoggedEvent[]> {
    const { sql, params } = eventQuerySql(q, (n) => `$${n}`);
    return (await this.#rows(sql, params)).map(rowToEvent);
  }

  async *scan(fromSeq = 1): AsyncIterable<LoggedEvent> {
    for await (const rows of this.#pages(fromSeq)) for (const row of rows) yield rowToEvent(row);
  }

  async *scanStored(fromSeq = 1): AsyncIterable<StoredEvent[]> {
    for await (const rows of this.#pages(fromSeq)) yield rows.map(rowToStored);
  }

  async *#pages(fromSeq: number): AsyncIterable<EventRow[]> {
    let next = fromSeq;
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
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
