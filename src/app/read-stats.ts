// Where the statistics come from: today one scan of the whole run log through
// the stats fold, in constant memory. The dashboard, the report and calibrate
// ask only for "the fold's result over this log, and as it stood at these
// instants", so a derived runs table can answer the same question later
// without changing them: one row a run (start, tier, status, disposition,
// confidence, cost, tokens, latency, first decision, audit grade, reverted,
// model mismatch, when it began to wait) carries everything the fold counts,
// and the rows of the runs that started in the window, or still wait, are all
// a window needs.
import { createStatsFold, type FoldOptions, type ResultOptions, type Statistics } from '../core/stats/fold.js';
import type { FoldEvent } from '../core/stats/events.js';
import { isCanonicalTime } from '../core/stats/windows.js';
import type { Store } from '../store/types.js';

export interface FoldRequest extends FoldOptions {
  /** Now: backlog ages are measured here, and no snapshot is taken after it. */
  asOf: string;
  result?: ResultOptions;
  /**
   * Instants to see the fold at as the scan passes them (their backlog and evals
   * as they stood then). The log is read in seq order, which is time order up to
   * the clock skew between the hosts that write it.
   */
  snapshotsAt?: readonly string[];
  /** Only these events (e.g. one automation's); evals are always kept. */
  only?: (e: FoldEvent) => boolean;
}

export interface FoldedLog {
  stats: Statistics;
  /** By the instant asked for; an instant later than the log's last event (or than `asOf`) sees the end. */
  snapshots: Map<string, Statistics>;
  events: number;
}

export async function foldLog(store: Store, req: FoldRequest): Promise<FoldedLog> {
  const fold = createStatsFold(req);
  const pending = [...(req.snapshotsAt ?? [])].filter((t) => Date.parse(t) < Date.parse(req.asOf)).sort((a, b) => Date.parse(a) - Date.parse(b));
  const snapshots = new Map<string, Statistics>();
  let events = 0;
  for await (const e of store.scan()) {
    while (pending.length && atOrAfter(e.at, pending[0])) {
      const at = pending.shift()!;
      snapshots.set(at, fold.result(at));
    }
    if (req.only && e.type !== 'eval_completed' && !req.only(e)) continue;
    fold.add(e);
    events++;
  }
  const stats = fold.result(req.asOf, req.result);
  for (const at of req.snapshotsAt ?? []) if (!snapshots.has(at)) snapshots.set(at, Date.parse(at) < Date.parse(req.asOf) ? fold.result(at) : stats);
  return { stats, snapshots, events };
}

/** `a >= b` as instants; canonical ISO strings compare as strings, without parsing. */
function atOrAfter(a: string, b: string): boolean {
  return isCanonicalTime(a) && isCanonicalTime(b) ? a >= b : Date.parse(a) >= Date.parse(b);
}
