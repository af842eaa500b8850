// What the SQLite and PostgreSQL stores share: the row layout, the derived
// impacts rows, and the translation of an EventQuery into SQL.
import { randomFillSync } from 'node:crypto';
import { normalizeTime, type StoredEvent } from '../core/log/chain.js';
import type { EventType, LoggedEvent } from '../core/log/events.js';
import { ConflictError, UsageError } from '../errors.js';
import type { AppendCondition, EventQuery } from './types.js';

/** The layout of the store's tables; a change needs a bump and a migration. */
export const STORE_FORMAT = 1;

export const APPEND_ONLY = 'the run log is append-only';

/** In this order everywhere, so scans can read rows as arrays. */
export const EVENT_COLUMNS = 'seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash';

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

export function rowToEvent(r: EventRow): LoggedEvent {
  const { dataJson, ...fields } = rowToStored(r);
  return { ...fields, data: JSON.parse(dataJson) as Record<string, unknown> };
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

export interface ImpactRow {
  seq: number;
  runId: string | null;
  automation: string | null;
  system: string;
  ref: string | null;
  action: string | null;
}

function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new UsageError(`${what} must be a string`);
  return value;
}

function impactRow(e: LoggedEvent, raw: unknown, what: string): ImpactRow {
  const i = (raw ?? {}) as Record<string, unknown>;
  if (typeof i.system !== 'string' || i.system === '') {
    throw new UsageError(`${what} needs a system (the downstream system it affected)`);
  }
  return {
    seq: e.seq,
    runId: e.runId,
    automation: e.automation,
    system: i.system,
    ref: optionalText(i.ref, `${what}.ref`),
    action: optionalText(i.action, `${what}.action`),
  };
}

/** The downstream impacts an event declares, for the trace index. */
export function impactsOf(e: LoggedEvent): ImpactRow[] {
  if (e.type === 'impact_tagged') return [impactRow(e, e.data, 'an impact_tagged event')];
  // action_started too: an action in doubt (it never logged its end) may have touched the system.
  if ((e.type !== 'action_taken' && e.type !== 'action_started') || e.data.impacts === undefined) return [];
  if (!Array.isArray(e.data.impacts)) throw new UsageError(`data.impacts of an ${e.type} event must be a list`);
  return e.data.impacts.map((raw, n) => impactRow(e, raw, `data.impacts[${n}] of an ${e.type} event`));
}

/**
 * An EventQuery as SQL over `events`. `placeholder(n)` spells the n-th
 * parameter (1-based) in the backend's dialect. An empty `types` list means no
 * filter on type, like an absent one. A system/ref filter goes through the
 * impacts index, so tracing a record is a lookup, not a scan.
 */
export function eventQuerySql(q: EventQuery, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  if (q.automation !== undefined) where.push(`automation = ${p(q.automation)}`);
  if (q.runId !== undefined) where.push(`run_id = ${p(q.runId)}`);
  if (q.types !== undefined && q.types.length > 0) where.push(`type IN (${q.types.map(p).join(', ')})`);
  if (q.since !== undefined) where.push(`at >= ${p(normalizeTime(q.since, 'since'))}`);
  if (q.until !== undefined) where.push(`at < ${p(normalizeTime(q.until, 'until'))}`);
  if (q.system !== undefined || q.ref !== undefined) {
    const on: string[] = [];
    if (q.system !== undefined) on.push(`system = ${p(q.system)}`);
    if (q.ref !== undefined) on.push(`ref = ${p(q.ref)}`);
    where.push(`seq IN (SELECT seq FROM impacts WHERE ${on.join(' AND ')})`);
  }
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') {
    throw new UsageError(`order must be asc or desc, got ${JSON.stringify(q.order)}`);
  }
  let sql = `SELECT ${EVENT_COLUMNS} FROM events`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
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
