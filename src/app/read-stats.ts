// Where the statistics come from. The dashboard, the report and calibrate ask
// for "the fold's result over this log, and as it stood at these instants";
// `readStats` answers from the runs table's aggregates (store/stats-sql.ts:
// counts by automation, cell of time and hundredth of confidence, a few
// thousand rows whatever the log's length), and `foldLog` by folding every
// event: the reference the aggregates are tested against, and what a store
// without aggregates gets.
import { statisticsFromAggregates, snapshotFromAggregates, type WindowCuts } from '../core/stats/aggregate.js';
import { createStatsFold, type ResultOptions, type Statistics } from '../core/stats/fold.js';
import type { FoldEvent } from '../core/stats/events.js';
import { snapshotOf, type Snapshot } from '../core/stats/snapshot.js';
import { allTime, isCanonicalTime } from '../core/stats/windows.js';
import type { Store } from '../store/types.js';

export interface StatsRequest {
  /** Now: backlog ages are measured here. */
  asOf: string;
  /** The window of a run, from its start and automation (default: one window, `all`); it changes only at the month and at `cuts`. */
  windowOf?: (at: string, automation: string) => string;
  cuts?: WindowCuts;
  /** Each automation's confidence threshold (see FoldOptions.thresholdOf). */
  thresholds?: ReadonlyMap<string, number | undefined>;
  actionHorizonMs?: number;
  result?: ResultOptions;
  /** Instants to see the backlog and the evals at, as the events dated before each left them. */
  snapshotsAt?: readonly string[];
  /** Only this automation's runs; evals are always kept. */
  automation?: string;
}

export interface ReadStats {
  stats: Statistics;
  /** By the instant asked for; one at or after `asOf` is the end. */
  snapshots: Map<string, Snapshot>;
}

/** The statistics from the store's aggregates where it has them, else from a fold over every event. */
export async function readStats(store: Store, req: StatsRequest): Promise<ReadStats> {
  if (!store.aggregateRuns) return foldLog(store, req);
  const cuts = req.cuts ?? { at: [] };
  const earlier = pastInstants(req);
  const thresholds = new Map([...(req.thresholds ?? [])].filter((e): e is [string, number] => e[1] !== undefined));
  const [aggregates, evalEvents] = await Promise.all([
    store.aggregateRuns({ ...(req.automation !== undefined ? { automation: req.automation } : {}), cuts, thresholds, asOf: req.asOf, waitingAt: earlier }),
    store.queryForFold({ types: ['eval_completed'], order: 'asc' }),
  ]);
  const evalsBefore = (at: string | null) => {
    const fold = createStatsFold();
    for (const e of evalEvents) if (at === null || !atOrAfter(e.at, at)) fold.add(e);
    return fold.result(req.asOf).evals;
  };
  const stats = statisticsFromAggregates({
    asOf: req.asOf,
    aggregates,
    evals: evalsBefore(null),
    windowOf: req.windowOf ?? allTime,
    ...(req.actionHorizonMs !== undefined ? { actionHorizonMs: req.actionHorizonMs } : {}),
    ...(req.result ? { result: req.result } : {}),
  });
  const snapshots = new Map<string, Snapshot>();
  for (const at of req.snapshotsAt ?? []) {
    const i = earlier.indexOf(at);
    snapshots.set(at, i >= 0 ? snapshotFromAggregates(at, aggregates, i, evalsBefore(at)) : snapshotOf(stats));
  }
  return { stats, snapshots };
}

/** The same by folding every event of the log once (and once more for each instant, with the events dated before it). */
export async function foldLog(store: Store, req: StatsRequest): Promise<ReadStats & { events: number }> {
  const thresholdOf = (id: string) => req.thresholds?.get(id);
  const opts = { ...(req.windowOf ? { windowOf: req.windowOf } : {}), thresholdOf, ...(req.actionHorizonMs !== undefined ? { actionHorizonMs: req.actionHorizonMs } : {}) };
  const fold = createStatsFold(opts);
  const earlier = pastInstants(req).map((at) => ({ at, fold: createStatsFold(opts) }));
  const keep = (e: FoldEvent) => e.type === 'eval_completed' || req.automation === undefined || e.automation === req.automation;
  let events = 0;
  for await (const e of store.scan()) {
    if (!keep(e)) continue;
    fold.add(e);
    for (const s of earlier) if (!atOrAfter(e.at, s.at)) s.fold.add(e);
    events++;
  }
  const stats = fold.result(req.asOf, req.result);
  const snapshots = new Map<string, Snapshot>();
  for (const at of req.snapshotsAt ?? []) {
    const s = earlier.find((x) => x.at === at);
    snapshots.set(at, snapshotOf(s ? s.fold.result(at) : stats));
  }
  return { stats, snapshots, events };
}

/** The instants asked for that come before `asOf`, once each. */
function pastInstants(req: StatsRequest): string[] {
  return [...new Set(req.snapshotsAt ?? [])].filter((t) => Date.parse(t) < Date.parse(req.asOf));
}

/** `a >= b` as instants; canonical ISO strings compare as strings, without parsing. */
function atOrAfter(a: string, b: string): boolean {
  return isCanonicalTime(a) && isCanonicalTime(b) ? a >= b : Date.parse(a) >= Date.parse(b);
}
