// The hash chain of a SQLite log checked on a thread of its own, reading its
// own connection, while `log verify` accounts for the rows on the main thread:
// the two halves of verify run side by side. The result is the one
// createVerifier (core/log/chain.ts) gives for the same rows; the tests hold
// the two equal on intact and tampered chains.
//
// `checkChainPage` and `chainThread` are self-contained (only their parameters
// and Node's globals, `require` passed in), because the thread runs their
// source text.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

export interface ChainState {
  seq: number;
  hash: string;
  count: number;
  firstBad: { seq: number; reason: string } | null;
}

export interface ChainReport {
  count: number;
  head: { seq: number; hash: string } | null;
  firstBad: { seq: number; reason: string } | null;
}

/**
 * Checks a page of event rows (seq, id, v, type, at, automation, run_id,
 * actor, data, prev_hash, hash) after `state`, as createVerifier does:
 * sha256(prevHash + canonical JSON of every other field), the keys in
 * canonical order, the stored data text as it is.
 */
export function checkChainPage(rows: unknown[][], state: ChainState, sha256: (text: string) => string): void {
  const field = (x: unknown): string => (typeof x === 'string' ? JSON.stringify(x) : x === null ? 'null' : typeof x === 'number' && Number.isFinite(x) && !Object.is(x, -0) ? String(x) : JSON.stringify(x) ?? 'null');
  for (const r of rows) {
    const seq = Number(r[0]);
    const expected = state.seq + 1;
    state.count += 1;
    if (state.firstBad === null) {
      if (seq > expected) {
        const missing = seq - 1 === expected ? `event ${expected} is` : `events ${expected}-${seq - 1} are`;
        state.firstBad = { seq: expected, reason: `seq gap: ${missing} missing (deleted)` };
      } else if (seq < expected) {
        state.firstBad = { seq, reason: `seq out of order: expected ${expected}, found ${seq} (reordered or inserted)` };
      } else if (r[9] !== state.hash) {
        state.firstBad = { seq, reason: 'prevHash mismatch: it does not link to the event before (reordered or inserted)' };
      } else {
        const text =
          '{"actor":' + field(r[7]) + ',"at":' + field(r[4]) + ',"automation":' + field(r[5]) + ',"data":' + String(r[8]) +
          ',"id":' + field(r[1]) + ',"runId":' + field(r[6]) + ',"seq":' + field(r[0]) + ',"type":' + field(r[3]) + ',"v":' + field(r[2]) + '}';
        if (sha256(String(r[9]) + text) !== r[10]) state.firstBad = { seq, reason: 'hash mismatch: the event was edited' };
      }
    }
    state.seq = seq;
    state.hash = String(r[10]);
  }
}

export interface ChainThreadData {
  driver: string;
  path: string;
  toSeq: number;
}

/** The thread's program: one read transaction over the events up to `toSeq`, in pages, then the report. */
export function chainThread(check: typeof checkChainPage, load: NodeJS.Require): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const data = workerData as ChainThreadData;
  const Driver = load(data.driver) as typeof BetterSqlite3;
  const { hash } = load('node:crypto') as typeof import('node:crypto');
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Driver(data.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    const page = db.prepare('SELECT seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT 2000').raw(true);
    const state: ChainState = { seq: 0, hash: '0'.repeat(64), count: 0, firstBad: null };
    const sha256 = (text: string): string => hash('sha256', text, 'hex');
    db.exec('BEGIN');
    for (let next = 1; ; ) {
      const rows = page.all(next, data.toSeq) as unknown[][];
      check(rows, state, sha256);
      if (rows.length < 2000) break;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
    db.exec('COMMIT');
    parentPort!.postMessage({ report: { count: state.count, head: state.count ? { seq: state.seq, hash: state.hash } : null, firstBad: state.firstBad } });
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  } finally {
    db?.close();
  }
}

/** Checks the chain of the SQLite log at `path` from seq 1 up to `toSeq`, on a thread of its own. */
export function checkChainInThread(path: string, toSeq: number): Promise<ChainReport> {
  const data: ChainThreadData = { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, toSeq };
  // `require` is passed in, not called inside: a bundler rewrites calls to it in the functions' text.
  const worker = new Worker(`(${chainThread.toString()})(${checkChainPage.toString()}, require)`, { eval: true, workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { report?: ChainReport; error?: string }) => {
      if (m.report) resolve(m.report);
      else reject(new Error(m.error));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the chain thread stopped (exit ${code})`)));
  });
}
