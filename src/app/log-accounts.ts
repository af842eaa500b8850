// `log verify`'s account of every row outside the hash chain itself: the
// events table counted (a row at seq 0 or below, which no query reads, is still
// a row), and the impacts and runs rows rebuilt from the chain and compared.
// The rebuild runs alongside the chain pass, in seq order: impacts rows are
// matched seq by seq, and each runs row (read in order of its run's first
// event) once the chain reaches its last event, so only the runs begun and not
// yet ended at the point the chain has reached are held in memory.
import type { StoredEvent } from '../core/log/chain.js';
import { emptyRun, foldRun, impactRows, runDifference, type ImpactRow, type RunRecord } from '../core/log/derived.js';
import type { LoggedEvent } from '../core/log/events.js';
import { parsePayload } from '../core/log/payloads.js';
import type { EventsTally, StoreAudit } from '../store/types.js';

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

const MAX_PROBLEMS = 100;

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

export class RowAccountant {
  readonly #impacts: Cursor<ImpactRow>;
  readonly #runs: Cursor<RunRecord>;
  /** Runs whose events so far are seen, until their runs row is met. */
  readonly #open = new Map<string, RunRecord>();
  /** Stored runs rows whose run has begun, until the chain reaches their last event. */
  readonly #waiting = new LastSeqHeap();
  readonly #problems: RowProblem[] = [];
  #more = 0;

  constructor(audit: StoreAudit) {
    this.#impacts = new Cursor(audit.impacts());
    this.#runs = new Cursor(audit.runs());
  }

  problem(p: RowProblem): void {
    if (this.#problems.length < MAX_PROBLEMS) this.#problems.push(p);
    else this.#more += 1;
  }

  /** The next page of the chain's events, in seq order. */
  async push(page: readonly StoredEvent[]): Promise<void> {
    for (const stored of page) {
      const event = this.#typed(stored);
      const expected = event ? impactRows(event) : [];
      // Only a page boundary of the impacts or runs stream waits.
      while (!this.#matchImpacts(stored.seq, expected)) await this.#impacts.fill();
      if (stored.runId !== null) {
        let open = this.#open.get(stored.runId);
        if (!open) this.#open.set(stored.runId, (open = emptyRun(stored.runId)));
        foldRun(open, event ?? stored, event !== null);
      }
      while (!this.#matchRuns(stored.seq)) await this.#runs.fill();
    }
  }

  /** After the last event: what is left over on either side, and the count of the events table. */
  async finish(tally: EventsTally, chain: { count: number; headSeq: number }): Promise<RowAccount> {
    while (!this.#matchImpacts(Number.POSITIVE_INFINITY, [])) await this.#impacts.fill();
    while (!this.#matchRuns(Number.POSITIVE_INFINITY)) await this.#runs.fill();
    for (const run of this.#open.values()) {
      this.problem({ table: 'runs', runId: run.runId, seq: run.lastSeq, reason: `run ${run.runId} has events up to seq ${run.lastSeq} but no runs row that matches them` });
    }
    for (const seq of tally.outside) this.problem({ table: 'events', seq, reason: `a row at seq ${seq} is outside the chain (seqs start at 1)` });
    if (tally.count !== chain.count) {
      this.problem({ table: 'events', reason: `the events table holds ${tally.count} rows, the chain ${chain.count}` });
    }
    if (tally.count > 0 && (tally.minSeq !== 1 || tally.maxSeq !== chain.headSeq)) {
      this.problem({ table: 'events', reason: `the events table spans seq ${tally.minSeq}-${tally.maxSeq}, the chain 1-${chain.headSeq}` });
    }
    return { events: tally.count, impacts: this.#impacts.read, runs: this.#runs.read, problems: this.#problems, more: this.#more };
  }

  #typed(s: StoredEvent): LoggedEvent | null {
    let data: unknown;
    try {
      data = JSON.parse(s.dataJson);
    } catch {
      this.problem({ table: 'events', seq: s.seq, reason: `event ${s.seq} holds data that is not JSON` });
      return null;
    }
    const parsed = parsePayload(s.type, data);
    if (!parsed.ok) {
      this.problem({ table: 'events', seq: s.seq, reason: `event ${s.seq} is not a valid ${s.type} event: ${parsed.problem}` });
      return null;
    }
    // A literal, not a spread: this runs once an event.
    return { v: s.v, seq: s.seq, id: s.id, type: s.type, at: s.at, automation: s.automation, runId: s.runId, actor: s.actor, data: parsed.data, prevHash: s.prevHash, hash: s.hash } as LoggedEvent;
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
      else this.problem({ table: 'impacts', seq: row.seq, reason: `an impacts row at seq ${row.seq} (${row.system}${row.ref ? `:${row.ref}` : ''}) is not named by any event` });
    }
    this.#pendingImpacts = [];
    if (found.length === 0 && expected.length === 0) return true;
    const want = expected.map(impactKey).sort();
    const have = found.map(impactKey).sort();
    if (want.length !== have.length || want.some((k, n) => k !== have[n])) {
      const missing = want.filter((k) => !have.includes(k)).length;
      const extra = have.filter((k) => !want.includes(k)).length;
      const what = [missing && `${missing} missing`, extra && `${extra} not named by it`].filter(Boolean).join(', ') || 'different';
      this.problem({ table: 'impacts', seq, reason: `the impacts rows of event ${seq} do not match it (${what})` });
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
    for (let row = this.#waiting.peek(); row !== undefined && row.lastSeq <= seq; row = this.#waiting.peek()) {
      this.#waiting.pop();
      const expected = this.#open.get(row.runId);
      if (!expected) {
        this.problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} is not explained by the chain (no event of that run up to seq ${row.lastSeq})` });
        continue;
      }
      this.#open.delete(row.runId);
      const diff = runDifference(expected, row);
      if (diff) this.problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} does not match its events: ${diff}` });
    }
    return true;
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
