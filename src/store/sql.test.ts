import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../core/log/events.js';
import { eventQuerySql, impactsOf, newEventId } from './sql.js';

describe('newEventId', () => {
  it('is a UUIDv7 carrying the time, unique and growing with it', () => {
    const t = Date.UTC(2026, 10, 24, 10, 0, 0);
    const id = newEventId(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    const ids = Array.from({ length: 5000 }, (_, i) => newEventId(t + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100) expect(ids[i] > ids[i - 1]).toBe(true);
  });
});

describe('impactsOf', () => {
  const base: LoggedEvent = { v: 1, seq: 7, id: 'x', type: 'action_taken', at: '', automation: 'inv', runId: 'r1', actor: null, data: {}, prevHash: '', hash: '' };

  it.each<[string, Partial<LoggedEvent>, { system: string; ref: string | null; action: string | null }[]]>([
    ['an action with impacts', { data: { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }, { system: 'mail' }] } }, [
      { system: 'erp', ref: 'INV-1', action: 'book' },
      { system: 'mail', ref: null, action: null },
    ]],
    ['an action without impacts', { data: { notified: true } }, []],
    ['an action started (in doubt until it ends)', { type: 'action_started', data: { impacts: [{ system: 'erp', ref: 'INV-1' }] } }, [{ system: 'erp', ref: 'INV-1', action: null }]],
    ['a tag', { type: 'impact_tagged', data: { system: 'crm', ref: 'C-9', action: 'note' } }, [{ system: 'crm', ref: 'C-9', action: 'note' }]],
    ['another event type', { type: 'run_finished', data: { system: 'erp' } }, []],
  ])('indexes %s', (_what, change, expected) => {
    expect(impactsOf({ ...base, ...change })).toEqual(expected.map((i) => ({ seq: 7, runId: 'r1', automation: 'inv', ...i })));
  });

  it.each<[string, Partial<LoggedEvent>, RegExp]>([
    ['impacts that are not a list', { data: { impacts: { system: 'erp' } } }, /must be a list/],
    ['an impact without a system', { data: { impacts: [{ ref: 'INV-1' }] } }, /data\.impacts\[0\] of an action_taken event needs a system/],
    ['a ref that is not text', { data: { impacts: [{ system: 'erp', ref: 12 }] } }, /ref must be a string/],
    ['a tag without a system', { type: 'impact_tagged', data: { ref: 'x' } }, /impact_tagged event needs a system/],
  ])('refuses %s', (_what, change, message) => {
    expect(() => impactsOf({ ...base, ...change })).toThrow(message);
  });
});

describe('eventQuerySql', () => {
  it('numbers parameters in the dialect asked for', () => {
    expect(eventQuerySql({ automation: 'a', types: ['run_started', 'run_failed'], system: 'erp', ref: 'R', limit: 5 }, (n) => `$${n}`)).toEqual({
      sql:
        'SELECT seq, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM events' +
        ' WHERE automation = $1 AND type IN ($2, $3) AND seq IN (SELECT seq FROM impacts WHERE system = $4 AND ref = $5)' +
        ' ORDER BY seq ASC LIMIT $6',
      params: ['a', 'run_started', 'run_failed', 'erp', 'R', 5],
    });
  });
});
