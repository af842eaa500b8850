// One timer and one abort listener per provider for all its calls in flight, in
// place of an AbortController, a timer and a listener per attempt (at 128 calls in
// flight those were a tenth of a run's CPU). An attempt registers its deadline and
// the caller's signal; the timer is armed for the earliest deadline only, and a
// signal gets one listener however many attempts share it.

/** What an attempt does when its deadline passes or its caller aborts. */
export type Cancel = (why: 'timeout' | 'abort') => void;

interface Entry {
  at: number;
  cancel: Cancel;
  signal?: AbortSignal;
  done: boolean;
}

export interface Deadlines {
  /**
   * Registers an attempt that must end within `timeoutMs` and when `signal` aborts;
   * returns its release, to be called once it has ended. An already aborted signal
   * cancels at once.
   */
  add(timeoutMs: number, cancel: Cancel, signal?: AbortSignal): () => void;
  /** Attempts registered and not yet released (for tests). */
  readonly pending: number;
}

const ignore: Cancel = () => {};

export function createDeadlines(now: () => number = () => performance.now()): Deadlines {
  // In deadline order. With one timeout for a whole run (the usual case) that is the
  // order of starting, so an attempt is pushed; released ones are skipped lazily.
  let queue: Entry[] = [];
  let head = 0;
  let pending = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;
  const bySignal = new Map<AbortSignal, { entries: Set<Entry>; onAbort: () => void }>();

  const end = (e: Entry, why?: 'timeout' | 'abort') => {
    if (e.done) return;
    e.done = true;
    pending--;
    const { cancel, signal } = e;
    // A released entry may wait in the queue behind an older attempt still in flight:
    // it must not keep its attempt (closures, buffers) alive meanwhile.
    e.cancel = ignore;
    e.signal = undefined;
    if (signal) {
      const group = bySignal.get(signal);
      group?.entries.delete(e);
      if (group && !group.entries.size) {
        signal.removeEventListener('abort', group.onAbort);
        bySignal.delete(signal);
      }
    }
    if (why) cancel(why);
  };

  const skipDone = () => {
    while (head < queue.length && queue[head].done) head++;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const arm = () => {
    skipDone();
    const next = queue[head];
    if (!next) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      timerAt = Infinity;
      return;
    }
    if (timer && timerAt <= next.at) return; // fires early at worst, and re-arms
    if (timer) clearTimeout(timer);
    timerAt = next.at;
    timer = setTimeout(fire, Math.max(0, next.at - now()));
  };

  const fire = () => {
    timer = undefined;
    timerAt = Infinity;
    const t = now();
    // A timer may fire a little early; a deadline within a millisecond has passed.
    while (head < queue.length && (queue[head].done || queue[head].at <= t + 1)) end(queue[head++], 'timeout');
    arm();
  };

  const insert = (e: Entry) => {
    let i = queue.length;
    if (i > head && queue[i - 1].at > e.at) {
      // Another timeout than the run's: find its place.
      let lo = head;
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (queue[mid].at <= e.at) lo = mid + 1;
        else i = mid;
      }
      queue.splice(i, 0, e);
    } else queue.push(e);
  };

  return {
    add(timeoutMs, cancel, signal) {
      const e: Entry = { at: now() + timeoutMs, cancel, signal, done: false };
      pending++;
      if (signal?.aborted) {
        end(e, 'abort');
        return () => {};
      }
      if (signal) {
        let group = bySignal.get(signal);
        if (!group) {
          const entries = new Set<Entry>();
          const onAbort = () => {
            for (const x of [...entries]) end(x, 'abort');
            arm();
          };
          group = { entries, onAbort };
          bySignal.set(signal, group);
          signal.addEventListener('abort', onAbort, { once: true });
        }
        group.entries.add(e);
      }
      insert(e);
      if (e.at < timerAt) arm();
      return () => {
        end(e);
        if (queue[head] === e || !pending) arm();
      };
    },
    get pending() {
      return pending;
    },
  };
}
