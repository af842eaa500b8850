// The embedded run log: one SQLite file, safe with several writing processes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { chainRows, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { AigovError, UsageError } from '../errors.js';
import { EVENT_COLUMNS, checkCondition, conditionSql, eventQuerySql, impactsOf, newEventId, rowToEvent, rowToStored, type EventRow } from './sql.js';
import { ensureSchema } from './sqlite-schema.js';
import type { AppendCondition, AppendOptions, EventQuery, Store } from './types.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

export interface SqliteStoreOptions {
  /** How the store is named in messages and `store.url`; defaults to `sqlite:PATH`. */
  url?: string;
  /** How long an append waits for other writers before giving up. */
  lockTimeoutMs?: number;
}

const PAGE = 1000;

function sqliteCode(err: unknown): string {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
}

function openDatabase(Driver: typeof BetterSqlite3, path: string): Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Driver(path);
    // Opening is rare and may meet another process creating the schema: wait long here.
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: WAL+NORMAL already survives a killed writer, but an OS
    // crash could lose the last acknowledged events, and a seal already
    // committed to git would then name an event the log no longer has. An
    // audit log pays the fsync per commit (appends are still batched).
    db.pragma('synchronous = FULL');
    ensureSchema(db, path);
    // Appends wait briefly in SQLite, then retry without blocking the event loop.
    db.pragma('busy_timeout = 20');
    return db;
  } catch (err) {
    if (err instanceof AigovError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (sqliteCode(err) === 'SQLITE_NOTADB') {
      throw new UsageError(`${path} is not a SQLite database`, { hint: 'point `store:` in aigov.yaml at a run log file' });
    }
    throw new UsageError(`cannot open the run log ${path}: ${message}`);
  }
}

export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  const { default: Driver } = await import('better-sqlite3');
  return new SqliteStore(openDatabase(Driver, path), path, opts);
}

class SqliteStore implements Store {
  readonly url: string;
  readonly #db: Database;
  readonly #path: string;
  readonly #lockTimeoutMs: number;
  readonly #head: Statement;
  readonly #page: Statement;
  readonly #queries = new Map<string, Statement>();
  readonly #append: (events: readonly NewEvent[], expect: AppendCondition | undefined) => LoggedEvent[];

  constructor(db: Database, path: string, opts: SqliteStoreOptions) {
    this.url = opts.url ?? `sqlite:${path}`;
    this.#db = db;
    this.#path = path;
    this.#lockTimeoutMs = opts.lockTimeoutMs ?? 30_000;
    this.#head = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.#page = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`).raw(true);
    const insertEvent = db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertImpact = db.prepare('INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (?, ?, ?, ?, ?, ?)');
    const deps = { now: () => new Date().toISOString(), newId: () => newEventId() };
    const append = db.transaction((events: readonly NewEvent[], expect: AppendCondition | undefined) => {
      if (expect) {
        const { sql, params } = conditionSql(expect, () => '?');
        checkCondition(expect, this.#statement(sql).pluck(true).get(...params) as number | null);
      }
      const rows = chainRows((this.#head.get() as ChainHead | undefined) ?? null, events, deps);
      for (const { event: e, dataJson } of rows) {
        insertEvent.run(e.seq, e.id, e.v, e.type, e.at, e.automation, e.runId, e.actor, dataJson, e.prevHash, e.hash);
        for (const i of impactsOf(e)) insertImpact.run(i.seq, i.runId, i.automation, i.system, i.ref, i.action);
      }
      return rows.map((r) => r.event);
    });
    // IMMEDIATE takes the write lock before reading the head, so two
    // processes can never chain onto the same head.
    this.#append = (events, expect) => append.immediate(events, expect);
  }

  async append(events: NewEvent[], opts: AppendOptions = {}): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return this.#append(events, opts.expect);
      } catch (err) {
        if (err instanceof AigovError) throw err;
        if (!sqliteCode(err).startsWith('SQLITE_BUSY')) throw this.#failure('append to', err);
        if (Date.now() >= deadline) {
          throw new AigovError('E_STORE_BUSY', `the run log ${this.#path} stayed locked by another writer for ${this.#lockTimeoutMs / 1000} s`, {
            exitCode: 3,
            hint: 'another process holds a long write transaction on it',
          });
        }
        // Jittered, so waiting processes do not wake in lockstep.
        await sleep(Math.random() * Math.min(25, 1 + attempt));
      }
    }
  }

  async query(q: EventQuery): Promise<LoggedEvent[]> {
    const { sql, params } = eventQuerySql(q, () => '?');
    return this.#read(() => (this.#statement(sql).raw(true).all(...params) as EventRow[]).map(rowToEvent));
  }

  /** A prepared statement, cached by its text (queries repeat with other parameters). */
  #statement(sql: string): Statement {
    let stmt = this.#queries.get(sql);
    if (!stmt) {
      if (this.#queries.size >= 200) this.#queries.clear();
      stmt = this.#db.prepare(sql);
      this.#queries.set(sql, stmt);
    }
    return stmt;
  }

  async *scan(fromSeq = 1): AsyncIterable<LoggedEvent> {
    for await (const rows of this.#pages(fromSeq)) for (const row of rows) yield rowToEvent(row);
  }

  async *scanStored(fromSeq = 1): AsyncIterable<StoredEvent[]> {
    for await (const rows of this.#pages(fromSeq)) yield rows.map(rowToStored);
  }

  // Keyset pages: each a short read, so memory stays flat and writers are never held up.
  async *#pages(fromSeq: number): AsyncIterable<EventRow[]> {
    let next = fromSeq;
    for (;;) {
      const rows = this.#read(() => this.#page.all(next, PAGE) as EventRow[]);
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
  }

  async head(): Promise<ChainHead | null> {
    return this.#read(() => (this.#head.get() as ChainHead | undefined) ?? null);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof AigovError ? err : this.#failure('read', err);
    }
  }

  #failure(what: string, err: unknown): AigovError {
    const message = err instanceof Error ? err.message : String(err);
    return new AigovError('E_STORE', `cannot ${what} the run log ${this.#path}: ${message}`, { exitCode: 3, cause: err });
  }
}
