// Group commit: appends made while the store is busy, or in one tick, share
// one transaction, and each caller still gets its own events and its own error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier, type PreparedRow } from '../core/log/chain.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { ConflictError } from '../errors.js';
import { startedData } from '../../test/support/events.js';
import { storeBackends, type Opened } from '../../test/support/stores.js';
import { AppendQueue, type AppendRequest, type Outcome } from './group-commit.js';
import type { Store } from './types.js';

const row = (n: number) => ({ event: { n }, dataJson: '{}' }) as unknown as PreparedRow;

describe('AppendQueue', () => {
  it('writes what one tick queued in one batch, and what queued during a write in the next', async () => {
    const batches: number[] = [];
    let release: () => void = () => {};
    const queue = new AppendQueue(async (reqs: AppendRequest[]): Promise<Outcome[]> => {
      batches.push(reqs.length);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return reqs.map((r) => ({ ok: true, events: r.rows.map((x) => x.event as unknown as LoggedEvent) }));
    });
    const first = Array.from({ length: 64 }, (_, i) => queue.add({ rows: [row(i)] }));
    await new Promise((r) => setImmediate(r));
    const second = Array.from({ length: 10 }, (_, i) => queue.add({ rows: [row(100 + i)] }));
    release();
    const results = await Promise.all([...first, ...second]);
    expect(batches).toEqual([64, 10]);
    // Each caller gets back its own events.
    expect(results.map((r) => (r[0] as unknown as { n: number }).n)).toEqual([...Array.from({ length: 64 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100 + i)]);
  });

  it('fails only the caller whose request failed, and every caller of a batch that failed as a whole', async () => {
    let round = 0;
    const queue = new AppendQueue(async (reqs) => {
      round += 1;
      if (round === 2) throw new Error('disk full');
      return reqs.map((r, n): Outcome => (n === 1 ? { ok: false, error: new ConflictError('lost') } : { ok: true, events: [] }));
    });
    const one = await Promise.allSettled([queue.add({ rows: [row(1)] }), queue.add({ rows: [row(2)] }), queue.add({ rows: [row(3)] })]);
    expect(one.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((one[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const two = await Promise.allSettled([queue.add({ rows: [row(4)] }), queue.add({ rows: [row(5)] })]);
    expect(two.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['disk full', 'disk full']);
  });

  it('keeps a batch under its size, but lets one large append through alone', async () => {
    const sizes: number[] = [];
    const queue = new AppendQueue(async (reqs) => {
      sizes.push(reqs.reduce((n, r) => n + r.rows.length, 0));
      return reqs.map(() => ({ ok: true, events: [] }));
    });
    await Promise.all([queue.add({ rows: Array.from({ length: 6000 }, (_, i) => row(i)) }), ...Array.from({ length: 3 }, () => queue.add({ rows: Array.from({ length: 2000 }, (_, i) => row(i)) }))]);
    expect(sizes).toEqual([6000, 4000, 2000]);
  });

  it('drains before a close', async () => {
    let written = 0;
    const queue = new AppendQueue(async (reqs) => {
      written += reqs.length;
      return reqs.map(() => ({ ok: true, events: [] }));
    });
    void queue.add({ rows: [row(1)] });
    void queue.add({ rows: [row(2)] });
    await queue.drain();
    expect(written).toBe(2);
  });
});

describe.each(storeBackends('group commit', { thread: true }))('group commit in the store: $name', (backend) => {
  let opened: Opened;
  let store: Store;
  const started = (runId: string, extra: Partial<NewEvent> = {}): NewEvent => ({ type: 'run_started', automation: 'inv', runId, data: startedData(), ...extra });

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
  });
  afterEach(async () => {
    await store.close();
    await opened.cleanup();
  });

  it('appends 64 concurrent callers, each getting its own contiguous events', async () => {
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => store.append([started(`r${i}`), { type: 'run_failed', automation: 'inv', runId: `r${i}`, data: { error: { type: 'x', message: 'y' } } }])));
    results.forEach((events, i) => {
      expect(events.map((e) => e.runId)).toEqual([`r${i}`, `r${i}`]);
      expect(events[1].seq).toBe(events[0].seq + 1);
      expect(events[1].prevHash).toBe(events[0].hash);
    });
    const stored = await store.query({});
    expect(stored).toEqual(results.flat().sort((a, b) => a.seq - b.seq));
    const v = createVerifier();
    for (const e of stored) expect(v.push(e)).toEqual({ ok: true });
    expect((await opened.rows('SELECT count(*) AS n FROM runs'))[0].n).toEqual(backend.dialect === 'sqlite' ? 64 : '64');
  });

  it('fails only the conditional append that lost its race inside the shared transaction', async () => {
    await store.append([started('r1')]);
    const expect_ = { runId: 'r1', types: ['review_resolved'] as const, lastSeq: null };
    const review = (who: string): NewEvent => ({ type: 'review_resolved', automation: 'inv', runId: 'r1', data: { decision: 'approve', reviewer: who } });
    const results = await Promise.allSettled([store.append([started('a')]), store.append([review('ann')], { expect: expect_ }), store.append([review('bob')], { expect: expect_ }), store.append([started('b')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await store.query({ types: ['review_resolved'] })).map((e) => e.data)).toEqual([{ decision: 'approve', reviewer: 'ann' }]);
    expect((await store.query({})).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('fails only the caller whose rows the database refused, undoing them alone', async () => {
    // A trigger that refuses one automation's events stands in for any error inside the transaction.
    await opened.raw(
      backend.dialect === 'sqlite'
        ? "CREATE TRIGGER test_boom BEFORE INSERT ON events WHEN NEW.automation = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
        : "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.automation = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$; CREATE TRIGGER test_boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION boom()",
    );
    const results = await Promise.allSettled([
      store.append([started('a')]),
      store.append([started('b'), started('c', { automation: 'boom' })]),
      store.append([started('d')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as Error).message).toMatch(/boom refused/);
    const stored = await store.query({});
    expect(stored.map((e) => [e.seq, e.runId])).toEqual([[1, 'a'], [2, 'd']]);
    expect((results[2] as PromiseFulfilledResult<LoggedEvent[]>).value[0].prevHash).toBe(stored[0].hash);
    expect((await opened.rows('SELECT run_id FROM runs ORDER BY run_id')).map((r) => r.run_id)).toEqual(['a', 'd']);
  });
});
