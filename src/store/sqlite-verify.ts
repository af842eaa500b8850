// `log verify` of a long SQLite log on several threads: the seqs split into
// ranges, each range's piece of the chain and its account of the rows checked
// on a thread of its own (sqlite-verify-thread.ts), reading each event once.
//
// Every thread must read the same snapshot as the main thread's connection:
// runs rows change as events are appended. SQLite cannot hand a snapshot from
// one connection to another, so each thread begins its read transaction and
// reports the head it sees; only when every head is the main thread's (no
// append committed in between) do the threads go on. Otherwise they all begin
// again, a few times, and then the caller verifies on this thread instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RangeResult } from '../core/log/row-account.js';

/** The seqs one thread verifies, and its share of the runs rows (by first_seq; null: unbounded). */
export interface RangeJob {
  lo: number;
  hi: number;
  runsFrom: number | null;
  runsTo: number | null;
}

export interface RangeReport {
  chain: { count: number; last: { seq: number; hash: string } | null; firstBad: { seq: number; reason: string } | null };
  rows: RangeResult;
}

export interface ThreadData {
  kind: 'aigov-verify-range';
  path: string;
}

export type ThreadRequest = { do: 'snapshot' } | { do: 'again' } | { do: 'go'; range: RangeJob };
export type ThreadReply = { ready: true } | { head: string } | { report: RangeReport } | { error: string };

/**
 * The thread's module: beside this one once built (dist/store/, or the CLI
 * bundle's directory beside it); from the sources (the tests), the built one,
 * which the tests keep fresh. Null where there is none: verify stays on this thread.
 */
function threadModule(): URL | null {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../../dist/store/sqlite-verify-thread.js', here) : new URL('../store/sqlite-verify-thread.js', here);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** Splits 1..toSeq into `n` ranges, and the runs rows by first_seq alongside. */
export function splitRanges(toSeq: number, n: number): RangeJob[] {
  const lo = (k: number) => 1 + Math.floor((k * Math.max(0, toSeq)) / n);
  return Array.from({ length: n }, (_, k) => ({
    lo: lo(k),
    hi: k === n - 1 ? Math.max(0, toSeq) : lo(k + 1) - 1,
    runsFrom: k === 0 ? null : lo(k),
    runsTo: k === n - 1 ? null : lo(k + 1),
  }));
}

class Thread {
  readonly #worker: Worker;
  #waiting: { resolve(m: ThreadReply): void; reject(err: Error): void } | null = null;
  #failed: Error | null = null;

  constructor(module: URL, path: string) {
    const data: ThreadData = { kind: 'aigov-verify-range', path };
    this.#worker = new Worker(module, { workerData: data });
    this.#worker.on('message', (m: ThreadReply) => {
      const w = this.#waiting;
      this.#waiting = null;
      if ('error' in m) w?.reject(new Error(m.error));
      else w?.resolve(m);
    });
    const fail = (err: Error) => {
      this.#failed = err;
      this.#waiting?.reject(err);
      this.#waiting = null;
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`a verify thread stopped (exit ${code})`)));
  }

  /** The thread's next reply, after sending `request` (none: its first). */
  ask(request?: ThreadRequest): Promise<ThreadReply> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      if (request) this.#worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}

/** Threads whose read transactions hold the same snapshot as the main thread's connection. */
export class RangeThreads {
  readonly #threads: Thread[];

  private constructor(threads: Thread[]) {
    this.#threads = threads;
  }

  /**
   * Starts `n` threads on the log at `path` and aligns their snapshots with
   * the main connection's: `begin(again)` (re)starts its read transaction and
   * says the head it sees. Null when there is no thread module, or when appends
   * kept moving the head under every attempt.
   */
  static async start(path: string, n: number, begin: (again: boolean) => string, attempts = 8): Promise<RangeThreads | null> {
    const module = threadModule();
    if (!module) return null;
    const threads = Array.from({ length: n }, () => new Thread(module, path));
    const all = new RangeThreads(threads);
    try {
      await Promise.all(threads.map((t) => t.ask()));
      for (let attempt = 0; attempt < attempts; attempt++) {
        // Main first, threads after: a thread's snapshot is never older than the main one's.
        const head = begin(attempt > 0);
        const heads = await Promise.all(threads.map((t) => t.ask({ do: attempt > 0 ? 'again' : 'snapshot' })));
        if (heads.every((h) => 'head' in h && h.head === head)) return all;
      }
    } catch (err) {
      await all.stop();
      throw err;
    }
    await all.stop();
    return null;
  }

  /** Verifies 1..toSeq, a range a thread; the reports in seq order. */
  async run(toSeq: number): Promise<{ ranges: RangeJob[]; reports: RangeReport[] }> {
    const ranges = splitRanges(toSeq, this.#threads.length);
    const replies = await Promise.all(this.#threads.map((t, k) => t.ask({ do: 'go', range: ranges[k] })));
    return { ranges, reports: replies.map((r) => (r as { report: RangeReport }).report) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.stop()));
  }
}
