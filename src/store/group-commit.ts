// Group commit: the appends one process makes while the store is busy (or in
// the same tick) share one transaction, so 64 runs in flight cost a commit or
// two, not 128. Each caller still gets its own events back and its own error:
// the store decides every request on its own inside the shared transaction (a
// conditional append that lost its race fails alone).
import type { PreparedRow } from '../core/log/chain.js';
import type { LoggedEvent } from '../core/log/events.js';
import type { AppendCondition } from './types.js';

export interface AppendRequest {
  rows: PreparedRow[];
  expect?: AppendCondition;
}

export type Outcome = { ok: true; events: LoggedEvent[] } | { ok: false; error: unknown };

interface Waiting extends AppendRequest {
  resolve(events: LoggedEvent[]): void;
  reject(error: unknown): void;
}

/** At most this many events go into one transaction; a larger single append goes alone. */
const MAX_EVENTS = 5000;

export class AppendQueue {
  readonly #write: (batch: AppendRequest[]) => Promise<Outcome[]>;
  #waiting: Waiting[] = [];
  #flushing: Promise<void> | null = null;
  #scheduled = false;

  /** `write` appends a batch in one transaction and returns one outcome a request, in order; a throw fails the whole batch. */
  constructor(write: (batch: AppendRequest[]) => Promise<Outcome[]>) {
    this.#write = write;
  }

  add(request: AppendRequest): Promise<LoggedEvent[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ ...request, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once every append queued so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing || this.#waiting.length > 0) {
      if (!this.#flushing) this.#start();
      await this.#flushing;
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // The rest of this tick's appends join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#flushing) this.#start();
    });
  }

  #start(): void {
    const batch = this.#take();
    if (batch.length === 0) return;
    this.#flushing = this.#run(batch).finally(() => {
      this.#flushing = null;
      // What queued up while this batch was written goes next, at once.
      if (this.#waiting.length > 0) this.#start();
    });
  }

  #take(): Waiting[] {
    let events = 0;
    let n = 0;
    while (n < this.#waiting.length && (n === 0 || events + this.#waiting[n].rows.length <= MAX_EVENTS)) {
      events += this.#waiting[n].rows.length;
      n += 1;
    }
    return this.#waiting.splice(0, n);
  }

  async #run(batch: Waiting[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.#write(batch.map(({ rows, expect }) => ({ rows, expect })));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, n) => {
      const o = outcomes[n];
      if (o.ok) w.resolve(o.events);
      else w.reject(o.error);
    });
  }
}
