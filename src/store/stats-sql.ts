// The statistics as aggregates over the runs table, for both stores: the runs
// are grouped in SQL by cell of time and by the values the stats fold tells
// apart (core/stats/aggregate.ts RunClass), and only the groups come back, with
// their counts and sums (some thousands, not a row a run). The values are
// plain columns or small CASEs over the columns derived.ts defines, so one scan
// of the table is cheap; what each group counts as is decided in the pure core.
// Every condition is null-safe, so a missing value is false, never unknown. The few
// values a query names (automation ids, instants, thresholds) are written into
// it as quoted literals: the same text on both stores, in the order it reads.
import { ageBounds, type LatencyCell, type RunAggregates, type RunClass, type WindowCuts } from '../core/stats/aggregate.js';
import { normalizeTime } from '../core/log/chain.js';
import { RUN_SQL_COLUMNS, rowToRun } from './sql.js';

export interface AggregateQuery {
  /** Only this automation's runs. */
  automation?: string;
  cuts: WindowCuts;
  /** The confidence threshold of each automation that has one. */
  thresholds: ReadonlyMap<string, number>;
  /** Now: the backlog's ages are measured here. */
  asOf: string;
  /** Instants to give the backlog at, as the events dated before each left it. */
  waitingAt: readonly string[];
}

export interface StatsDialect {
  /** The whole part of a non-negative number, as an integer. */
  floorInt(x: string): string;
  /** The runs table for a query that reads all of it (SQLite: a table scan, not a walk of an index). */
  wholeTable: string;
}

export type StoreAggregates = RunAggregates;

export type Read = (sql: string, params: unknown[]) => Promise<unknown[][]>;

/** A string as an SQL literal. */
const lit = (value: string): string => `'${value.replace(/'/g, "''")}'`;
/** A number as an SQL literal. */
const num = (value: number): string => {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return `CAST(${value} AS DOUBLE PRECISION)`;
};

const B = (cond: string) => `coalesce((${cond}), FALSE)`;
const and = (...xs: string[]) => xs.map((x) => `(${x})`).join(' AND ');
const or = (...xs: string[]) => `(${xs.map((x) => `(${x})`).join(' OR ')})`;
const not = (x: string) => `NOT (${x})`;

const FIN = B("ended = 'finished' AND end_seq IS NOT NULL");
const MISMATCH = B('mismatch_seq > start_seq AND (end_seq IS NULL OR mismatch_seq < end_seq)');

/** The statistics' aggregates of the runs table, through `read` (one query's rows as arrays). */
export async function aggregateRuns(q: AggregateQuery, d: StatsDialect, read: Read): Promise<StoreAggregates> {
  const where = ['start_seq IS NOT NULL', ...(q.automation !== undefined ? [`automation = ${lit(q.automation)}`] : [])].join(' AND ');
  const from = q.automation === undefined ? d.wholeTable : 'runs';
  const cuts = [...q.cuts.at].map((t) => normalizeTime(t, 'cut')).sort();
  const cell = cuts.length ? [`CASE ${cuts.map((t, i) => `WHEN started_at < ${lit(t)} THEN ${i}`).join(' ')} ELSE ${cuts.length} END`] : [];
  const byAutomation = [...(q.cuts.byAutomation ?? [])];
  const flag = byAutomation.length ? [`CASE WHEN started_at < (CASE automation ${byAutomation.map(([a, t]) => `WHEN ${lit(a)} THEN ${lit(normalizeTime(t, 'cut'))}`).join(' ')} END) THEN 1 ELSE 0 END`] : [];
  // A window is the same for every start of an automation in one month between the same cuts.
  const cellOf = ['automation', 'substr(started_at, 1, 7)', ...cell, ...flag];
  const thresholds = [...q.thresholds];
  const threshold = `(CASE automation ${thresholds.map(([a, t]) => `WHEN ${lit(a)} THEN ${num(t)}`).join(' ')} END)`;
  // The hundredth as percentBin gives it: c >= k/100 exactly when the bin is at least k.
  const k0 = d.floorInt('confidence * 100');
  const hundredth = (k: string) => `CAST(${k} AS DOUBLE PRECISION) / 100`;
  const usable = B('confidence >= 0 AND confidence <= 1');
  const percent = `CASE WHEN ${usable} THEN (CASE WHEN ${k0} >= 100 THEN 99 WHEN ${k0} > 0 AND confidence < ${hundredth(k0)} THEN ${k0} - 1 WHEN confidence >= ${hundredth(`${k0} + 1`)} THEN ${k0} + 1 ELSE ${k0} END) END`;
  const tenth = d.floorInt('confidence * 10');
  const bin = `CASE WHEN ${usable} THEN (CASE WHEN ${tenth} > 9 THEN 9 ELSE ${tenth} END) END`;
  const age = (at: string) => {
    const b = ageBounds(Date.parse(at));
    return `CASE WHEN finished_at > ${lit(b.day)} THEN 0 WHEN finished_at > ${lit(b.week)} THEN 1 WHEN finished_at > ${lit(b.month)} THEN 2 ELSE 3 END`;
  };
  const decided = and(FIN, B("disposition IN ('review', 'approval_required')"), B('decision_seq > end_seq'));
  const waitingAt = (at: string) => {
    const t = lit(normalizeTime(at, 'at'));
    const waits = and(FIN, B("disposition IN ('review', 'approval_required')"), B(`started_at < ${t} AND finished_at < ${t}`), or(not(decided), B(`decision_at >= ${t}`)));
    return `CASE WHEN ${waits} THEN ${age(at)} END`;
  };
  const keys = [
    percent,
    bin,
    `CASE WHEN end_seq IS NOT NULL THEN ended END`,
    `CASE WHEN ${MISMATCH} THEN 1 ELSE 0 END`,
    'disposition',
    'CASE WHEN decision_seq > end_seq THEN decision END',
    'audit',
    'CASE WHEN audit_seq < end_seq THEN 1 ELSE 0 END',
    'CASE WHEN audit_seq > end_seq THEN audit_grade END',
    'CASE WHEN audit_seq < decision_seq THEN 1 ELSE 0 END',
    'CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END',
    thresholds.length ? `CASE WHEN mismatch_seq IS NULL THEN 0 WHEN ${threshold} IS NOT NULL AND (confidence IS NULL OR confidence < ${threshold}) THEN 1 ELSE 0 END` : '0',
    'awaiting',
    `CASE WHEN awaiting IS NOT NULL THEN ${age(q.asOf)} END`,
    ...q.waitingAt.map(waitingAt),
  ];
  const sums = ['count(*)', 'sum(coalesce(tokens_in, 0))', 'sum(coalesce(tokens_out, 0))', 'coalesce(sum(cost_usd), 0)', 'coalesce(sum(confidence), 0)', 'coalesce(sum(confidence * confidence), 0)', 'min(finished_at)'];
  // Each run's keys computed once, then grouped as plain values: grouping by
  // the expressions themselves made SQLite evaluate them over and over.
  const k = keys.map((_, i) => `k${i}`);
  const classesSql = `WITH c AS MATERIALIZED (
      SELECT ${cellOf.map((x, i) => `${x} AS c${i}`).join(', ')}, started_at, ${keys.map((x, i) => `${x} AS k${i}`).join(', ')}, tokens_in, tokens_out, cost_usd, confidence, finished_at
      FROM ${from} WHERE ${where})
    SELECT c0, min(started_at), ${k.join(', ')}, ${sums.join(', ')}
    FROM c GROUP BY ${[...cellOf.map((_, i) => `c${i}`), ...k].join(', ')}`;
  const latencySql = `SELECT automation, min(started_at), latency_bucket, count(*)
    FROM ${from} WHERE ${where} AND ${FIN} AND duration_ms >= 0
    GROUP BY ${[...cellOf, 'latency_bucket'].join(', ')}`;
  const reverted = `SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE revert_seq IS NOT NULL AND ${where}`;
  const [classRows, latencyRows, revertedRows] = await Promise.all([read(classesSql, []), read(latencySql, []), read(reverted, [])]);
  const n = keys.length;
  return {
    classes: classRows.map((r): RunClass => {
      const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      const at = 2 + n;
      return {
        automation: r[0] as string,
        firstStart: r[1] as string,
        percent: int(r[2]),
        bin: int(r[3]),
        ended: r[4] as RunClass['ended'],
        mismatch: Number(r[5]) === 1,
        disposition: r[6] as string | null,
        decision: r[7] as string | null,
        audit: r[8] as string | null,
        auditBeforeEnd: Number(r[9]) === 1,
        auditGrade: r[10] as string | null,
        auditFirst: Number(r[11]) === 1,
        costUnknown: Number(r[12]) === 1,
        belowThreshold: Number(r[13]) === 1,
        waiting: r[14] as RunClass['waiting'],
        waitingAge: int(r[15]),
        waitingAt: q.waitingAt.map((_, i) => int(r[16 + i])),
        count: Number(r[at]),
        tokensIn: Number(r[at + 1]),
        tokensOut: Number(r[at + 2]),
        costUsd: Number(r[at + 3]),
        sumConfidence: Number(r[at + 4]),
        sumConfidenceSq: Number(r[at + 5]),
        oldestFinish: r[at + 6] as string | null,
      };
    }),
    latency: latencyRows.map((r): LatencyCell => ({ automation: r[0] as string, firstStart: r[1] as string, bucket: r[2] === null ? null : Number(r[2]), count: Number(r[3]) })),
    reverted: revertedRows.map(rowToRun),
  };
}
