// The SQLite append transaction, and a thread to run it in. A commit waits for
// an fsync (synchronous=FULL), and better-sqlite3 waits synchronously: on the
// main thread every commit stalls the whole process, so a library under load
// writes from its own thread instead, while the main thread goes on serving
// its callers (and group commit gathers what arrives meanwhile).
//
// `sqliteWriter` and `writerThread` are self-contained: they use only their
// parameters and Node's globals (`require` is passed in), because the thread
// runs their source text
// (no module of this package is loaded there, so it works alike from the
// sources, the compiled library and the bundled CLI).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { WireRequest, WireResult } from './wire.js';

export interface WriterSql {
  head: string;
  insertEvent: string;
  insertImpact: string;
  /** The runs table's columns after run_id, in the order of the runs upsert's parameters (runUpsertParams). */
  runColumns: string[];
  /** Those of them the table declares NOT NULL: a row that exists already has them, so filling them while empty is nothing to write. */
  notNull: string[];
  /** Where the runs upsert's parameters hold a seq column's value (SEQ_SLOTS). */
  seqSlots: readonly number[];
}

type Head = { seq: number; hash: string } | null;

/**
 * The append transaction: under the write lock (BEGIN IMMEDIATE) it reads the
 * head, and for each request in turn checks its condition, chains its events
 * and writes them with their impacts and runs rows. Should any request fail,
 * the batch is written again with each request in a savepoint of its own, so
 * that only that one fails. Throws only SQLITE_BUSY (the lock is held by
 * another process: try again) and what fails the whole batch.
 */
export function sqliteWriter(db: BetterSqlite3.Database, sql: WriterSql, hash: (text: string) => string): (reqs: WireRequest[]) => WireResult[] {
  const head = db.prepare(sql.head);
  const insertEvent = db.prepare(sql.insertEvent);
  const insertImpact = db.prepare(sql.insertImpact);
  const conditions = new Map<string, BetterSqlite3.Statement>();
  // A runs upsert for each set of columns a patch touches (a handful: one a
  // kind of event), naming only those: the generic one, with a CASE for every
  // column, costs most of an append.
  const n = sql.runColumns.length;
  const upserts = new Map<number, { stmt: BetterSqlite3.Statement; slots: number[] }>();
  const upsertRun = (params: (string | number | null)[]): void => {
    // The modes (0, 1 or 2 a column) as one number, in base 3: no string a row.
    let modes = 0;
    for (let i = 1 + n + n - 1; i > n; i--) modes = modes * 3 + (params[i] as number);
    let u = upserts.get(modes);
    if (!u) {
      const slots: number[] = [];
      const set: string[] = [];
      for (let i = 0; i < n; i++) {
        const mode = params[1 + n + i];
        if (mode === 0) continue;
        const c = sql.runColumns[i];
        slots.push(1 + i);
        // Not named in the update at all, so SQLite leaves that column's indexes alone.
        if (mode === 2 && sql.notNull.includes(c)) continue;
        set.push(mode === 1 ? `${c} = excluded.${c}` : `${c} = coalesce(runs.${c}, excluded.${c})`);
      }
      const cols = slots.map((slot) => sql.runColumns[slot - 1]);
      const text = `INSERT INTO runs (run_id, ${cols.join(', ')}) VALUES (${['?', ...cols.map(() => '?')].join(', ')}) ON CONFLICT (run_id) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`;
      upserts.set(modes, (u = { stmt: db.prepare(text), slots }));
    }
    const slots = u.slots;
    const values: (string | number | null)[] = new Array(1 + slots.length);
    values[0] = params[0];
    for (let k = 0; k < slots.length; k++) values[1 + k] = params[slots[k]];
    // An array binds as the statement's parameters in order, without spreading it into arguments.
    u.stmt.run(values);
  };
  // One request: its condition checked against everything written before it
  // (the batch's earlier requests too), then its events chained and written.
  const write = (req: WireRequest, from: Head): WireResult => {
    if (req.expect) {
      let check = conditions.get(req.expect.sql);
      if (!check) conditions.set(req.expect.sql, (check = db.prepare(req.expect.sql).pluck(true)));
      const found = (check.get(...req.expect.params) as number | null | undefined) ?? null;
      if (found !== req.expect.lastSeq) return { ok: false, conflict: found };
    }
    let seq = from ? from.seq : 0;
    let prev = from ? from.hash : '0'.repeat(64);
    const seqs: number[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const e of req.events) {
      seq += 1;
      const digest = hash(prev + e.before + e.columns[7] + e.middle + seq + e.after);
      const c = e.columns;
      insertEvent.run([seq, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], prev, digest]);
      for (const [system, ref, action] of e.impacts) insertImpact.run(seq, e.columns[5], e.columns[4], system, ref, action);
      if (e.run) {
        for (const slot of sql.seqSlots) e.run[slot] = seq;
        upsertRun(e.run);
      }
      seqs.push(seq);
      prevs.push(prev);
      hashes.push(digest);
      prev = digest;
    }
    return { ok: true, seqs, prevs, hashes };
  };
  const after = (r: WireResult, from: Head): Head => (r.ok && r.seqs.length > 0 ? { seq: r.seqs[r.seqs.length - 1], hash: r.hashes[r.hashes.length - 1] } : from);
  // The common case: nothing fails, and no savepoint is needed (a savepoint
  // makes SQLite keep a sub-journal of every page it changes).
  const fast = db.transaction((reqs: WireRequest[]): WireResult[] => {
    let from = (head.get() as Head | undefined) ?? null;
    return reqs.map((req) => {
      const r = write(req, from);
      from = after(r, from);
      return r;
    });
  });
  // After a failure: again from the start, each request in a savepoint of its own, so the one that fails is undone alone.
  const one = db.transaction(write);
  const isolated = db.transaction((reqs: WireRequest[]): WireResult[] => {
    let from = (head.get() as Head | undefined) ?? null;
    return reqs.map((req): WireResult => {
      try {
        const r = one(req, from);
        from = after(r, from);
        return r;
      } catch (err) {
        const code = String((err as { code?: unknown })?.code ?? '');
        if (code.startsWith('SQLITE_BUSY')) throw err;
        return { ok: false, error: err instanceof Error ? err.message : String(err), code: code || null };
      }
    });
  });
  return (reqs) => {
    // The runs-row parameters are filled in place: a second attempt writes them again.
    try {
      return fast.immediate(reqs);
    } catch (err) {
      if (String((err as { code?: unknown })?.code ?? '').startsWith('SQLITE_BUSY')) throw err;
      return isolated.immediate(reqs);
    }
  };
}

export interface ThreadData {
  driver: string;
  path: string;
  sql: WriterSql;
  lockTimeoutMs: number;
}

/** The writer thread's program: opens its own connection and answers each batch with its results. */
export function writerThread(makeWriter: typeof sqliteWriter, load: NodeJS.Require): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const data = workerData as ThreadData;
  const Driver = load(data.driver) as typeof BetterSqlite3;
  const { hash } = load('node:crypto') as typeof import('node:crypto');
  const db = new Driver(data.path);
  db.pragma('busy_timeout = 20');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const write = makeWriter(db, data.sql, (text) => hash('sha256', text, 'hex'));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // A batch comes as JSON text and its results go back as JSON text: copying one string
  // between threads costs less than cloning the objects (measured: about half).
  parentPort!.on('message', (m: { id: number; reqs?: string; close?: true }) => {
    if (m.close) {
      db.close();
      parentPort!.close();
      return;
    }
    const deadline = Date.now() + data.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        parentPort!.postMessage({ id: m.id, results: JSON.stringify(write(JSON.parse(m.reqs!) as WireRequest[])) });
        return;
      } catch (err) {
        const code = String((err as { code?: unknown })?.code ?? '');
        // This thread may wait: only its own queue waits with it. Jittered, so writers do not wake in lockstep.
        if (code.startsWith('SQLITE_BUSY') && Date.now() < deadline) {
          Atomics.wait(pause, 0, 0, Math.random() * Math.min(25, 1 + attempt));
          continue;
        }
        parentPort!.postMessage({ id: m.id, error: { message: err instanceof Error ? err.message : String(err), code } });
        return;
      }
    }
  });
}

interface Pending {
  resolve(results: WireResult[]): void;
  reject(err: unknown): void;
}

/** The main thread's side of the writer thread. */
export class WriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #failed: Error | null = null;

  constructor(path: string, sql: WriterSql, lockTimeoutMs: number) {
    const data: ThreadData = { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, sql, lockTimeoutMs };
    // `require` is passed in, not called inside: a bundler rewrites calls to it in the functions' text.
    this.#worker = new Worker(`(${writerThread.toString()})(${sqliteWriter.toString()}, require)`, { eval: true, workerData: data });
    // Idle, the thread must not keep the process alive; while a batch is out, it must.
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; results?: string; error?: { message: string; code: string } }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (m.results !== undefined) p.resolve(JSON.parse(m.results) as WireResult[]);
      else p.reject(Object.assign(new Error(m.error!.message), { code: m.error!.code }));
    });
    const fail = (err: Error): void => {
      this.#failed = err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the run log's writer thread stopped (exit ${code})`)));
  }

  write(reqs: WireRequest[]): Promise<WireResult[]> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, reqs: JSON.stringify(reqs) });
    });
  }

  async close(): Promise<void> {
    if (this.#failed) return;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.ref();
    this.#worker.postMessage({ id: -1, close: true });
    await exited;
  }
}
