// What the SQLite and PostgreSQL stores share: the row layout, the derived
// runs rows as SQL, and the translation of an EventQuery into SQL.
import { randomFillSync } from 'node:crypto';
import { normalizeTime, type StoredEvent } from '../core/log/chain.js';
import { EVENT_FORMAT, type EventType, type LoggedEvent } from '../core/log/events.js';
import { parsePayload } from '../core/log/payloads.js';
import { RUN_COLUMNS, envelopePatch, runPatch, type ImpactRow, type RunPatch, type RunRecord } from '../core/log/derived.js';
import { AigovError, ConflictError, UsageError } from '../errors.js';
import type { AppendCondition, EventQuery, FoldRow, ImpactQuery, ImpactTouch, RunQuery } from './types.js';

/** The layout of the store's tables; a change needs a bump and a migration. */
export const STORE_FORMAT = 4;

export const APPEND_ONLY = 'the run log is append-only';
export const NEXT_SEQ_ONLY = 'the run log takes only the next seq';

/** In this order everywhere, so scans can read rows as arrays. */
export const EVENT_COLUMNS = 'seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash';

/** The same layout with only what the derived rows are rebuilt from, and the hash: the rest empty (verify reads a million rows). */
export const LEAN_EVENT_COLUMNS = "seq, '' AS id, 0 AS v, type, at, automation, run_id, NULL AS actor, data, '' AS prev_hash, hash";

const pool = Buffer.alloc(16 * 256);
let pooled = pool.length;

/**
 * A UUIDv7 (RFC 9562): the time in its first 48 bits, so ids grow with seq and
 * the unique index on them takes appends at its end instead of random inserts
 * all over it (several times faster on a large log).
 */
export function newEventId(now = Date.now()): string {
  if (pooled === pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  const b = pool.subarray(pooled, pooled + 16);
  pooled += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const hex = b.toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  id.charCodeAt(0); // flattens the rope in place (V8): it is hashed and stored next
  return id;
}

export type EventRow = [
  seq: number | string,
  id: string,
  v: number,
  type: string,
  at: string,
  automation: string | null,
  runId: string | null,
  actor: string | null,
  data: string,
  prevHash: string,
  hash: string,
];

/** A row as a typed event: its payload parsed once, here, against its type's schema. */
export function rowToEvent(r: EventRow): LoggedEvent {
  const { dataJson, ...fields } = rowToStored(r);
  const parsed = parsePayload(fields.type, JSON.parse(dataJson));
  if (!parsed.ok) {
    throw new AigovError('E_STORE', `event ${fields.seq} of the run log is not a valid ${fields.type} event: ${parsed.problem}`, {
      exitCode: 3,
      hint: fields.v > EVENT_FORMAT ? 'a newer aigov wrote it: upgrade aigov' : 'run `aigov log verify`',
    });
  }
  return { ...fields, data: parsed.data } as LoggedEvent;
}

/** What `queryForFold` reads of an event, in this order. */
export const FOLD_COLUMNS = 'seq, type, at, automation, run_id, data';

/** A `queryForFold` row: the payload parsed as JSON and nothing more (see Store.queryForFold). */
export function rowToFoldEvent(r: unknown[]): FoldRow {
  let data: unknown;
  try {
    data = JSON.parse(r[5] as string);
  } catch {
    throw new AigovError('E_STORE', `event ${Number(r[0])} of the run log has a payload that is not JSON`, { exitCode: 3, hint: 'run `aigov log verify`' });
  }
  return { seq: Number(r[0]), type: r[1] as EventType, at: r[2] as string, automation: r[3] as string | null, runId: r[4] as string | null, data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {} };
}

export function rowToStored(r: EventRow): StoredEvent {
  return {
    v: r[2],
    seq: Number(r[0]),
    id: r[1],
    type: r[3] as EventType,
    at: r[4],
    automation: r[5],
    runId: r[6],
    actor: r[7],
    dataJson: r[8],
    prevHash: r[9],
    hash: r[10],
  };
}

/** A row's event and how it changes its run, or, for a payload that breaks its schema, the envelope's change alone. */
export function rowPatch(r: EventRow): { event: LoggedEvent | null; patch: RunPatch | null } {
  try {
    const event = rowToEvent(r);
    return { event, patch: runPatch(event) };
  } catch (err) {
    if (!(err instanceof AigovError)) throw err;
    return { event: null, patch: envelopePatch({ seq: Number(r[0]), at: r[4], automation: r[5], runId: r[6] }) };
  }
}

/** A runs row as the values of the table's columns, in order. */
export function runRowValues(run: RunRecord): (string | number | null)[] {
  return [run.runId, ...RUN_COLUMNS.map(([column]) => run[column])];
}

/** A runs row read back as an array of its columns, in table order (PostgreSQL gives bigints as text). */
export function rowToRun(r: unknown[]): RunRecord {
  // A literal, not a loop over the columns: verify reads every runs row.
  return {
    runId: r[0] as string,
    automation: r[1] as string | null,
    firstSeq: num(r[2]) as number,
    startedAt: r[3] as string,
    tier: num(r[4]),
    promptVersion: num(r[5]),
    model: r[6] as string | null,
    status: r[7] as RunRecord['status'],
    finishedAt: r[8] as string | null,
    disposition: r[9] as RunRecord['disposition'],
    confidence: num(r[10]),
    costUsd: num(r[11]),
    durationMs: num(r[12]),
    decision: r[13] as string | null,
    awaiting: r[14] as RunRecord['awaiting'],
    audit: r[15] as RunRecord['audit'],
    action: r[16] as RunRecord['action'],
    lastSeq: num(r[17]) as number,
    startSeq: num(r[18]),
    endSeq: num(r[19]),
    ended: r[20] as RunRecord['ended'],
    tokensIn: num(r[21]),
    tokensOut: num(r[22]),
    latencyBucket: num(r[23]),
    mismatchSeq: num(r[24]),
    decisionSeq: num(r[25]),
    decisionAt: r[26] as string | null,
    auditSeq: num(r[27]),
    auditGrade: r[28] as string | null,
    revertSeq: num(r[29]),
    revertAt: r[30] as string | null,
    reversibleUntil: r[31] as string | null,
  };
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : typeof value === 'number' ? value : Number(value));

export const RUN_SQL_NAMES: readonly string[] = ['run_id', ...RUN_COLUMNS.map(([, sql]) => sql)];
export const RUN_SQL_COLUMNS = RUN_SQL_NAMES.join(', ');

/**
 * A RunPatch as the runs upsert's parameters: run_id, each column's value
 * (null where the patch leaves it), then each column's mode (0 keep, 1 set,
 * 2 fill while null). The SQLite writer names only the columns a patch touches.
 */
export function runUpsertParams(p: RunPatch): (string | number | null)[] {
  const values: (string | number | null)[] = [p.runId];
  const modes: number[] = [];
  for (const [column] of RUN_COLUMNS) {
    const op = p.ops[column];
    values.push(op ? op[1] : null);
    modes.push(op ? op[0] : 0);
  }
  return [...values, ...modes];
}

/**
 * An EventQuery as SQL over `events`. `placeholder(n)` spells the n-th
 * parameter (1-based) in the backend's dialect. An empty `types` list means no
 * filter on type, like an absent one. A system/ref filter goes through the
 * impacts index, so tracing a record is a lookup, not a scan.
 */
export function eventQuerySql(q: EventQuery, placeholder: (n: number) => string, columns: string = EVENT_COLUMNS): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  // Only rows of the chain: a row at seq 0 or below is never read (verify reports it).
  const where: string[] = ['seq >= 1'];
  if (q.automation !== undefined) where.push(`automation = ${p(q.automation)}`);
  if (q.runId !== undefined) where.push(`run_id = ${p(q.runId)}`);
  if (q.runIds !== undefined) where.push(q.runIds.length ? `run_id IN (${q.runIds.map(p).join(', ')})` : 'false');
  if (q.types !== undefined && q.types.length > 0) {
    // With a run filter the run index is the one to use: the type index would
    // read every event of those types. `type || ''` keeps the planner off it.
    const byRun = q.runId !== undefined || q.runIds !== undefined;
    where.push(`${byRun ? "(type || '')" : 'type'} IN (${q.types.map(p).join(', ')})`);
  }
  if (q.since !== undefined) where.push(`at >= ${p(normalizeTime(q.since, 'since'))}`);
  if (q.until !== undefined) where.push(`at < ${p(normalizeTime(q.until, 'until'))}`);
  if (q.afterSeq !== undefined) {
    if (!Number.isInteger(q.afterSeq)) throw new UsageError(`afterSeq must be a whole number, got ${q.afterSeq}`);
    where.push(`seq > ${p(q.afterSeq)}`);
  }
  if (q.system !== undefined || q.ref !== undefined) {
    const on: string[] = [];
    if (q.system !== undefined) on.push(`system = ${p(q.system)}`);
    if (q.ref !== undefined) on.push(`ref = ${p(q.ref)}`);
    where.push(`seq IN (SELECT seq FROM impacts WHERE seq >= 1 AND ${on.join(' AND ')})`);
  }
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') {
    throw new UsageError(`order must be asc or desc, got ${JSON.stringify(q.order)}`);
  }
  let sql = `SELECT ${columns} FROM events WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY seq ${q.order === 'desc' ? 'DESC' : 'ASC'}`;
  if (q.limit !== undefined) {
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new UsageError(`limit must be a whole number, got ${q.limit}`);
    sql += ` LIMIT ${p(q.limit)}`;
  }
  return { sql, params };
}

/**
 * The check of a conditional append, run inside the append's transaction: the
 * newest seq of the run's events of the given types. `placeholder(n)` as above.
 */
export function conditionSql(c: AppendCondition, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  if (typeof c.runId !== 'string' || c.runId === '') throw new UsageError('a conditional append needs the runId it is about');
  if (!Array.isArray(c.types) || c.types.length === 0) throw new UsageError('a conditional append needs the event types it watches');
  if (c.lastSeq !== null && !Number.isInteger(c.lastSeq)) throw new UsageError(`lastSeq must be a whole number or null, got ${c.lastSeq}`);
  const params: unknown[] = [c.runId, ...c.types];
  const types = c.types.map((_, n) => placeholder(n + 2)).join(', ');
  return { sql: `SELECT max(seq) FROM events WHERE run_id = ${placeholder(1)} AND type IN (${types}) AND seq >= 1`, params };
}

/** Throws the ConflictError of a condition that no longer holds; `found` is the newest matching seq now. */
export function checkCondition(c: AppendCondition, found: number | string | null | undefined): void {
  const now = found === null || found === undefined ? null : Number(found);
  if (now === c.lastSeq) return;
  const was = c.lastSeq === null ? 'no such event' : `seq ${c.lastSeq}`;
  const is = now === null ? 'none' : `seq ${now}`;
  throw new ConflictError(`run ${c.runId} changed since it was read: its newest ${c.types.join('/')} event was ${was}, now ${is}; nothing was written`, {
    hint: 'read the run again and decide on what it is now',
  });
}

export const RUN_PAGE = 500;

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new UsageError(`limit must be a whole number, got ${limit}`);
}

function checkOrder(order: string | undefined): void {
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw new UsageError(`order must be asc or desc, got ${JSON.stringify(order)}`);
}

/**
 * A page of a RunQuery as SQL over `runs`, after the keyset cursor `after` (the
 * first_seq of the last row of the previous page) and at most `size` rows.
 */
export function runQuerySql(q: RunQuery, after: number | null, size: number, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  checkLimit(q.limit);
  checkOrder(q.order);
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const desc = q.order !== 'asc';
  const where: string[] = ['first_seq >= 1'];
  if (q.runIds !== undefined) where.push(q.runIds.length ? `run_id IN (${q.runIds.map(p).join(', ')})` : 'false');
  if (q.automation !== undefined) where.push(`automation = ${p(q.automation)}`);
  if (q.disposition !== undefined) where.push(`disposition = ${p(q.disposition)}`);
  if (q.since !== undefined) where.push(`started_at >= ${p(normalizeTime(q.since, 'since'))}`);
  if (q.staleBefore !== undefined) where.push(`status = 'running' AND started_at < ${p(normalizeTime(q.staleBefore, 'staleBefore'))}`);
  if (q.awaiting) where.push('awaiting IS NOT NULL');
  if (q.auditPending) where.push("audit = 'pending'");
  if (after !== null) where.push(`first_seq ${desc ? '<' : '>'} ${p(after)}`);
  const sql = `SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE ${where.join(' AND ')} ORDER BY first_seq ${desc ? 'DESC' : 'ASC'} LIMIT ${p(size)}`;
  return { sql, params };
}

/** Pages of a RunQuery through `page`, which runs one page's SQL: keyset-paged, so memory stays flat. */
export async function* runPages(
  q: RunQuery,
  placeholder: (n: number) => string,
  page: (sql: string, params: unknown[]) => Promise<unknown[][]> | unknown[][],
): AsyncIterable<RunRecord[]> {
  let left = q.limit ?? Number.POSITIVE_INFINITY;
  let after: number | null = null;
  while (left > 0) {
    const size = Math.min(RUN_PAGE, left);
    const { sql, params } = runQuerySql(q, after, size, placeholder);
    const rows = (await page(sql, params)).map(rowToRun);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    left -= rows.length;
    after = rows[rows.length - 1].firstSeq;
  }
}

export function impactQuerySql(q: ImpactQuery, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  checkLimit(q.limit);
  checkOrder(q.order);
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const where: string[] = ['i.seq >= 1'];
  if (q.system !== undefined) where.push(`i.system = ${p(q.system)}`);
  if (q.ref !== undefined) where.push(`i.ref = ${p(q.ref)}`);
  if (q.runIds !== undefined) where.push(q.runIds.length ? `i.run_id IN (${q.runIds.map(p).join(', ')})` : 'false');
  let sql = `SELECT i.seq, i.run_id, i.automation, i.system, i.ref, i.action, e.at, e.type FROM impacts i JOIN events e ON e.seq = i.seq WHERE ${where.join(' AND ')} ORDER BY i.seq ${q.order === 'desc' ? 'DESC' : 'ASC'}, i.system, i.ref, i.action`;
  if (q.limit !== undefined) sql += ` LIMIT ${p(q.limit)}`;
  return { sql, params };
}

export function rowToTouch(r: unknown[]): ImpactTouch {
  return { seq: Number(r[0]), runId: r[1] as string | null, automation: r[2] as string | null, system: r[3] as string, ref: r[4] as string | null, action: r[5] as string | null, at: r[6] as string, type: r[7] as EventType };
}

export function rowToImpact(r: unknown[]): ImpactRow {
  return { seq: Number(r[0]), runId: r[1] as string | null, automation: r[2] as string | null, system: r[3] as string, ref: r[4] as string | null, action: r[5] as string | null };
}

const IMPACT_RANGE = 2000;

/**
 * Every impacts row in seq order, for verify, in pages of seq ranges (rows of
 * one seq in no particular order): first any below seq 1, then [1, 2000), and
 * so on up to the largest seq the table holds.
 */
export async function* impactPages(
  read: (sql: string, params: unknown[]) => Promise<unknown[][]> | unknown[][],
  placeholder: (n: number) => string,
): AsyncIterable<ImpactRow[]> {
  const cols = 'seq, run_id, automation, system, ref, action';
  const [bounds] = await read('SELECT min(seq), max(seq) FROM impacts', []);
  if (bounds[0] === null) return;
  const min = Number(bounds[0]);
  const max = Number(bounds[1]);
  if (min < 1) yield (await read(`SELECT ${cols} FROM impacts WHERE seq < 1 ORDER BY seq`, [])).map(rowToImpact);
  for (let lo = 1; lo <= max; lo += IMPACT_RANGE) {
    const rows = await read(`SELECT ${cols} FROM impacts WHERE seq >= ${placeholder(1)} AND seq < ${placeholder(2)} ORDER BY seq`, [lo, lo + IMPACT_RANGE]);
    if (rows.length > 0) yield rows.map(rowToImpact);
  }
}
