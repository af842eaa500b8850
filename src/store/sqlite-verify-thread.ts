// One range of seqs of a SQLite log, verified on a thread of its own (see
// sqlite-verify.ts): its piece of the hash chain, and its account of the rows
// (core/log/row-account.ts), reading each event once. The canonical text each
// hash covers is put together by the database (json_quote is JSON.stringify
// for any stored text; the tests hold the two equal), and where a row holds a
// value of another type than aigov writes, by checkChainPage, as ever.
//
// The protocol: the thread opens its connection and says it is ready. On
// `snapshot` it begins a read transaction and answers with the head it sees; on
// `again` it begins a new one (the main thread saw another head); on `go` it
// verifies the range the message names and answers with the result.
import { createRequire } from 'node:module';
import { hash } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { DECISIONS, DISPOSITIONS } from '../core/log/payloads.js';
import { RangeAccount, type RowLayout } from '../core/log/row-account.js';
import { checkChainPage, type ChainState } from './chain-thread.js';
import { RUN_SQL_COLUMNS, RUN_SQL_NAMES, rowToImpact, rowToRun } from './sql.js';
import type { RangeJob, RangeReport, ThreadData, ThreadReply, ThreadRequest } from './sqlite-verify.js';

// Rows a read: short pages keep little alive from one garbage collection to the
// next (measured over 1M events against pages of 2000: ~15 % less CPU, ~100 MB less memory).
const PAGE = 500;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The text an event's hash covers (after its prevHash), spelled by the
 * database: chain.ts hashEventText. Only where `v` is a whole number and the
 * payload text (else NULL, and checkChainPage spells it, as ever); the other
 * columns hold text or NULL (a BLOB makes json_quote fail: then the page is
 * read whole and checked by checkChainPage too).
 */
const EVENTS_SQL = `SELECT seq, prev_hash, hash,
  CASE WHEN typeof(v) = 'integer' AND typeof(data) = 'text' AND v BETWEEN -${MAX_SAFE} AND ${MAX_SAFE} AND seq <= ${MAX_SAFE} THEN
    '{"actor":' || json_quote(actor) || ',"at":' || json_quote(at) || ',"automation":' || json_quote(automation) || ',"data":' || data ||
    ',"id":' || json_quote(id) || ',"runId":' || json_quote(run_id) || ',"seq":' || seq || ',"type":' || json_quote(type) || ',"v":' || v || '}' END,
  type, at, automation, run_id
  FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ${PAGE}`;
/** Where EVENTS_SQL's rows hold what the account reads, once the text is replaced by the payload in it. */
const EVENTS_LAYOUT: RowLayout = { seq: 0, type: 4, at: 5, automation: 6, runId: 7, data: 3 };
const WHOLE_LAYOUT: RowLayout = { seq: 0, type: 3, at: 4, automation: 5, runId: 6, data: 8 };
const WHOLE_SQL = `SELECT seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ${PAGE}`;

/**
 * The values most runs rows hold in their columns of a few values, read as
 * their index here, not as text: a number costs the read far less than a
 * string. Any other text comes back as itself; a value of another type than
 * text (only a hand could put one there) as -1, and its row is read again as it
 * is, so the comparison sees what is stored.
 */
const RUN_STATES = ['running', 'finished', 'failed', 'abandoned'];
const CODED: Readonly<Record<string, readonly string[]>> = {
  status: RUN_STATES,
  disposition: DISPOSITIONS,
  decision: DECISIONS,
  awaiting: ['review', 'approval'],
  audit: ['pending', 'done'],
  action: ['in_doubt', 'taken', 'failed', 'reverted'],
  ended: RUN_STATES,
  audit_grade: DECISIONS,
};
const CODED_COLUMNS = RUN_SQL_NAMES.map((c, i) => [i, CODED[c]] as const).filter((x): x is readonly [number, readonly string[]] => x[1] !== undefined);
const CODED_SELECT = RUN_SQL_NAMES.map((c) =>
  CODED[c] ? `CASE WHEN typeof(${c}) = 'text' THEN (CASE ${c} ${CODED[c].map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} ELSE ${c} END) WHEN ${c} IS NULL THEN NULL ELSE -1 END` : c,
).join(', ');

/**
 * The payload inside the text: after the first `,"data":` (no JSON string can
 * hold it: its quote would be escaped) and before the last `,"id":` (the keys
 * after data are id, runId, seq, type and v, and none of their values can hold it).
 */
function dataOf(text: string): string {
  return text.slice(text.indexOf(',"data":') + 8, text.lastIndexOf(',"id":'));
}

function verifyRange(db: BetterSqlite3.Database, job: RangeJob): Promise<RangeReport> {
  const sha256 = (text: string): string => hash('sha256', text, 'hex');
  const before = db.prepare('SELECT seq, hash FROM events WHERE seq >= 1 AND seq < ? ORDER BY seq DESC LIMIT 1').raw(true).get(job.lo) as [number, unknown] | undefined;
  // The state one pass over the log would have on reaching `lo`: the row before it.
  const state: ChainState = { seq: before ? Number(before[0]) : 0, hash: before ? String(before[1]) : '0'.repeat(64), count: 0, firstBad: null };
  const page = db.prepare(EVENTS_SQL).raw(true);
  const wholePage = db.prepare(WHOLE_SQL).raw(true);
  const impactsPage = db.prepare('SELECT seq, run_id, automation, system, ref, action FROM impacts WHERE seq >= ? AND seq < ? ORDER BY seq').raw(true);
  async function* impacts() {
    for (let lo = job.lo; lo <= job.hi; lo += PAGE) {
      const rows = impactsPage.all(lo, Math.min(lo + PAGE, job.hi + 1)) as unknown[][];
      if (rows.length > 0) yield rows.map(rowToImpact);
    }
  }
  // This range's share of the runs rows, by first_seq, in table order (the order they were written in).
  const share = [job.runsFrom === null ? '' : `first_seq >= ${job.runsFrom}`, job.runsTo === null ? '' : `first_seq < ${job.runsTo}`].filter(Boolean).join(' AND ') || 'true';
  const runsPage = db.prepare(`SELECT ${CODED_SELECT}, rowid FROM runs WHERE rowid > ? AND (${share}) ORDER BY rowid LIMIT ${PAGE}`).raw(true);
  const runAsStored = db.prepare(`SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE rowid = ?`).raw(true);
  const decoded = (r: unknown[]): unknown[] => {
    for (const [i, values] of CODED_COLUMNS) {
      const v = r[i];
      if (typeof v !== 'number') continue;
      if (v < 0) return runAsStored.get(r[RUN_SQL_NAMES.length]) as unknown[];
      r[i] = values[v];
    }
    return r;
  };
  async function* runs() {
    for (let rowid = 0; ; ) {
      const rows = runsPage.all(rowid) as unknown[][];
      if (rows.length > 0) yield rows.map((r) => rowToRun(decoded(r)));
      if (rows.length < PAGE) return;
      rowid = rows[rows.length - 1][RUN_SQL_NAMES.length] as number;
    }
  }
  const account = new RangeAccount(impacts(), runs(), job.hi);
  return (async () => {
    for (let next = job.lo; next <= job.hi; ) {
      let rows: unknown[][];
      try {
        rows = page.all(next, job.hi) as unknown[][];
      } catch {
        // A BLOB where aigov writes text: this page the old way.
        rows = wholePage.all(next, job.hi) as unknown[][];
        checkChainPage(rows, state, sha256);
        await account.push(rows, WHOLE_LAYOUT);
        if (rows.length < PAGE) break;
        next = Number(rows[rows.length - 1][0]) + 1;
        continue;
      }
      for (let n = 0; n < rows.length; n++) {
        const r = rows[n];
        const seq = Number(r[0]);
        const text = r[3] as string | null;
        let data: unknown;
        if (text === null) {
          const whole = wholePage.all(r[0], r[0]) as unknown[][];
          checkChainPage(whole, state, sha256);
          data = whole[0][8];
        } else {
          data = dataOf(text);
          // checkChainPage's checks, on the text the database spelled.
          const expected = state.seq + 1;
          state.count += 1;
          if (state.firstBad === null) {
            if (seq > expected) {
              const missing = seq - 1 === expected ? `event ${expected} is` : `events ${expected}-${seq - 1} are`;
              state.firstBad = { seq: expected, reason: `seq gap: ${missing} missing (deleted)` };
            } else if (seq < expected) {
              state.firstBad = { seq, reason: `seq out of order: expected ${expected}, found ${seq} (reordered or inserted)` };
            } else if (r[1] !== state.hash) {
              state.firstBad = { seq, reason: 'prevHash mismatch: it does not link to the event before (reordered or inserted)' };
            } else if (sha256(String(r[1]) + text) !== r[2]) {
              state.firstBad = { seq, reason: 'hash mismatch: the event was edited' };
            }
          }
          state.seq = seq;
          state.hash = String(r[2]);
        }
        r[3] = data;
      }
      await account.push(rows, EVENTS_LAYOUT);
      if (rows.length < PAGE) break;
      next = Number(rows[rows.length - 1][0]) + 1;
    }
    const rows = await account.end();
    return { chain: { count: state.count, last: state.count > 0 ? { seq: state.seq, hash: state.hash } : null, firstBad: state.firstBad }, rows };
  })();
}

function main(): void {
  const data = workerData as ThreadData;
  const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const reply = (m: ThreadReply) => parentPort!.postMessage(m);
  const failed = (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) });
  let db: BetterSqlite3.Database;
  try {
    db = new Driver(data.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
  } catch (err) {
    failed(err);
    return;
  }
  const head = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').raw(true);
  parentPort!.on('message', (m: ThreadRequest) => {
    try {
      if (m.do === 'go') {
        verifyRange(db, m.range).then((report) => {
          db.exec('COMMIT');
          db.close();
          reply({ report });
        }, failed);
        return;
      }
      if (m.do === 'again') db.exec('COMMIT');
      db.exec('BEGIN');
      const h = head.get() as [number, string] | undefined;
      reply({ head: h ? `${h[0]}:${h[1]}` : '' });
    } catch (err) {
      failed(err);
    }
  });
  reply({ ready: true });
}

if (!isMainThread && parentPort && (workerData as ThreadData | undefined)?.kind === 'aigov-verify-range') main();
