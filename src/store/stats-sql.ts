// The statistics as aggregates over the runs table, for both stores: the runs
// are grouped in SQL by cell of time and by the values the stats fold tells
// apart (core/stats/aggregate.ts RunClass), and only the groups come back, with
// their counts and sums (some thousands, not a row a run). What each group
// counts as is decided in the pure core.
//
// The grouping is done twice over. First by automation, day of start and
// class: on SQLite an index on exactly these expressions (STATS_INDEXES, store
// format 4) hands the rows over in that order, so they are summed as they
// stream past, with no sort of every row. Then those day groups (tens of
// thousands at most) are grouped into the cells of time asked for. Two kinds
// of run do not fit a day group and are grouped one row at a time instead: a
// run that started on a day a cut falls inside (its cell is not its day's),
// and a run with a model mismatch (whether it counts depends on a threshold
// named by the query). What waits for a person is read apart, from indexes of
// the few runs that wait or waited.
//
// Every condition is null-safe, so a missing value is false, never unknown. The
// few values a query names (automation ids, instants, thresholds) are written
// into it as quoted literals: the same text on both stores, in the order it reads.
import { ageBounds, type LatencyCell, type RunAggregates, type RunClass, type WaitingGroup, type WindowCuts } from '../core/stats/aggregate.js';
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
  /** The runs table, read through the index of this name where the store has it. */
  runsBy(index: string): string;
}

export const SQLITE_STATS: StatsDialect = { floorInt: (x) => `CAST(${x} AS INTEGER)`, runsBy: (index) => `runs INDEXED BY ${index}` };
/** SQLite's, where an index was dropped: the same answers, from the table (verify names the index). */
export const SQLITE_STATS_UNINDEXED: StatsDialect = { ...SQLITE_STATS, runsBy: () => 'runs' };
export const POSTGRES_STATS: StatsDialect = { floorInt: (x) => `floor(${x})::integer`, runsBy: () => 'runs' };

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

const MISMATCH = B('mismatch_seq > start_seq AND (end_seq IS NULL OR mismatch_seq < end_seq)');
/** The day a run started on (times in the log are canonical ISO, in UTC). */
const DAY = 'substr(started_at, 1, 10)';
const MISMATCHED = 'CASE WHEN mismatch_seq IS NULL THEN 0 ELSE 1 END';
/** The finished runs with a latency: plain terms, so SQLite sees they are the latency index's. */
const TIMED = "start_seq IS NOT NULL AND ended = 'finished' AND end_seq IS NOT NULL AND duration_ms >= 0";
/** The finished runs that waited for a person, and when they stopped waiting (null: they still do). */
const AWAITED = "start_seq IS NOT NULL AND ended = 'finished' AND end_seq IS NOT NULL AND disposition IN ('review', 'approval_required')";
const DECIDED_AT = "CASE WHEN decision_seq > end_seq THEN coalesce(decision_at, '') END";

/** What tells a run's class apart, besides its automation, time and mismatch: expressions over its row, in RunClass's order. */
function classKeys(d: StatsDialect): string[] {
  // The hundredth as percentBin gives it: c >= k/100 exactly when the bin is at least k.
  const k0 = d.floorInt('confidence * 100');
  const hundredth = (k: string) => `CAST(${k} AS DOUBLE PRECISION) / 100`;
  const usable = B('confidence >= 0 AND confidence <= 1');
  const tenth = d.floorInt('confidence * 10');
  return [
    `CASE WHEN ${usable} THEN (CASE WHEN ${k0} >= 100 THEN 99 WHEN ${k0} > 0 AND confidence < ${hundredth(k0)} THEN ${k0} - 1 WHEN confidence >= ${hundredth(`${k0} + 1`)} THEN ${k0} + 1 ELSE ${k0} END) END`,
    `CASE WHEN ${usable} THEN (CASE WHEN ${tenth} > 9 THEN 9 ELSE ${tenth} END) END`,
    'CASE WHEN end_seq IS NOT NULL THEN ended END',
    'disposition',
    'CASE WHEN decision_seq > end_seq THEN decision END',
    'audit',
    'CASE WHEN audit_seq < end_seq THEN 1 ELSE 0 END',
    'CASE WHEN audit_seq > end_seq THEN audit_grade END',
    'CASE WHEN audit_seq < decision_seq THEN 1 ELSE 0 END',
    'CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END',
  ];
}

/** The columns the class expressions read, so an index of them covers a query of them. */
const CLASS_COLUMNS = 'started_at, tokens_in, tokens_out, cost_usd, confidence, end_seq, ended, mismatch_seq, decision_seq, decision, audit_seq, audit_grade, start_seq';

/**
 * The indexes SQLite reads the aggregates through (store format 4): the runs in
 * the order of their day groups, covering every column the groups read; the
 * timed runs likewise; and the few runs with a mismatch or that waited.
 */
export const STATS_INDEXES: Readonly<Record<string, string>> = {
  runs_by_class: `ON runs (automation, ${DAY}, ${MISMATCHED}, ${classKeys(SQLITE_STATS).join(', ')}, ${CLASS_COLUMNS}) WHERE start_seq IS NOT NULL`,
  runs_by_latency: `ON runs (automation, ${DAY}, latency_bucket, started_at, start_seq, ended, end_seq, duration_ms) WHERE ${TIMED}`,
  runs_mismatched: 'ON runs (first_seq) WHERE mismatch_seq IS NOT NULL',
  runs_waited: `ON runs ((${DECIDED_AT}), finished_at, started_at, automation, disposition, decision_seq, end_seq, decision_at, start_seq, ended) WHERE ${AWAITED}`,
};

/** Where the cuts (normalized) fall inside a day: its runs are grouped one by one (every automation's, or one automation's). */
function cutDays(cuts: readonly string[], byAutomation: readonly (readonly [string, string])[]): { all: string[]; byAutomation: [string, string][] } {
  const inside = (t: string) => (t.endsWith(MIDNIGHT) ? null : t.slice(0, 10));
  const all = [...new Set(cuts.map(inside).filter((d): d is string => d !== null))].sort();
  const one: [string, string][] = [];
  for (const [a, t] of byAutomation) {
    const day = inside(t);
    if (day !== null && !all.includes(day)) one.push([a, day]);
  }
  return { all, byAutomation: one };
}

const MIDNIGHT = 'T00:00:00.000Z';
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
const onDay = (day: string) => `started_at >= ${lit(day)} AND started_at < ${lit(nextDay(day))}`;
/** The first start a day group names its window by. */
const dayStart = (day: unknown) => `${day as string}${MIDNIGHT}`;

/** The statistics' aggregates of the runs table, through `read` (one query's rows as arrays). */
export async function aggregateRuns(q: AggregateQuery, d: StatsDialect, read: Read): Promise<StoreAggregates> {
  const only = q.automation !== undefined ? [`automation = ${lit(q.automation)}`] : [];
  const cuts = [...q.cuts.at].map((t) => normalizeTime(t, 'cut')).sort();
  const cell = (start: string) => (cuts.length ? [`CASE ${cuts.map((t, i) => `WHEN ${start} < ${lit(t)} THEN ${i}`).join(' ')} ELSE ${cuts.length} END`] : []);
  const byAutomation = [...(q.cuts.byAutomation ?? [])].map(([a, t]) => [a, normalizeTime(t, 'cut')] as const);
  const flag = (a: string, start: string) =>
    byAutomation.length ? [`CASE WHEN ${start} < (CASE ${a} ${byAutomation.map(([x, t]) => `WHEN ${lit(x)} THEN ${lit(t)}`).join(' ')} END) THEN 1 ELSE 0 END`] : [];
  // A window is the same for every start of an automation in one month between the same cuts.
  const cellOf = (a: string, month: string, start: string) => [a, month, ...cell(start), ...flag(a, start)];
  const split = cutDays(cuts, byAutomation);
  const keys = classKeys(d);
  const k = keys.map((_, i) => `k${i}`);
  const sums = ['count(*)', 'coalesce(sum(tokens_in), 0)', 'coalesce(sum(tokens_out), 0)', 'coalesce(sum(cost_usd), 0)', 'coalesce(sum(confidence), 0)', 'coalesce(sum(confidence * confidence), 0)'];
  const daySums = ['count(*)', 'sum(tokens_in)', 'sum(tokens_out)', 'sum(cost_usd)', 'sum(confidence)', 'sum(confidence * confidence)'];
  const dayKey = ['automation', DAY, MISMATCHED, ...keys];
  const whole = (day: string, a: string) => [...(split.all.length ? [`${day} NOT IN (${split.all.map(lit).join(', ')})`] : []), ...split.byAutomation.map(([x, dd]) => `NOT (${a} = ${lit(x)} AND ${day} = ${lit(dd)})`)];

  // The runs of whole days without a mismatch: by day group, then by cell. A
  // day's midnight is in the cell of every run that day, so it names the window.
  const daysSql = `WITH g AS (
      SELECT automation AS a, ${DAY} AS dd, ${MISMATCHED} AS m, ${keys.map((x, i) => `${x} AS k${i}`).join(', ')}, ${daySums.map((x, i) => `${x} AS s${i}`).join(', ')}
      FROM ${d.runsBy('runs_by_class')} WHERE ${['start_seq IS NOT NULL', ...only].join(' AND ')} GROUP BY ${dayKey.join(', ')})
    SELECT a, min(dd), ${k.join(', ')}, ${daySums.map((_, i) => `coalesce(sum(s${i}), 0)`).join(', ')}
    FROM g WHERE ${['m = 0', ...whole('dd', 'a')].join(' AND ')}
    GROUP BY ${[...cellOf('a', 'substr(dd, 1, 7)', `(dd || ${lit(MIDNIGHT)})`), ...k].join(', ')}`;

  // The runs grouped one by one: those with a mismatch, and those of the days a cut falls inside.
  const sources = [
    `SELECT * FROM ${d.runsBy('runs_mismatched')} WHERE ${['start_seq IS NOT NULL', 'mismatch_seq IS NOT NULL', ...only].join(' AND ')}`,
    ...split.all.map((day) => `SELECT * FROM runs WHERE ${['start_seq IS NOT NULL', 'mismatch_seq IS NULL', onDay(day), ...only].join(' AND ')}`),
    ...split.byAutomation
      .filter(([a]) => q.automation === undefined || a === q.automation)
      .map(([a, day]) => `SELECT * FROM runs WHERE ${['start_seq IS NOT NULL', 'mismatch_seq IS NULL', onDay(day), `automation = ${lit(a)}`].join(' AND ')}`),
  ];
  const thresholds = [...q.thresholds];
  const threshold = `(CASE automation ${thresholds.map(([a, t]) => `WHEN ${lit(a)} THEN ${num(t)}`).join(' ')} END)`;
  const rowKeys = [
    ...keys,
    `CASE WHEN ${MISMATCH} THEN 1 ELSE 0 END`,
    thresholds.length ? `CASE WHEN mismatch_seq IS NULL THEN 0 WHEN ${threshold} IS NOT NULL AND (confidence IS NULL OR confidence < ${threshold}) THEN 1 ELSE 0 END` : '0',
  ];
  const rk = rowKeys.map((_, i) => `k${i}`);
  const rowCell = cellOf('automation', 'substr(started_at, 1, 7)', 'started_at');
  const rowsSql = `WITH r AS (${sources.join(' UNION ALL ')}), c AS MATERIALIZED (
      SELECT ${rowCell.map((x, i) => `${x} AS c${i}`).join(', ')}, started_at, ${rowKeys.map((x, i) => `${x} AS k${i}`).join(', ')}, tokens_in, tokens_out, cost_usd, confidence
      FROM r)
    SELECT c0, min(started_at), ${rk.join(', ')}, ${sums.join(', ')}
    FROM c GROUP BY ${[...rowCell.map((_, i) => `c${i}`), ...rk].join(', ')}`;

  const latencyDaysSql = `WITH g AS (
      SELECT automation AS a, ${DAY} AS dd, latency_bucket AS b, count(*) AS n
      FROM ${d.runsBy('runs_by_latency')} WHERE ${[TIMED, ...only].join(' AND ')} GROUP BY automation, ${DAY}, latency_bucket)
    SELECT a, min(dd), b, sum(n) FROM g ${whole('dd', 'a').length ? `WHERE ${whole('dd', 'a').join(' AND ')}` : ''}
    GROUP BY ${[...cellOf('a', 'substr(dd, 1, 7)', `(dd || ${lit(MIDNIGHT)})`), 'b'].join(', ')}`;
  const cutDaysOnly = [...split.all.map(onDay), ...split.byAutomation.map(([a, day]) => and(`automation = ${lit(a)}`, onDay(day)))];
  const latencyRowsSql = cutDaysOnly.length
    ? `SELECT automation, min(started_at), latency_bucket, count(*) FROM runs WHERE ${[TIMED, or(...cutDaysOnly), ...only].join(' AND ')}
      GROUP BY ${[...rowCell, 'latency_bucket'].join(', ')}`
    : null;

  const age = (at: string) => {
    const b = ageBounds(Date.parse(at));
    return `CASE WHEN finished_at > ${lit(b.day)} THEN 0 WHEN finished_at > ${lit(b.week)} THEN 1 WHEN finished_at > ${lit(b.month)} THEN 2 ELSE 3 END`;
  };
  const waitingSql = `SELECT automation, awaiting, ${age(q.asOf)}, count(*), min(finished_at) FROM ${d.runsBy('runs_awaiting')}
    WHERE ${['awaiting IS NOT NULL', 'start_seq IS NOT NULL', ...only].join(' AND ')} GROUP BY automation, awaiting, ${age(q.asOf)}`;
  // What waited at an instant: finished before it, and decided at or after it or never.
  const waitedSql = (at: string) => {
    const t = lit(normalizeTime(at, 'at'));
    const part = (stopped: string) => `SELECT automation, disposition, finished_at FROM ${d.runsBy('runs_waited')} WHERE ${[AWAITED, stopped, `started_at < ${t}`, `finished_at < ${t}`, ...only].join(' AND ')}`;
    return `SELECT automation, disposition, ${age(at)}, count(*), min(finished_at)
      FROM (${part(`(${DECIDED_AT}) >= ${t}`)} UNION ALL ${part(`(${DECIDED_AT}) IS NULL`)}) w GROUP BY automation, disposition, ${age(at)}`;
  };
  const reverted = `SELECT ${RUN_SQL_COLUMNS} FROM runs WHERE ${['revert_seq IS NOT NULL', 'start_seq IS NOT NULL', ...only].join(' AND ')}`;

  const [dayRows, oneByOne, latencyDays, latencyRows, waitingRows, revertedRows, ...waitedRows] = await Promise.all([
    read(daysSql, []),
    read(rowsSql, []),
    read(latencyDaysSql, []),
    latencyRowsSql === null ? Promise.resolve([]) : read(latencyRowsSql, []),
    read(waitingSql, []),
    read(reverted, []),
    ...q.waitingAt.map((at) => read(waitedSql(at), [])),
  ]);
  const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const classOf = (r: unknown[], firstStart: string, mismatch: boolean, belowThreshold: boolean, at: number): RunClass => ({
    automation: r[0] as string,
    firstStart,
    percent: int(r[2]),
    bin: int(r[3]),
    ended: r[4] as RunClass['ended'],
    disposition: r[5] as string | null,
    decision: r[6] as string | null,
    audit: r[7] as string | null,
    auditBeforeEnd: Number(r[8]) === 1,
    auditGrade: r[9] as string | null,
    auditFirst: Number(r[10]) === 1,
    costUnknown: Number(r[11]) === 1,
    mismatch,
    belowThreshold,
    count: Number(r[at]),
    tokensIn: Number(r[at + 1]),
    tokensOut: Number(r[at + 2]),
    costUsd: Number(r[at + 3]),
    sumConfidence: Number(r[at + 4]),
    sumConfidenceSq: Number(r[at + 5]),
  });
  const n = keys.length;
  const latency = (firstStart: (v: unknown) => string) => (r: unknown[]): LatencyCell => ({ automation: r[0] as string, firstStart: firstStart(r[1]), bucket: r[2] === null ? null : Number(r[2]), count: Number(r[3]) });
  const waiting = (kind: (v: unknown) => WaitingGroup['kind']) => (r: unknown[]): WaitingGroup => ({ automation: r[0] as string, kind: kind(r[1]), age: Number(r[2]), count: Number(r[3]), oldestFinish: r[4] as string | null });
  return {
    classes: [
      ...dayRows.map((r) => classOf(r, dayStart(r[1]), false, false, 2 + n)),
      ...oneByOne.map((r) => classOf(r, r[1] as string, Number(r[2 + n]) === 1, Number(r[3 + n]) === 1, 4 + n)),
    ],
    latency: [...latencyDays.map(latency(dayStart)), ...latencyRows.map(latency((v) => v as string))],
    waiting: waitingRows.map(waiting((v) => v as WaitingGroup['kind'])),
    waitingAt: waitedRows.map((rows) => rows.map(waiting((v) => (v === 'review' ? 'review' : 'approval')))),
    reverted: revertedRows.map(rowToRun),
  };
}
