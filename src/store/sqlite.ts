// The embedded run log: one SQLite file, safe with several writing processes.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { hash } from 'node:crypto';
import { prepareRows, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import { RUN_COLUMNS, type ImpactRow, type RunRecord } from '../core/log/derived.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { AigovError, UsageError } from '../errors.js';
import { fileError } from '../fs/file-errors.js';
import { AppendQueue, type AppendRequest, type Outcome } from './group-commit.js';
import { checkChainInThread, type ChainReport } from './chain-thread.js';
import { RangeThreads } from './sqlite-verify.js';
import { WriterThread, sqliteWriter, type WriterSql } from './sqlite-writer.js';
import { SEQ_SLOTS, outcomes, wireRequest, type WireRequest, type WireResult } from './wire.js';
import {
  EVENT_COLUMNS,
  LEAN_EVENT_COLUMNS,
  RUN_SQL_COLUMNS,
  eventQuerySql,
  FOLD_COLUMNS,
  rowToFoldEvent,
  impactQuerySql,
  newEventId,
  rowToEvent,
  rowToImpact,
  rowToRun,
  rowToStored,
  rowToTouch,
  impactPages,
  runPages,
  type EventRow,
} from './sql.js';
import { ensureSchema, missingStatsIndexes, schemaProblems } from './sqlite-schema.js';
import type { AppendOptions, EventQuery, EventsTally, FoldRow, ImpactQuery, ImpactTouch, RangeVerify, RunQuery, Store, StoreAudit } from './types.js';
import { SQLITE_STATS, SQLITE_STATS_UNINDEXED, aggregateRuns, type AggregateQuery, type StoreAggregates } from './stats-sql.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

export interface SqliteStoreOptions {
  /** How the store is named in messages and `store.url`; defaults to `sqlite:PATH`. */
  url?: string;
  /** How long an append waits for other writers before giving up. */
  lockTimeoutMs?: number;
  /**
   * Where appends are written: on this thread, on a writer thread of their
   * own, or (`auto`, the default) on this thread until several callers append
   * at once.
   */
  writer?: 'auto' | 'thread' | 'inline';
}

const PAGE = 1000;

function sqliteCode(err: unknown): string {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
}

/** A file-system failure on the run log's path, said as the run log's, with what to do. */
function runLogFileError(err: unknown, path: string, use: 'read' | 'write'): AigovError | undefined {
  const e = fileError(err, path, use);
  return e && new AigovError(e.code, `the run log ${e.message}`, { exitCode: e.exitCode, location: e.location, cause: err, hint: 'point `store:` in aigov.yaml at a file in a folder aigov can write' });
}

/** The run log's folder, made where it is missing; a file in its way is the user's to move. */
function makeFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    // mkdir says EEXIST when a part of the path is a file, not a folder.
    const errno = (err as { code?: unknown }).code === 'EEXIST' ? Object.assign(err as object, { code: 'ENOTDIR' }) : err;
    throw runLogFileError(errno, path, 'write') ?? err;
  }
}

/** Why SQLite could not open `path`, where the file system can say: a folder in its place, no permission. */
function whyCannotOpen(path: string): AigovError | undefined {
  try {
    if (statSync(path).isDirectory()) return runLogFileError({ code: 'EISDIR' }, path, 'read');
    accessSync(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ENOENT') return runLogFileError(err, path, 'write');
  }
  // Missing: then it is the folder that cannot take it.
  try {
    accessSync(dirname(path), constants.W_OK);
    return undefined;
  } catch (err) {
    return runLogFileError(err, dirname(path), 'write');
  }
}

function openDatabase(Driver: typeof BetterSqlite3, path: string): Database {
  if (path !== ':memory:') makeFolder(path);
  try {
    const db = new Driver(path);
    // Opening is rare and may meet another process creating the schema: wait long here.
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: WAL+NORMAL already survives a killed writer, but an OS
    // crash could lose the last acknowledged events, and a seal already
    // committed to git would then name an event the log no longer has. An
    // audit log pays the fsync per commit (and group commit shares it).
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
    const why = sqliteCode(err) === 'SQLITE_CANTOPEN' && path !== ':memory:' ? whyCannotOpen(path) : undefined;
    if (why) throw why;
    throw new UsageError(`cannot open the run log ${path}: ${message}`);
  }
}

export async function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  const { default: Driver } = await import('better-sqlite3');
  return new SqliteStore(Driver, openDatabase(Driver, path), path, opts);
}

const deps = { now: () => new Date().toISOString(), newId: () => newEventId() };

class SqliteStore implements Store {
  readonly url: string;
  readonly #Driver: typeof BetterSqlite3;
  readonly #db: Database;
  readonly #path: string;
  readonly #lockTimeoutMs: number;
  readonly #head: Statement;
  readonly #page: Statement;
  readonly #queries = new Map<string, Statement>();
  readonly #writerSql: WriterSql;
  readonly #writeInline: (reqs: WireRequest[]) => WireResult[];
  readonly #mode: 'auto' | 'thread' | 'inline';
  #thread: WriterThread | null = null;
  readonly #queue: AppendQueue;

  constructor(Driver: typeof BetterSqlite3, db: Database, path: string, opts: SqliteStoreOptions) {
    this.url = opts.url ?? `sqlite:${path}`;
    this.#Driver = Driver;
    this.#db = db;
    this.#path = path;
    this.#lockTimeoutMs = opts.lockTimeoutMs ?? 30_000;
    this.#head = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.#page = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`).raw(true);
    this.#writerSql = {
      head: 'SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1',
      insertEvent: `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      insertImpact: 'INSERT INTO impacts (seq, run_id, automation, system, ref, action) VALUES (?, ?, ?, ?, ?, ?)',
      runColumns: RUN_COLUMNS.map(([, c]) => c),
      notNull: ['first_seq', 'started_at', 'last_seq'],
      seqSlots: SEQ_SLOTS,
    };
    this.#writeInline = sqliteWriter(db, this.#writerSql, (text) => hash('sha256', text, 'hex'));
    this.#mode = opts.writer ?? 'auto';
    if (this.#mode === 'thread') this.#thread = new WriterThread(path, this.#writerSql, this.#lockTimeoutMs);
    this.#queue = new AppendQueue((reqs) => this.#write(reqs));
  }

  async append(events: NewEvent[], opts: AppendOptions = {}): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    // Checked before queueing, so a bad event fails its own caller only.
    return this.#queue.add({ rows: prepareRows(events, deps), expect: opts.expect });
  }

  async #write(reqs: AppendRequest[]): Promise<Outcome[]> {
    const wire = reqs.map(wireRequest);
    if (this.#thread) {
      let results: WireResult[];
      try {
        results = await this.#thread.write(wire);
      } catch (err) {
        throw sqliteCode(err).startsWith('SQLITE_BUSY') ? this.#busy() : this.#failure('append to', err);
      }
      return outcomes(reqs, results, this.#path);
    }
    // Appends from several callers at once: later batches go to a writer
    // thread, so commits stop stalling this one. A command that appends once
    // never starts it.
    if (this.#mode === 'auto' && reqs.length > 1 && this.#path !== ':memory:') this.#thread = new WriterThread(this.#path, this.#writerSql, this.#lockTimeoutMs);
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return outcomes(reqs, this.#writeInline(wire), this.#path);
      } catch (err) {
        if (err instanceof AigovError) throw err;
        if (!sqliteCode(err).startsWith('SQLITE_BUSY')) throw this.#failure('append to', err);
        if (Date.now() >= deadline) throw this.#busy();
        // Jittered, so waiting processes do not wake in lockstep.
        await sleep(Math.random() * Math.min(25, 1 + attempt));
      }
    }
  }

  #busy(): AigovError {
    return new AigovError('E_STORE_BUSY', `the run log ${this.#path} stayed locked by another writer for ${this.#lockTimeoutMs / 1000} s`, {
      exitCode: 3,
      hint: 'another process holds a long write transaction on it',
    });
  }

  async query(q: EventQuery): Promise<LoggedEvent[]> {
    const { sql, params } = eventQuerySql(q, () => '?');
    return this.#read(() => (this.#statement(sql).raw(true).all(...params) as EventRow[]).map(rowToEvent));
  }

  async queryForFold(q: EventQuery): Promise<FoldRow[]> {
    const { sql, params } = eventQuerySql(q, () => '?', FOLD_COLUMNS);
    return this.#read(() => (this.#statement(sql).raw(true).all(...params) as unknown[][]).map(rowToFoldEvent));
  }

  queryRuns(q: RunQuery): AsyncIterable<RunRecord[]> {
    return runPages(q, () => '?', (sql, params) => this.#read(() => this.#statement(sql).raw(true).all(...params) as unknown[][]));
  }

  async aggregateRuns(q: AggregateQuery): Promise<StoreAggregates> {
    const dialect = this.#read(() => (missingStatsIndexes(this.#db).length ? SQLITE_STATS_UNINDEXED : SQLITE_STATS));
    return aggregateRuns(q, dialect, async (sql) => this.#read(() => this.#statement(sql).raw(true).all() as unknown[][]));
  }

  async queryImpacts(q: ImpactQuery): Promise<ImpactTouch[]> {
    const { sql, params } = impactQuerySql(q, () => '?');
    return this.#read(() => (this.#statement(sql).raw(true).all(...params) as unknown[][]).map(rowToTouch));
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
    let next = Math.max(1, fromSeq);
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

  async audit(): Promise<StoreAudit> {
    // Its own read-only connection, in one read transaction: a snapshot that
    // appends from this or any process do not move while verify reads it.
    const db = this.#read(() => new this.#Driver(this.#path, { readonly: true, fileMustExist: true }));
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN');
    db.prepare('SELECT 1 FROM events LIMIT 1').get();
    return new SqliteAudit(db, this.#path, (what, err) => this.#failure(what, err));
  }

  async close(): Promise<void> {
    await this.#queue.drain();
    await this.#thread?.close();
    this.#thread = null;
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

class SqliteAudit implements StoreAudit {
  readonly #db: Database;
  readonly #path: string;
  readonly #failure: (what: string, err: unknown) => AigovError;
  readonly checkChain?: (toSeq: number) => Promise<ChainReport>;

  constructor(db: Database, path: string, failure: (what: string, err: unknown) => AigovError) {
    this.#db = db;
    this.#path = path;
    this.#failure = failure;
    if (path !== ':memory:') {
      this.checkChain = async (toSeq) => {
        try {
          return await checkChainInThread(this.#path, toSeq);
        } catch (err) {
          throw this.#failure('verify', err);
        }
      };
    }
  }

  async tally(): Promise<EventsTally> {
    return this.#read(() => {
      const t = this.#db.prepare('SELECT count(*), min(seq), max(seq) FROM events').raw(true).get() as [number, number | null, number | null];
      const outside = this.#db.prepare('SELECT seq FROM events WHERE seq < 1 ORDER BY seq LIMIT 10').pluck(true).all() as number[];
      return { count: t[0], minSeq: t[1], maxSeq: t[2], outside };
    });
  }

  async *events(opts: { lean?: boolean } = {}): AsyncIterable<StoredEvent[]> {
    const page = this.#db.prepare(`SELECT ${opts.lean ? LEAN_EVENT_COLUMNS : EVENT_COLUMNS} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`).raw(true);
    for (let next = 1; ; ) {
      const rows = this.#read(() => page.all(next, PAGE) as EventRow[]);
      if (rows.length > 0) yield rows.map(rowToStored);
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
  }

  impacts(): AsyncIterable<ImpactRow[]> {
    const statements = new Map<string, Statement>();
    const prepared = (sql: string): Statement => {
      let s = statements.get(sql);
      if (!s) statements.set(sql, (s = this.#db.prepare(sql).raw(true)));
      return s;
    };
    return impactPages((sql, params) => this.#read(() => prepared(sql).all(...params) as unknown[][]), () => '?');
  }

  async *runs(): AsyncIterable<RunRecord[]> {
    // In table order, which is the order rows were first written in (each with
    // its run's first event): a sequential read instead of an index walk.
    const page = this.#db.prepare(`SELECT ${RUN_SQL_COLUMNS}, rowid FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw(true);
    for (let rowid = 0; ; ) {
      const rows = this.#read(() => page.all(rowid, PAGE) as unknown[][]);
      if (rows.length > 0) yield rows.map(rowToRun);
      if (rows.length < PAGE) return;
      rowid = rows[rows.length - 1][1 + RUN_COLUMNS.length] as number;
    }
  }

  async ranges(count: number): Promise<RangeVerify | null> {
    if (this.#path === ':memory:') return null;
    const head = this.#db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').raw(true);
    let threads: RangeThreads | null;
    try {
      threads = await RangeThreads.start(this.#path, count, (again) => {
        if (again) {
          this.#db.exec('COMMIT');
          this.#db.exec('BEGIN');
        }
        const h = head.get() as [number, string] | undefined;
        return h ? `${h[0]}:${h[1]}` : '';
      });
    } catch (err) {
      throw this.#failure('verify', err);
    }
    if (!threads) return null;
    const db = this.#db;
    const read = <T>(fn: () => T): T => this.#read(fn);
    const failure = this.#failure;
    return {
      async run(toSeq) {
        try {
          return await threads.run(toSeq);
        } catch (err) {
          throw failure('verify', err);
        }
      },
      async *hashes(toSeq) {
        const page = db.prepare('SELECT seq, hash FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?').raw(true);
        for (let next = 1; ; ) {
          const rows = read(() => page.all(next, toSeq, PAGE) as [number, string][]);
          if (rows.length > 0) yield rows.map(([seq, hash]) => ({ seq, hash }));
          if (rows.length < PAGE) return;
          next = rows[rows.length - 1][0] + 1;
        }
      },
      async maxSeq() {
        return read(() => (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0);
      },
      async impactsOutside(toSeq) {
        // Two index ranges, not one scan: `seq < 1 OR seq > ?` reads every row. What is not a number sorts after every number.
        const cols = 'seq, run_id, automation, system, ref, action';
        const below = read(() => db.prepare(`SELECT ${cols} FROM impacts WHERE seq < 1 ORDER BY seq`).raw(true).all() as unknown[][]);
        const past = read(() => db.prepare(`SELECT ${cols} FROM impacts WHERE seq > ? ORDER BY seq`).raw(true).all(toSeq) as unknown[][]);
        return [...below, ...past].map(rowToImpact);
      },
      close: () => threads.stop(),
    };
  }

  async schemaProblems(): Promise<string[]> {
    return this.#read(() => schemaProblems(this.#db));
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#db.exec('COMMIT');
    this.#db.close();
  }

  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof AigovError ? err : this.#failure('audit', err);
    }
  }
}
