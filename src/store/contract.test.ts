// One contract, every backend: what `Store` promises, checked against a real
// SQLite file and a real PostgreSQL server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/canonical.js';
import { GENESIS, createVerifier } from '../core/log/chain.js';
import { EVENT_FORMAT, type LoggedEvent, type NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { ConflictError, UsageError } from '../errors.js';
import { storeBackends, type Opened } from '../../test/support/stores.js';
import type { EventQuery, Store } from './types.js';

const backends = storeBackends('store contract', { thread: true });

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

// seq:                                                                                   1..9
const dataset: NewEvent[] = [
  { type: 'run_started', automation: 'inv', runId: 'r1', at: at(0), data: startedData({ prompt: { id: 'inv', version: 3, sha256: 'ab' } }) },
  { type: 'run_finished', automation: 'inv', runId: 'r1', at: at(1), data: finishedData({ output: 'travel', confidence: 0.93 }) },
  {
    type: 'action_taken', automation: 'inv', runId: 'r1', actor: 'erp-bot', at: at(2),
    data: { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }, { system: 'mail', ref: 'M-1' }], notified: true },
  },
  { type: 'run_started', automation: 'triage', runId: 'r2', at: at(3), data: startedData() },
  { type: 'run_failed', automation: 'triage', runId: 'r2', at: at(4), data: { error: { type: 'timeout', message: 'slow' } } },
  { type: 'impact_tagged', automation: 'triage', runId: 'r2', at: at(5), data: { system: 'erp', ref: 'INV-2', action: 'flag' } },
  { type: 'run_started', automation: 'inv', runId: 'r3', at: at(6), data: startedData() },
  {
    type: 'action_taken', automation: 'inv', runId: 'r3', at: at(7),
    data: { impacts: [{ system: 'erp', ref: 'INV-1', action: 'amend' }, { system: 'erp', ref: 'INV-1', action: 'note' }] },
  },
  { type: 'eval_completed', at: at(8), data: { suite: 'inv', passRate: 1, note: 'ünï \u2028 "q" \\' } },
];

const queries: [string, EventQuery, number[]][] = [
  ['everything', {}, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ['one automation', { automation: 'inv' }, [1, 2, 3, 7, 8]],
  ['one run', { runId: 'r2' }, [4, 5, 6]],
  ['one type', { types: ['run_started'] }, [1, 4, 7]],
  ['several types', { types: ['run_started', 'run_failed'] }, [1, 4, 5, 7]],
  ['an empty type list', { types: [] }, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ['since (inclusive)', { since: at(3) }, [4, 5, 6, 7, 8, 9]],
  ['until (exclusive)', { until: at(3) }, [1, 2, 3]],
  ['a time window', { since: at(2), until: at(5) }, [3, 4, 5]],
  ['a time with an offset', { since: '2026-01-01T02:03:00+02:00' }, [4, 5, 6, 7, 8, 9]],
  ['a system', { system: 'erp' }, [3, 6, 8]],
  ['a record', { system: 'erp', ref: 'INV-1' }, [3, 8]],
  ['another system', { system: 'mail' }, [3]],
  ['an unknown record', { system: 'erp', ref: 'INV-404' }, []],
  ['a ref alone', { ref: 'INV-2' }, [6]],
  ['the latest run of an automation', { automation: 'inv', types: ['run_started'], order: 'desc', limit: 1 }, [7]],
  ['newest first', { order: 'desc' }, [9, 8, 7, 6, 5, 4, 3, 2, 1]],
  ['a limit', { limit: 2 }, [1, 2]],
  ['a zero limit', { limit: 0 }, []],
  ['a trace newest first', { automation: 'inv', system: 'erp', order: 'desc' }, [8, 3]],
  ['filters that exclude each other', { automation: 'triage', runId: 'r1' }, []],
  ['after a seq (exclusive)', { afterSeq: 6 }, [7, 8, 9]],
  ['a page of an automation after a seq', { automation: 'inv', afterSeq: 2, limit: 2 }, [3, 7]],
  ['the next page', { automation: 'inv', afterSeq: 7, limit: 2 }, [8]],
  ['after a seq, with types and a time', { types: ['run_started', 'action_taken'], since: at(1), afterSeq: 3 }, [4, 7, 8]],
  ['after the last seq', { afterSeq: 9 }, []],
];

async function all(iter: AsyncIterable<LoggedEvent>): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for await (const e of iter) out.push(e);
  return out;
}

async function expectValidChain(store: Store, count: number): Promise<void> {
  const verifier = createVerifier();
  for await (const e of store.scan()) expect(verifier.push(e)).toEqual({ ok: true });
  expect(verifier.count).toBe(count);
  expect(await store.head()).toEqual(verifier.head);
}

const ev = (n: number, extra: Partial<NewEvent> = {}): NewEvent => ({ type: 'run_started', automation: 'a', runId: `r${n}`, data: startedData({ n }), ...extra });

describe.each(backends)('store contract: $name', (backend) => {
  let opened: Opened;
  let store: Store;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
  });
  afterEach(async () => {
    await store.close();
    await opened.cleanup();
  });

  it('starts empty', async () => {
    expect(await store.head()).toBeNull();
    expect(await store.query({})).toEqual([]);
    expect(await all(store.scan())).toEqual([]);
    expect(await store.append([])).toEqual([]);
  });

  it('appends one event, then a batch, chained and contiguous', async () => {
    const [first] = await store.append([ev(1)]);
    expect(first).toMatchObject({ seq: 1, v: EVENT_FORMAT, prevHash: GENESIS, type: 'run_started', automation: 'a', runId: 'r1', actor: null, data: { n: 1 } });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(first.at)).not.toBeNaN();
    const batch = await store.append([ev(2), ev(3), ev(4)]);
    expect(batch.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(batch[0].prevHash).toBe(first.hash);
    expect(await store.head()).toEqual({ seq: 4, hash: batch[2].hash });
    expect(await store.query({})).toEqual([first, ...batch]);
    await expectValidChain(store, 4);
  });

  it('returns events exactly as they are read back', async () => {
    const appended = await store.append(dataset);
    expect(await store.query({})).toEqual(appended);
    expect(await all(store.scan())).toEqual(appended);
    expect(appended[8].data).toEqual(dataset[8].data);
    const reopened = await opened.reopen();
    expect(await reopened.query({})).toEqual(appended);
  });

  it('scans the stored text each hash covers, in pages', async () => {
    const appended = await store.append(dataset);
    const stored = [];
    for await (const page of store.scanStored!(2)) stored.push(...page);
    expect(stored.map((e) => e.seq)).toEqual(appended.slice(1).map((e) => e.seq));
    for (const [i, e] of stored.entries()) {
      const { data, ...rest } = appended[i + 1];
      expect(e).toEqual({ ...rest, dataJson: canonicalJson(data) });
    }
  });

  it('writes a batch all or nothing', async () => {
    await store.append([ev(1)]);
    const bad = [ev(2), { type: 'action_taken', data: { impacts: [{ ref: 'no system' }] } } as NewEvent];
    await expect(store.append(bad)).rejects.toThrow(UsageError);
    await expect(store.append([ev(3), { type: 'run_exploded', data: {} } as unknown as NewEvent])).rejects.toThrow(/unknown event type/);
    expect((await store.query({})).map((e) => e.seq)).toEqual([1]);
    await store.append([ev(4)]);
    await expectValidChain(store, 2);
  });

  describe('query', () => {
    beforeEach(async () => {
      await store.append(dataset.slice(0, 4));
      await store.append(dataset.slice(4));
    });

    it.each(queries)('filters by %s', async (_what, q, seqs) => {
      expect((await store.query(q)).map((e) => e.seq)).toEqual(seqs);
    });

    it('queryForFold reads a payload that breaks its schema, which query refuses', async () => {
      await opened.raw(
        `INSERT INTO events (seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash) VALUES (10, 'forged-10', 2, 'run_finished', '${at(9)}', 'inv', 'r1', 'mallory', '{"confidence":7}', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`,
      );
      await expect(store.query({ runId: 'r1' })).rejects.toMatchObject({ code: 'E_STORE' });
      const rows = await store.queryForFold({ runId: 'r1', types: ['run_finished'] });
      expect(rows.map((e) => [e.seq, e.type, e.data])).toEqual([
        [2, 'run_finished', dataset[1].data],
        [10, 'run_finished', { confidence: 7 }],
      ]);
    });

    it.each(queries)('queryForFold reads the same events as query, by %s', async (_what, q, seqs) => {
      const full = await store.query(q);
      const fold = await store.queryForFold(q);
      expect(fold.map((e) => e.seq)).toEqual(seqs);
      expect(fold).toEqual(full.map(({ seq, type, at, automation, runId, data }) => ({ seq, type, at, automation, runId, data })));
    });

    it.each<[string, EventQuery, RegExp]>([
      ['a negative limit', { limit: -1 }, /limit/],
      ['a time that is not one', { since: 'yesterday' }, /since must be an ISO 8601 time/],
      ['an unknown order', { order: 'sideways' as 'asc' }, /order/],
      ['a seq that is not a whole number', { afterSeq: 1.5 }, /afterSeq must be a whole number/],
    ])('refuses %s', async (_what, q, message) => {
      await expect(store.query(q)).rejects.toThrow(message);
      await expect(store.queryForFold(q)).rejects.toThrow(message);
    });
  });

  it('scans in pages, in order, from any seq', async () => {
    const total = 4500;
    for (let start = 0; start < total; start += 1500) {
      await store.append(Array.from({ length: 1500 }, (_, i) => ev(start + i + 1)));
    }
    const seqs: number[] = [];
    for await (const e of store.scan()) seqs.push(e.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const tail = await all(store.scan(3999));
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: 502 }, (_, i) => 3999 + i));
    expect(tail[0].data).toEqual(startedData({ n: 3999 }));
    await expectValidChain(store, total);
  });

  it.each([
    'UPDATE events SET actor = \'mallory\'',
    'UPDATE events SET data = \'{}\' WHERE seq = 2',
    'DELETE FROM events WHERE seq = 3',
    'DELETE FROM events',
    'UPDATE impacts SET ref = \'INV-9\'',
    'DELETE FROM impacts',
  ])('the database itself refuses %s', async (sql) => {
    await store.append(dataset);
    await expect(opened.raw(sql)).rejects.toThrow(/the run log is append-only/);
    expect(await store.query({})).toHaveLength(dataset.length);
    expect(await store.query({ system: 'erp' })).toHaveLength(3);
    await expectValidChain(store, dataset.length);
  });

  if (backend.dialect === 'postgres') {
    it.each(['TRUNCATE events', 'TRUNCATE impacts'])('the database itself refuses %s', async (sql) => {
      await store.append(dataset);
      await expect(opened.raw(sql)).rejects.toThrow(/the run log is append-only/);
    });
  }

  describe('conditional append', () => {
    const review = (runId: string, reviewer: string): NewEvent => ({ type: 'review_resolved', automation: 'inv', runId, data: { decision: 'approve', reviewer } });
    const watch = (runId: string, lastSeq: number | null) => ({ runId, types: ['review_resolved', 'action_reverted'] as const, lastSeq });

    beforeEach(async () => {
      await store.append(dataset);
    });

    it('appends when the run is as the caller read it', async () => {
      const [first] = await store.append([review('r1', 'ann')], { expect: watch('r1', null) });
      expect(first.seq).toBe(10);
      // Events of other types and of other runs do not count.
      await store.append([{ type: 'impact_tagged', runId: 'r1', data: { system: 'crm' } }, review('r2', 'bob')]);
      const [second] = await store.append([review('r1', 'cid')], { expect: watch('r1', 10) });
      expect(second.seq).toBe(13);
      await expectValidChain(store, 13);
    });

    it.each<[string, number | null]>([
      ['no such event, but there is one', null],
      ['an older seq', 3],
      ['a newer seq', 11],
    ])('refuses, writing nothing, when the caller read %s', async (_what, lastSeq) => {
      await store.append([review('r1', 'ann')], { expect: watch('r1', null) });
      const head = await store.head();
      const failed = store.append([review('r1', 'bob'), ev(99)], { expect: watch('r1', lastSeq) });
      await expect(failed).rejects.toThrow(ConflictError);
      await expect(failed).rejects.toMatchObject({ code: 'E_CONFLICT', exitCode: 1, message: expect.stringMatching(/run r1 changed/) });
      expect(await store.head()).toEqual(head);
      expect(await store.query({ runId: 'r1', types: ['review_resolved'] })).toHaveLength(1);
      // The store goes on appending after a refusal.
      await store.append([ev(100)]);
      await expectValidChain(store, 11);
    });

    it('refuses a condition that names no run or no type', async () => {
      await expect(store.append([ev(1)], { expect: { runId: '', types: ['review_resolved'], lastSeq: null } })).rejects.toThrow(UsageError);
      await expect(store.append([ev(1)], { expect: { runId: 'r1', types: [], lastSeq: null } })).rejects.toThrow(UsageError);
      expect(await store.head()).toMatchObject({ seq: dataset.length });
    });

    it('lets exactly one of two racing callers win, 20 times in a row, on separate connections', async () => {
      const other = await opened.reopen();
      for (let pair = 0; pair < 20; pair++) {
        const runId = `race-${pair}`;
        // Half the runs already carry a decision, so both null and a seq are raced on.
        if (pair % 2 === 1) await store.append([review(runId, 'earlier')]);
        const [a, b] = await Promise.all([store, other].map(async (s) => (await s.query({ runId, types: ['review_resolved'], order: 'desc', limit: 1 }))[0]?.seq ?? null));
        expect(a).toBe(b);
        const results = await Promise.allSettled([
          store.append([review(runId, 'ann')], { expect: watch(runId, a) }),
          other.append([review(runId, 'bob')], { expect: watch(runId, b) }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ConflictError);
        expect(await store.query({ runId, types: ['review_resolved'] })).toHaveLength(1 + (pair % 2));
      }
    });
  });

  it('never forks the chain under concurrent appends', async () => {
    const other = await opened.reopen();
    const callers = 24;
    const rounds = 8;
    const acknowledged = await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        const mine: LoggedEvent[] = [];
        const target = c % 2 === 0 ? store : other;
        for (let r = 0; r < rounds; r++) {
          const size = 1 + ((c + r) % 3);
          mine.push(...(await target.append(Array.from({ length: size }, (_, i) => ev(c * 1000 + r * 10 + i)))));
        }
        return mine;
      }),
    );
    const expected = acknowledged.flat();
    const stored = await store.query({});
    expect(stored.length).toBe(expected.length);
    expect(new Set(stored.map((e) => e.seq)).size).toBe(stored.length);
    const bySeq = new Map(stored.map((e) => [e.seq, e]));
    for (const e of expected) expect(bySeq.get(e.seq)).toEqual(e);
    // A batch is contiguous: no other writer slips in between its events.
    for (const mine of acknowledged) {
      for (let i = 1; i < mine.length; i++) {
        if (mine[i].data.n === (mine[i - 1].data.n as number) + 1) expect(mine[i].seq).toBe(mine[i - 1].seq + 1);
      }
    }
    await expectValidChain(store, expected.length);
  });
});
