// `log verify`'s account of every row outside the hash chain itself: the
// events table counted (a row at seq 0 or below, which no query reads, is still
// a row), and the impacts and runs rows rebuilt from the chain and compared.
// The rebuild runs alongside the chain pass, in seq order: impacts rows are
// matched seq by seq, runs rows in order of their last event, so only the runs
// whose last event is still ahead are held in memory.
import type { StoredEvent } from '../core/log/chain.js';
import { applyRunPatch, envelopePatch, impactRows, runDifference, runPatch, type ImpactRow, type RunRecord } from '../core/log/derived.js';
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

/** Pulls one row at a time from a paged stream, with a look at the next. */
class Cursor<T> {
  readonly #pages: AsyncIterator<T[]>;
  #page: T[] = [];
  #at = 0;
  #done = false;
  read = 0;

  constructor(pages: AsyncIterable<T[]>) {
    this.#pages = pages[Symbol.asyncIterator]();
  }

  async peek(): Promise<T | undefined> {
    while (this.#at >= this.#page.length) {
      if (this.#done) return undefined;
      const next = await this.#pages.next();
      if (next.done) {
        this.#done = true;
        return undefined;
      }
      this.#page = next.value;
      this.#at = 0;
    }
    return this.#page[this.#at];
  }

  take(): T {
    this.read += 1;
    return this.#page[this.#at++];
  }
}

const impactKey = (i: ImpactRow) => JSON.stringify([i.runId, i.automation, i.system, i.ref, i.action]);

export class RowAccountant {
  readonly #impacts: Cursor<ImpactRow>;
  readonly #runs: Cursor<RunRecord>;
  /** Runs whose events so far are seen, until their runs row is met. */
  readonly #open = new Map<string, RunRecord>();
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

  /** The next event of the chain, in seq order. */
  async push(stored: StoredEvent): Promise<void> {
    const event = this.#typed(stored);
    await this.#matchImpacts(stored.seq, event ? impactRows(event) : []);
    const patch = event ? runPatch(event) : envelopePatch(stored);
    if (patch) this.#open.set(patch.runId, applyRunPatch(this.#open.get(patch.runId) ?? null, patch));
    await this.#matchRuns(stored.seq);
  }

  /** After the last event: what is left over on either side, and the count of the events table. */
  async finish(tally: EventsTally, chain: { count: number; headSeq: number }): Promise<RowAccount> {
    await this.#matchImpacts(Number.POSITIVE_INFINITY, []);
    await this.#matchRuns(Number.POSITIVE_INFINITY);
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

  #typed(stored: StoredEvent): LoggedEvent | null {
    let data: unknown;
    try {
      data = JSON.parse(stored.dataJson);
    } catch {
      this.problem({ table: 'events', seq: stored.seq, reason: `event ${stored.seq} holds data that is not JSON` });
      return null;
    }
    const parsed = parsePayload(stored.type, data);
    if (!parsed.ok) {
      this.problem({ table: 'events', seq: stored.seq, reason: `event ${stored.seq} is not a valid ${stored.type} event: ${parsed.problem}` });
      return null;
    }
    const { dataJson: _text, ...fields } = stored;
    return { ...fields, data: parsed.data } as LoggedEvent;
  }

  /** The stored impacts rows of `seq` against the ones its event names; a stored row of an earlier seq is one no event explains. */
  async #matchImpacts(seq: number, expected: ImpactRow[]): Promise<void> {
    const found: ImpactRow[] = [];
    for (let row = await this.#impacts.peek(); row !== undefined && row.seq <= seq; row = await this.#impacts.peek()) {
      this.#impacts.take();
      if (row.seq === seq) found.push(row);
      else this.problem({ table: 'impacts', seq: row.seq, reason: `an impacts row at seq ${row.seq} (${row.system}${row.ref ? `:${row.ref}` : ''}) is not named by any event` });
    }
    if (found.length === 0 && expected.length === 0) return;
    const want = expected.map(impactKey).sort();
    const have = found.map(impactKey).sort();
    if (want.join('\n') !== have.join('\n')) {
      const missing = want.filter((k) => !have.includes(k)).length;
      const extra = have.filter((k) => !want.includes(k)).length;
      const what = [missing && `${missing} missing`, extra && `${extra} not named by it`].filter(Boolean).join(', ') || 'different';
      this.problem({ table: 'impacts', seq, reason: `the impacts rows of event ${seq} do not match it (${what})` });
    }
  }

  /** Compares every stored runs row whose last event is at or before `seq` with the run rebuilt from the chain. */
  async #matchRuns(seq: number): Promise<void> {
    for (let row = await this.#runs.peek(); row !== undefined && row.lastSeq <= seq; row = await this.#runs.peek()) {
      this.#runs.take();
      const expected = this.#open.get(row.runId);
      if (!expected) {
        this.problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} is not explained by the chain (no event of that run up to seq ${row.lastSeq})` });
        continue;
      }
      this.#open.delete(row.runId);
      const diff = runDifference(expected, row);
      if (diff) this.problem({ table: 'runs', runId: row.runId, seq: row.lastSeq, reason: `the runs row of ${row.runId} does not match its events: ${diff}` });
    }
  }
}
