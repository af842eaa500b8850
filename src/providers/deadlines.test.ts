import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadlines } from './deadlines.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = () => createDeadlines(() => Date.now());

describe('deadlines', () => {
  it('cancels each attempt at its deadline, with one timer for all of them', () => {
    const d = clock();
    const fired: string[] = [];
    for (let i = 0; i < 100; i++) d.add(1000 + i, (why) => fired.push(`${i} ${why}`));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(fired).toEqual(['0 timeout', '1 timeout']);
    vi.advanceTimersByTime(100);
    expect(fired).toHaveLength(100);
    expect(d.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a released attempt is never cancelled, and with none left no timer stays', () => {
    const d = clock();
    const fired: number[] = [];
    const releases = Array.from({ length: 10 }, (_, i) => d.add(500, () => fired.push(i)));
    releases.forEach((r, i) => i % 2 === 0 && r());
    vi.advanceTimersByTime(600);
    expect(fired).toEqual([1, 3, 5, 7, 9]);
    const again = d.add(500, () => fired.push(99));
    again();
    again(); // twice is harmless
    expect(d.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(5);
  });

  it('a shorter timeout registered later fires first', () => {
    const d = clock();
    const fired: string[] = [];
    d.add(10_000, () => fired.push('long'));
    d.add(5_000, () => fired.push('middle'));
    d.add(100, () => fired.push('short'));
    vi.advanceTimersByTime(101);
    expect(fired).toEqual(['short']);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual(['short', 'middle']);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual(['short', 'middle', 'long']);
  });

  it('keeps the queue short when attempts end in the order they began', () => {
    const d = clock();
    // A long run: 100,000 attempts, 128 in flight, each released well before its deadline.
    const inFlight: (() => void)[] = [];
    for (let i = 0; i < 100_000; i++) {
      inFlight.push(d.add(60_000, () => {
        throw new Error('no attempt should time out');
      }));
      if (inFlight.length > 128) inFlight.shift()!();
      if (i % 1000 === 0) vi.advanceTimersByTime(1);
    }
    expect(d.pending).toBe(128);
    inFlight.forEach((r) => r());
    expect(d.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a signal one listener however many attempts share it, cancels them all on abort, and lets go of it', () => {
    const d = clock();
    const c = new AbortController();
    const fired: string[] = [];
    const releases = Array.from({ length: 50 }, (_, i) => d.add(60_000, (why) => fired.push(`${i} ${why}`), c.signal));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    releases[0]();
    c.abort();
    expect(fired).toHaveLength(49);
    expect(fired.every((f) => f.endsWith(' abort'))).toBe(true);
    expect(d.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);

    const other = new AbortController();
    const r = [d.add(1000, () => {}, other.signal), d.add(1000, () => {}, other.signal)];
    r.forEach((x) => x());
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  it('an attempt whose signal has already aborted is cancelled at once', () => {
    const d = clock();
    const fired: string[] = [];
    d.add(1000, (why) => fired.push(why), AbortSignal.abort());
    expect(fired).toEqual(['abort']);
    expect(d.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('deadlines, memory', () => {
  it('a released attempt queued behind an older one still in flight keeps nothing of its own alive', async () => {
    vi.useRealTimers();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const d = createDeadlines();
    const oldest = d.add(60_000, () => {});
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 50; i++) {
      const attempt = { buffer: Buffer.alloc(1024) };
      refs.push(new WeakRef(attempt));
      d.add(60_000, () => void attempt.buffer.length)();
    }
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    oldest();
    expect(d.pending).toBe(0);
  });
});
