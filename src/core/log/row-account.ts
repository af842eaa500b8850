// `log verify`'s account of every row outside the hash chain itself: the
// impacts and runs rows rebuilt from the chain and compared with the stored
// ones. Pure: the rows come in as pages.
//
// A `RangeAccount` takes the events of one range of seqs in order, with the
// impacts rows of that range and a share of the runs rows. Impacts rows are
// matched seq by seq; each runs row is compared once the chain reaches its last
// event, so only the runs begun and not yet ended are held in memory. A log is
// accounted for as one range (in this thread), or as several side by side (on
// threads of their own, over one snapshot), and `RowReconciler` joins the
// ranges in order: a run whose events or row reach past the end of a range is
// carried into the next as its fold so far (which columns its events set, and
// which they only filled while empty), so it is compared exactly as one pass
// over the whole log would compare it.
import { parsePayload } from './payloads.js';
import {
  RUN_COLUMNS,
  emptyRun,
  envelopeRunRules,
  impactRows,
  runDifference,
  runRules,
  type ImpactRow,
  type RunColumn,
  type RunRecord,
  type RunSink,
} from './derived.js';
import type { EventType, LoggedEvent } from './events.js';

export interface RowProblem {
  table: 'events' | 'impacts' | 'runs';
  seq?: number;
  runId?: string;
  reason: string;
}

export interface RowAccount {
  events: number;
  impacts: number;
  runs: number;
  problems: RowProblem[];
  /** Problems found beyond the first MAX_PROBLEMS, counted but not listed. */
  more: number;
}

export const MAX_PROBLEMS = 100;

/** A problem, and how far the pass over the chain had come when it was found: problems of several ranges are listed in that order. */
export interface PlacedProblem {
  at: number;
  problem: RowProblem;
}

/** The first MAX_PROBLEMS problems, and a count of the rest. */
export class ProblemList {
  readonly placed: PlacedProblem[] = [];
  more = 0;

  add(at: number, problem: RowProblem): void {
    if (this.placed.length < MAX_PROBLEMS) this.placed.push({ at, problem });
    else this.more += 1;
  }
}

/** An event as the accounting reads it: seq, type, at, automation, run id and the stored payload text. */
export type AccountRow = [seq: number, type: string, at: string, automation: string | null, runId: string | null, data: unknown];

/** Where in a row of another layout each of those columns is. */
export interface RowLayout {
  seq: number;
  type: number;
  at: number;
  automation: number;
  runId: number;
  data: number;
}

export const ACCOUNT_ROW: RowLayout = { seq: 0, type: 1, at: 2, automation: 3, runId: 4, data: 5 };

/**
 * A run's row as the events of one range leave it, from an empty row: the
 * columns those events touched, and of those the ones they set (the rest they
 * only filled while empty). Bit n is RUN_COLUMNS[n].
 */
export interface RunFold {
  row: RunRecord;
  touched: number;
  set: number;
}

const BIT: ReadonlyMap<RunColumn, number> = new Map(RUN_COLUMNS.map(([c], n) => [c, 1 << n]));

/** The derived rules applied to a fold in place (as foldRun does to a row), keeping track of what they touched. */
class FoldSink implements RunSink {
  fold!: RunFold;
  set(column: RunColumn, value: string | number | null): void {
    const f = this.fold;
    (f.row as unknown as Record<string, unknown>)[column] = value;
    const bit = BIT.get(column)!;
    f.touched |= bit;
    f.set |= bit;
  }
  first(column: RunColumn, value: string | number | null): void {
    const f = this.fold;
    const row = f.row as unknown as Record<string, unknown>;
    if (row[column] === null) row[column] = value;
    f.touched |= BIT.get(column)!;
  }
}

/** `later` (the same run's fold over a later range) applied on top of `earlier`, in place: as if one range had held both. */
export function composeFolds(earlier: RunFold, later: RunFold): void {
  const to = earlier.row as unknown as Record<string, unknown>;
  const from = later.row as unknown as Record<string, unknown>;
  for (const [column] of RUN_COLUMNS) {
    const bit = BIT.get(column)!;
    if ((later.touched & bit) === 0) continue;
    if ((later.set & bit) !== 0) {
      to[column] = from[column];
      earlier.set |= bit;
    } else if (to[column] === null) {
      to[column] = from[column];
    }
    earlier.touched |= bit;
  }
}

/**
 * Pulls one row at a time from a paged stream. `peek` answers from the page in
 * hand without waiting; only when it is used up does `fill` read the next.
 */
class Cursor<T> {
  readonly #pages: AsyncIterator<T[]>;
  #page: T[] = [];
  #at = 0;
  done = false;
  read = 0;

  constructor(pages: AsyncIterable<T[]>) {
    this.#pages = pages[Symbol.asyncIterator]();
  }

  /** The next row, or undefined when the page in hand is used up (then `fill`, unless `done`). */
  peek(): T | undefined {
    return this.#at < this.#page.length ? this.#page[this.#at] : undefined;
  }

  async fill(): Promise<void> {
    while (this.#at >= this.#page.length && !this.done) {
      const next = await this.#pages.next();
      if (next.done) this.done = true;
      else {
        this.#page = next.value;
        this.#at = 0;
      }
    }
  }

  take(): T {
    this.read += 1;
    return this.#page[this.#at++];
  }
}

const impactKey = (i: ImpactRow) => `${i.runId}\u0000${i.automation}\u0000${i.system}\u0000${i.ref}\u0000${i.action}`;
const NONE: readonly ImpactRow[] = [];

/** What one range leaves: its counts and problems, and what reaches past its end. */
export interface RangeResult {
  /** Stored rows read: every impacts row of the range, every runs row of its share. */
  impacts: number;
  runs: number;
  problems: PlacedProblem[];
  more: number;
  /** Runs with events in the range that no runs row of its share matched, with their folds over the range. */
  open: [runId: string, fold: RunFold][];
  /** Runs rows of its share whose last event lies past the range, not compared yet. */
  waiting: RunRecord[];
}

export class RangeAccount {
  readonly #hi: number;
  readonly #impacts: Cursor<ImpactRow>;
  readonly #runs: Cursor<RunRecord>;
  /** Runs whose events so far are seen, until their runs row is met. */
  readonly #open = new Map<string, RunFold>();
  /** Stored runs rows whose run has begun, until the chain reaches their last event. */
  readonly #waiting = new LastSeqHeap();
  readonly #problems = new ProblemList();
  readonly #sink = new FoldSink();
  /** How far the chain has come. */
  #at = 0;

  /**
   * `impacts`: every impacts row of the range, in seq order; `runs`: the runs
   * rows this range compares, roughly in order of first_seq (a row that comes
   * early is held until the chain reaches it); `hi`: the range's last seq.
   */
  constructor(impacts: AsyncIterable<ImpactRow[]>, runs: AsyncIterable<RunRecord[]>, hi = Number.POSITIVE_INFINITY) {
    this.#hi = hi;
    this.#impacts = new Cursor(impacts);
    this.#runs = new Cursor(runs);
  }

  #problem(p: RowProblem): void {
    this.#problems.add(this.#at, p);
  }

  /** The next page of the range's events, in seq order: rows with the columns at the places `layout` says. */
  async push(page: readonly (readonly unknown[])[], layout: RowLayout = ACCOUNT_ROW): Promise<void> {
    const { seq: S, type: T, at: A, automation: U, runId: R, data: D } = layout;
    for (const row of page) {
      const seq = row[S] as number;
      this.#at = seq;
      const event = this.#typed(seq, row[T] as EventType, row[A] as string, row[U] as string | null, row[R] as string | null, row[D]);
      const expected = event ? impactRows(event) : NONE;
      // Only a page boundary of the impacts or runs stream waits.
      while (!this.#matchImpacts(seq, expected)) await this.#impacts.fill();
      const runId = row[R] as string | null;
      if (runId !== null) {
        let fold = this.#open.get(runId);
        if (!fold) this.#open.set(runId, (fold = { row: emptyRun(runId), touched: 0, set: 0 }));
        this.#sink.fold = fold;
        if (event) runRules(event, this.#sink);
        else envelopeRunRules({ seq, at: row[A] as string, automation: row[U] as string | null }, this.#sink);
      }
      while (!this.#matchRuns(seq)) await this.#runs.fill();
    }
  }

  /** After the range's last event: the impacts rows left, the runs rows compared up to the end, and what is carried on. */
  async end(): Promise<RangeResult> {
    this.#at = this.#hi;
    while (!this.#matchImpacts(Number.POSITIVE_INFINITY, NONE)) await this.#impacts.fill();
    while (!this.#matchRuns(this.#hi)) await this.#runs.fill();
    const waiting: RunRecord[] = [];
    for (let row = this.#waiting.pop(); row !== undefined; row = this.#waiting.pop()) waiting.push(row);
    for (;;) {
      await this.#runs.fill();
      if (this.#runs.peek() === undefined) break;
      waiting.push(this.#runs.take());
    }
    return {
      impacts: this.#impacts.read,
      runs: this.#runs.read,
      problems: this.#problems.placed,
      more: this.#problems.more,
      open: [...this.#open],
      waiting,
    };
  }

  /** The one event object the rules read, refilled for each event (nothing keeps it): verify reads a million. */
  readonly #event = { v: 0, seq: 0, id: '', type: '' as EventType, at: '', automation: null as string | null, runId: null as string | null, actor: null, data: null as unknown, prevHash: '', hash: '' };

  #typed(seq: number, type: EventType, at: string, automation: string | null, runId: string | null, text: unknown): LoggedEvent | null {
    let data: unknown;
    try {
      data = JSON.parse(text as string);
    } catch {
      this.#problem({ table: 'events', seq, reason: `event ${seq} holds data that is not JSON` });
      return null;
    }
    const parsed = parsePayload(type, data);
    if (!parsed.ok) {
      this.#problem({ table: 'events', seq, reason: `event ${seq} is not a valid ${type} event: ${parsed.problem}` });
      return null;
    }
    // The rules read only seq, type, at, automation, runId and data.
    const e = this.#event;
    e.seq = seq;
    e.type = type;
    e.at = at;
    e.automation = automation;
    e.runId = runId;
    e.data = parsed.data;
    return e as unknown as LoggedEvent;
  }

  /**
   * The stored impacts rows of `seq` against the ones its event names; a
   * stored row of an earlier seq is one no event explains. False when the page
   * in hand ran out first (fill and call again: rows already taken are kept).
   */
  #pendingImpacts: ImpactRow[] = [];

  #matchImpacts(seq: number, expected: readonly ImpactRow[]): boolean {
    const found = this.#pendingImpacts;
    for (;;) {
      const row = this.#impacts.peek();
      if (row === undefined) {
        if (!this.#impacts.done) return false;
        break;
      }
      if (row.seq > seq) break;
      this.#impacts.take();
      if (row.seq === seq) found.push(row);
      else this.#problem({ table: 'impacts', seq: row.seq, reason: `an impacts row at seq ${row.seq} (${row.system}${row.ref ? `:${row.ref}` : ''}) is not named by any event` });
    }
    this.#pendingImpacts = [];
    if (found.length === 0 && expected.length === 0) return true;
    const want = expected.map(impactKey).sort();
    const have = found.map(impactKey).sort();
    if (want.length !== have.length || want.some((k, n) => k !== have[n])) {
      const missing = want.filter((k) => !have.includes(k)).length;
      const extra = have.filter((k) => !want.includes(k)).length;
      const what = [missing && `${missing} missing`, extra && `${extra} not named by it`].filter(Boolean).join(', ') || 'different';
      this.#problem({ table: 'impacts', seq, reason: `the impacts rows of event ${seq} do not match it (${what})` });
    }
    return true;
  }

  /**
   * Takes in every stored runs row whose run has begun by `seq` (they come in
   * order of first_seq), then compares every one whose last event is at or
   * before `seq` with the run rebuilt from the chain; false as above. A row
   * out of order is still compared, only later.
   */
  #matchRuns(seq: number): boolean {
    for (;;) {
      const row = this.#runs.peek();
      if (row === undefined) {
        if (!this.#runs.done) return false;
        break;
      }
      if (row.firstSeq > seq) break;
      this.#waiting.push(this.#runs.take());
    }
    compareDue(this.#waiting, this.#open, seq, (p) => this.#problem(p));
    return true;
  }
}

/** Compares every waiting runs row whose last event is at or before `seq` with its run's fold, and lets go of both. */
function compareDue(waiting: LastSeqHeap, open: Map<string, RunFold>, seq: number, problem: (p: RowProblem, row: RunRecord) => void): void {
  for (let row = waiting.peek(); row !== undefined && row.lastSeq <= seq; row = waiting.peek()) {
    waiting.pop();
    const expected = open.get(row.runId);
    if (!expected) {
      problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} is not explained by the chain (no event of that run up to seq ${row.lastSeq})` }, row);
      continue;
    }
    open.delete(row.runId);
    const diff = runDifference(expected.row, row);
    if (diff) problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} does not match its events: ${diff}` }, row);
  }
}

/** What the events table holds, as the tally counted it. */
export interface EventsCount {
  count: number;
  minSeq: number | null;
  maxSeq: number | null;
  outside: number[];
}

/**
 * Joins the ranges of a log, in seq order, into one account: the runs carried
 * from range to range compared once the chain reaches their last event, and
 * after the last range what is left over on either side and the count of the
 * events table.
 */
export class RowReconciler {
  readonly #open = new Map<string, RunFold>();
  readonly #waiting = new LastSeqHeap();
  readonly #ranges: PlacedProblem[][] = [];
  readonly #own = new ProblemList();
  #more = 0;
  #impacts = 0;
  #runs = 0;
  #at = 0;

  #problem = (p: RowProblem): void => this.#own.add(this.#at, p);
  /** A carried row is compared where one pass would have compared it: when the chain reached its last event (or at the end). */
  #compared = (p: RowProblem, row: RunRecord): void => this.#own.add(this.#at === Number.POSITIVE_INFINITY ? this.#at : row.lastSeq, p);

  /** The result of the next range, whose last seq is `hi`. */
  add(r: RangeResult, hi: number): void {
    this.#impacts += r.impacts;
    this.#runs += r.runs;
    this.#ranges.push(r.problems);
    this.#more += r.more;
    for (const [runId, fold] of r.open) {
      const before = this.#open.get(runId);
      if (before) composeFolds(before, fold);
      else this.#open.set(runId, fold);
    }
    for (const row of r.waiting) this.#waiting.push(row);
    this.#at = hi;
    compareDue(this.#waiting, this.#open, hi, this.#compared);
  }

  /** Impacts rows outside every range (below seq 1, or past the chain's head): rows no event explains. */
  outsideImpacts(rows: readonly ImpactRow[]): void {
    for (const row of rows) {
      this.#impacts += 1;
      this.#own.add(row.seq < 1 ? 0 : Number.POSITIVE_INFINITY, {
        table: 'impacts',
        seq: row.seq,
        reason: `an impacts row at seq ${row.seq} (${row.system}${row.ref ? `:${row.ref}` : ''}) is not named by any event`,
      });
    }
  }

  /** After the last range: what is left over on either side, and the count of the events table. */
  finish(tally: EventsCount, chain: { count: number; headSeq: number }): RowAccount {
    this.#at = Number.POSITIVE_INFINITY;
    compareDue(this.#waiting, this.#open, Number.POSITIVE_INFINITY, this.#compared);
    for (const [, fold] of this.#open) {
      const run = fold.row;
      this.#problem({ table: 'runs', runId: run.runId, seq: run.lastSeq, reason: `run ${run.runId} has events up to seq ${run.lastSeq} but no runs row that matches them` });
    }
    for (const seq of tally.outside) this.#problem({ table: 'events', seq, reason: `a row at seq ${seq} is outside the chain (seqs start at 1)` });
    if (tally.count !== chain.count) {
      this.#problem({ table: 'events', reason: `the events table holds ${tally.count} rows, the chain ${chain.count}` });
    }
    if (tally.count > 0 && (tally.minSeq !== 1 || tally.maxSeq !== chain.headSeq)) {
      this.#problem({ table: 'events', reason: `the events table spans seq ${tally.minSeq}-${tally.maxSeq}, the chain 1-${chain.headSeq}` });
    }
    // In the order one pass over the log finds them (a stable sort: ties keep the order they were found in).
    const all = [...this.#ranges.flat(), ...this.#own.placed].sort((a, b) => a.at - b.at);
    const listed = all.slice(0, MAX_PROBLEMS).map((p) => p.problem);
    const more = this.#more + this.#own.more + (all.length - listed.length);
    return { events: tally.count, impacts: this.#impacts, runs: this.#runs, problems: listed, more };
  }
}

/** Stored runs rows taken in, least last_seq first. */
class LastSeqHeap {
  readonly #rows: RunRecord[] = [];

  peek(): RunRecord | undefined {
    return this.#rows[0];
  }

  push(row: RunRecord): void {
    const h = this.#rows;
    h.push(row);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent].lastSeq <= h[i].lastSeq) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  pop(): RunRecord | undefined {
    const h = this.#rows;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].lastSeq < h[m].lastSeq) m = l;
        if (r < h.length && h[r].lastSeq < h[m].lastSeq) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
