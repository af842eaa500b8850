import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../canonical.js';
import { UsageError } from '../../errors.js';
import { GENESIS, chainEvents, chainRows, createVerifier, hashEvent, hashEventText, hashParts, type ChainDeps } from './chain.js';
import { EVENT_FORMAT, type LoggedEvent, type NewEvent } from './events.js';

function deps(): ChainDeps {
  let n = 0;
  return { now: () => '2026-01-02T03:04:05.000Z', newId: () => `id-${++n}` };
}

const news: NewEvent[] = [
  { type: 'run_started', automation: 'inv', runId: 'r1', data: { tier: 1, prompt: { version: 3, id: 'inv', sha256: 'ab' }, model: { requested: 'fast', resolved: 'openai:m' } } },
  { type: 'run_finished', automation: 'inv', runId: 'r1', actor: 'svc', data: { output: 'travel', confidence: 0.9, disposition: 'approval_required' } },
  { type: 'tier_changed', automation: 'inv', data: { from: 1, to: 2, by: 'ann' }, at: '2026-01-02T05:04:05+02:00' },
  { type: 'eval_completed', data: { suite: 'inv', passRate: 1, note: 'ünïcode \u2028 "quoted"' } },
];

function chain(): LoggedEvent[] {
  return chainEvents(null, news, deps());
}

describe('hashEvent', () => {
  it('is sha256 of prevHash and the canonical JSON of every other field', () => {
    const [e] = chain();
    const { hash, prevHash, ...fields } = e;
    expect(prevHash).toBe(GENESIS);
    expect(hash).toBe(sha256(GENESIS + canonicalJson(fields)));
    expect(hashEvent(prevHash, e)).toBe(hash);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an undefined field', { actor: undefined }],
    ['fields of odd types', { seq: '3', v: 1.5, automation: 7, runId: { x: 1 } }],
    ['text that needs escaping', { at: 'x","automation":"y', id: 'é\n"' }],
  ])('is sha256 of prevHash and canonicalJson also for %s', (_what, change) => {
    const e = { ...chain()[0], ...change } as LoggedEvent;
    const { hash, prevHash, ...fields } = e;
    expect(hashEvent(prevHash, e)).toBe(sha256(prevHash + canonicalJson(fields)));
  });

  it('gives the same hash from the stored data text', () => {
    for (const { event, dataJson } of chainRows(null, news, deps())) {
      expect(hashEventText(event.prevHash, event, dataJson)).toBe(hashEvent(event.prevHash, event));
    }
  });

  it('is the hash of its parts around data and seq, as a database computes it', () => {
    for (const { event, dataJson } of chainRows(null, news, deps())) {
      const { before, middle, after } = hashParts(event);
      expect(sha256(event.prevHash + before + dataJson + middle + String(event.seq) + after)).toBe(event.hash);
    }
  });

  it.each([
    ['data', { data: { output: 'utilities' } }],
    ['seq', { seq: 9 }],
    ['type', { type: 'run_failed' }],
    ['at', { at: '2027-01-01T00:00:00.000Z' }],
    ['actor', { actor: 'mallory' }],
    ['automation', { automation: null }],
    ['runId', { runId: 'r2' }],
    ['id', { id: 'other' }],
    ['v', { v: EVENT_FORMAT + 1 }],
  ])('changes when %s changes', (_field, change) => {
    const [e] = chain();
    expect(hashEvent(e.prevHash, { ...e, ...change } as LoggedEvent)).not.toBe(e.hash);
  });
});

describe('chainEvents', () => {
  it('numbers, links and stamps events after the head', () => {
    const events = chain();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
    expect(events[0]).toMatchObject({ v: EVENT_FORMAT, at: '2026-01-02T03:04:05.000Z', actor: null });
    expect(events[2].at).toBe('2026-01-02T03:04:05.000Z');
    expect(events[3]).toMatchObject({ automation: null, runId: null });
  });

  it('continues a chain from its head', () => {
    const all = chain();
    const first = chainEvents(null, news.slice(0, 2), deps());
    const d = deps();
    d.newId();
    d.newId();
    const rest = chainEvents({ seq: 2, hash: first[1].hash }, news.slice(2), d);
    expect([...first, ...rest]).toEqual(all);
  });

  it('returns data as a reader will see it', () => {
    const [e] = chainEvents(null, [{ type: 'run_failed', data: { error: { type: 'server', message: 'x' }, skipped: undefined } }], deps());
    expect(e.data).toEqual({ error: { type: 'server', message: 'x' } });
    expect(Object.keys(e.data)).toEqual(['error']);
  });

  it.each([
    ['an unknown type', { type: 'run_exploded', data: {} }, /unknown event type "run_exploded"/],
    ['data that is not an object', { type: 'run_failed', data: [1] }, /must be an object/],
    ['a bad time', { type: 'run_failed', data: { error: { type: 'server', message: 'x' } }, at: 'yesterday' }, /ISO 8601/],
    ['a payload that breaks its schema', { type: 'run_failed', data: { error: 'boom' } }, /run_failed event does not fit its layout: data\.error/],
  ])('refuses %s', (_what, event, message) => {
    expect(() => chainEvents(null, [event as NewEvent], deps())).toThrow(UsageError);
    expect(() => chainEvents(null, [event as NewEvent], deps())).toThrow(message);
  });
});

describe('createVerifier', () => {
  function verify(events: LoggedEvent[]) {
    const v = createVerifier();
    for (const e of events) {
      const r = v.push(e);
      if (!r.ok) return r;
    }
    return { ok: true as const, count: v.count, head: v.head };
  }

  it('accepts an intact chain', () => {
    const events = chain();
    expect(verify(events)).toEqual({ ok: true, count: 4, head: { seq: 4, hash: events[3].hash } });
  });

  it.each<[string, (e: LoggedEvent[]) => LoggedEvent[], number, RegExp]>([
    ['an edited payload', (e) => [e[0], { ...e[1], data: { ...e[1].data, output: 'utilities' } } as LoggedEvent, e[2], e[3]], 2, /hash mismatch/],
    ['an edited actor', (e) => [e[0], e[1], { ...e[2], actor: 'mallory' }, e[3]], 3, /hash mismatch/],
    ['a deleted event', (e) => [e[0], e[2], e[3]], 2, /seq gap: event 2 is missing/],
    ['two deleted events', (e) => [e[0], e[3]], 2, /events 2-3 are missing/],
    ['a deleted first event', (e) => e.slice(1), 1, /event 1 is missing/],
    ['two events swapped in place', (e) => [e[0], { ...e[2], seq: 2 }, { ...e[1], seq: 3 }, e[3]], 2, /prevHash mismatch/],
    ['two rows out of order', (e) => [e[0], e[2], e[1], e[3]], 2, /seq gap/],
    ['an event inserted with a forged hash', (e) => {
      const forged = { ...e[1], id: 'x', hash: hashEvent(e[0].hash, { ...e[1], id: 'x' }) };
      return [e[0], forged, { ...e[1], seq: 3 }, { ...e[2], seq: 4 }, { ...e[3], seq: 5 }];
    }, 3, /prevHash mismatch/],
    ['a duplicated seq', (e) => [e[0], e[1], e[1], e[2]], 2, /seq out of order/],
  ])('names the first bad seq for %s', (_what, tamper, seq, reason) => {
    const result = verify(tamper(chain()));
    expect(result).toMatchObject({ ok: false, seq });
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  it('continues after a trusted head', () => {
    const events = chain();
    const v = createVerifier({ seq: 2, hash: events[1].hash });
    expect(v.push(events[2])).toEqual({ ok: true });
    expect(v.push(events[3])).toEqual({ ok: true });
    expect(createVerifier({ seq: 2, hash: 'f'.repeat(64) }).push(events[2])).toMatchObject({ ok: false, seq: 3 });
  });

  it('goes on from a bad event, so later checks stay meaningful', () => {
    const events = chain();
    const v = createVerifier();
    const results = [events[0], { ...events[1], data: {} } as LoggedEvent, events[2], events[3]].map((e) => v.push(e).ok);
    expect(results).toEqual([true, false, true, true]);
  });
});
