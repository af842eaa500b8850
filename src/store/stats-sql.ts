// The statistics as aggregates over the runs table, for both stores: the rows
// of a window are counted in SQL and only the counts come back (some thousands
// of cells, not a row a run). What each count means is the stats fold's
// (core/stats/fold.ts), spelled over the columns derived.ts defines; every
// condition is null-safe, so a missing value is false, never unknown. The few
// values a query names (automation ids, instants, thresholds) are written into
// it as quoted literals: the same text on both stores, in the order it reads.
import { CELL_COUNTS, ageBounds, type CellCount, type LatencyCell, type RunAggregates, type RunCell, type WaitingCell, type WindowCuts } from '../core/stats/aggregate.js';
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
}

/** The aggregates, and what waited at each instant asked for. */
export type StoreAggregates = RunAggregates & { waitingAt: Map<string, WaitingCell[]> };

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
const count = (cond: string) => `sum(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;

const FIN = B("ended = 'finished' AND end_seq IS NOT NULL");
const USABLE = and(FIN, B('confidence >= 0 AND confidence <= 1'));
const MISMATCH = B('mismatch_seq > start_seq AND (end_seq IS NULL OR mismatch_seq < end_seq)');
const AWAITED = B("disposition IN ('review', 'approval_required')");
const DECIDED = and(FIN, AWAITED, B('decision_seq > end_seq AND decision IS NOT NULL'));
const AUDITED = and(FIN, B('audit IS NOT NULL'), not(B('audit_seq < end_seq')));
const AUDIT_GRADED = and(FIN, B('audit IS NOT NULL AND audit_seq > end_seq AND audit_grade IS NOT NULL'));
const DECISION_FIRST = and(DECIDED, not(and(AUDIT_GRADED, B('audit_seq < decision_seq'))));
const GRADED = or(DECIDED, AUDIT_GRADED);
const GRADE_OK = or(and(DECISION_FIRST, B("decision = 'approve'")), and(not(DECISION_FIRST), AUDIT_GRADED, B("audit_grade = 'approve'")));

function cellSql(threshold: string): Record<CellCount, string> {
  const review = and(FIN, B("disposition = 'review'"));
  const low = and(review, or(not(MISMATCH), B(`${threshold} IS NOT NULL AND (confidence IS NULL OR confidence < ${threshold})`)));
  const decided = (d: string) => count(and(DECIDED, B(`decision = '${d}'`)));
  const audit = (d: string) => count(and(AUDIT_GRADED, B(`audit_grade = '${d}'`)));
  const graded = and(GRADED, USABLE);
  return {
    started: 'count(*)',
    finished: count(FIN),
    failed: count(B("ended = 'failed'")),
    abandoned: count(B("ended = 'abandoned'")),
    modelMismatches: count(MISMATCH),
    sentToReview: count(review),
    lowConfidenceReviews: count(low),
    approvalRequired: count(and(FIN, B("disposition = 'approval_required'"))),
    approvals: decided('approve'),
    overrides: decided('override'),
    rejections: decided('reject'),
    corrected: count(and(DECIDED, B("decision IN ('override', 'reject')"))),
    audited: count(AUDITED),
    auditApprove: audit('approve'),
    auditOverride: audit('override'),
    auditReject: audit('reject'),
    tokensIn: `sum(CASE WHEN ${FIN} THEN coalesce(tokens_in, 0) ELSE 0 END)`,
    tokensOut: `sum(CASE WHEN ${FIN} THEN coalesce(tokens_out, 0) ELSE 0 END)`,
    costUsd: `coalesce(sum(CASE WHEN ${FIN} THEN cost_usd END), 0)`,
    costUnknown: count(and(FIN, B('cost_usd IS NULL'))),
    unknownConfidence: count(and(FIN, not(USABLE))),
    binned: count(USABLE),
    gradedReview: count(and(DECISION_FIRST, B("disposition = 'review'"))),
    gradedApproval: count(and(DECISION_FIRST, B("disposition = 'approval_required'"))),
    gradedAudit: count(and(GRADED, not(DECISION_FIRST))),
    gradedUnknown: count(and(GRADED, not(USABLE))),
    gradedN: count(graded),
    gradedWrong: count(and(graded, not(GRADE_OK))),
    sumConfidence: `coalesce(sum(CASE WHEN ${graded} THEN confidence END), 0)`,
    sumConfidenceSq: `coalesce(sum(CASE WHEN ${graded} THEN confidence * confidence END), 0)`,
    sumConfidenceWrong: `coalesce(sum(CASE WHEN ${and(graded, not(GRADE_OK))} THEN confidence END), 0)`,
  };
}

/** The statistics' aggregates of the runs table, through `read` (one query's rows as arrays). */
export async function aggregateRuns(q: AggregateQuery, d: StatsDialect, read: Read): Promise<StoreAggregates> {
  const p = lit;
  const pn = num;
  const where = whereOf(q).join(' AND ');
  const cuts = [...q.cuts.at].map((t) => normalizeTime(t, 'cut')).sort();
  const cell = cuts.length ? [`CASE ${cuts.map((t, i) => `WHEN started_at < ${p(t)} THEN ${i}`).join(' ')} ELSE ${cuts.length} END`] : [];
  const byAutomation = [...(q.cuts.byAutomation ?? [])];
  const flag = byAutomation.length ? [`CASE WHEN started_at < (CASE automation ${byAutomation.map(([a, t]) => `WHEN ${p(a)} THEN ${p(normalizeTime(t, 'cut'))}`).join(' ')} END) THEN 1 ELSE 0 END`] : [];
  // A window is the same for every start of an automation in one month between the same cuts.
  const cellOf = ['automation', 'substr(started_at, 1, 7)', ...cell, ...flag];
  const thresholds = [...q.thresholds];
  const threshold = thresholds.length ? `(CASE automation ${thresholds.map(([a, t]) => `WHEN ${p(a)} THEN ${pn(t)}`).join(' ')} END)` : 'CAST(NULL AS DOUBLE PRECISION)';
  // The hundredth as percentBin gives it: c >= k/100 exactly when the bin is at least k.
  const k0 = d.floorInt('confidence * 100');
  const hundredth = (k: string) => `CAST(${k} AS DOUBLE PRECISION) / 100`;
  const percent = `CASE WHEN ${USABLE} THEN (CASE WHEN ${k0} >= 100 THEN 99 WHEN ${k0} > 0 AND confidence < ${hundredth(k0)} THEN ${k0} - 1 WHEN confidence >= ${hundredth(`${k0} + 1`)} THEN ${k0} + 1 ELSE ${k0} END) END`;
  const tenth = d.floorInt('confidence * 10');
  const bin = `CASE WHEN ${USABLE} THEN (CASE WHEN ${tenth} > 9 THEN 9 ELSE ${tenth} END) END`;
  const sums = cellSql(threshold);
  const cellsSql = `SELECT automation, min(started_at), ${percent}, ${bin}, ${CELL_COUNTS.map((c) => sums[c]).join(', ')}
    FROM runs WHERE ${where}
    GROUP BY ${[...cellOf, '3', '4'].join(', ')}`;
  const latencySql = `SELECT automation, min(started_at), latency_bucket, count(*)
    FROM runs WHERE ${where} AND ${FIN} AND duration_ms >= 0
    GROUP BY ${[...cellOf, 'latency_bucket'].join(', ')}`;
  const reverted = `SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE revert_seq IS NOT NULL AND ${where}`;
  const [cellRows, latencyRows, revertedRows, waiting, ...waitingAt] = await Promise.all([
    read(cellsSql, []),
    read(latencySql, []),
    read(reverted, []),
    waitingSql(q, null, read),
    ...q.waitingAt.map((t) => waitingSql(q, t, read)),
  ]);
  return {
    cells: cellRows.map(toCell),
    latency: latencyRows.map((r): LatencyCell => ({ automation: r[0] as string, firstStart: r[1] as string, bucket: r[2] === null ? null : Number(r[2]), count: Number(r[3]) })),
    reverted: revertedRows.map(rowToRun),
    waiting,
    waitingAt: new Map(q.waitingAt.map((t, i) => [t, waitingAt[i]])),
  };
}

function whereOf(q: AggregateQuery): string[] {
  return ['start_seq IS NOT NULL', ...(q.automation !== undefined ? [`automation = ${lit(q.automation)}`] : [])];
}

function toCell(r: unknown[]): RunCell {
  const c = { automation: r[0] as string, firstStart: r[1] as string, percent: r[2] === null ? null : Number(r[2]), bin: r[3] === null ? null : Number(r[3]) } as RunCell;
  for (let i = 0; i < CELL_COUNTS.length; i++) c[CELL_COUNTS[i]] = Number(r[4 + i] ?? 0);
  return c;
}

/** What waits at `at` (null: now, every event counted), with ages at `at` (or `asOf`). */
async function waitingSql(q: AggregateQuery, at: string | null, read: Read): Promise<WaitingCell[]> {
  const p = lit;
  const now = at === null ? q.asOf : at;
  const bounds = ageBounds(Date.parse(now));
  const where = whereOf(q);
  let kind: string;
  if (at === null) {
    where.push('awaiting IS NOT NULL');
    kind = 'awaiting';
  } else {
    const t = p(normalizeTime(at, 'at'));
    where.push(FIN, AWAITED, `started_at < ${t}`, `finished_at < ${t}`, or(not(DECIDED), B(`decision_at >= ${t}`)));
    kind = "CASE WHEN disposition = 'review' THEN 'review' ELSE 'approval' END";
  }
  const sql = `SELECT automation, ${kind}, count(*), min(finished_at),
      ${count(`finished_at > ${p(bounds.day)}`)}, ${count(`finished_at > ${p(bounds.week)}`)}, ${count(`finished_at > ${p(bounds.month)}`)}
    FROM runs WHERE ${where.join(' AND ')} GROUP BY 1, 2`;
  const rows = await read(sql, []);
  return rows.map((r) => ({ automation: r[0] as string, kind: r[1] as WaitingCell['kind'], count: Number(r[2]), oldestAt: r[3] as string, underDay: Number(r[4]), underWeek: Number(r[5]), underMonth: Number(r[6]) }));
}
