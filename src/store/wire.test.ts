import { describe, expect, it } from 'vitest';
import { sha256 } from '../core/canonical.js';
import { hashEventText, prepareRows } from '../core/log/chain.js';
import { runPatch } from '../core/log/derived.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { runUpsertParams } from './sql.js';
import { SEQ_SLOTS, wireRequest } from './wire.js';

const events: NewEvent[] = [
  { type: 'run_started', automation: 'inv', runId: 'r1', data: startedData() },
  { type: 'run_finished', automation: 'inv', runId: 'r1', actor: 'svc', data: finishedData({ audit: true }) },
  { type: 'action_taken', automation: 'inv', runId: 'r1', data: { impacts: [{ system: 'erp', ref: 'INV-1' }, { system: 'crm', action: 'note' }] } },
  { type: 'review_resolved', automation: 'inv', runId: 'r1', data: { decision: 'approve', reviewer: 'ann', audit: true } },
  { type: 'eval_completed', data: { suite: 's' } },
];

describe('wireRequest', () => {
  const rows = prepareRows(events, { now: () => '2026-01-01T00:00:00.000Z', newId: () => 'id' });
  const wire = wireRequest({ rows, expect: { runId: 'r1', types: ['review_resolved'], lastSeq: 3 } });

  it('carries the runs-row parameters runPatch would give, with the seq left to the writer', () => {
    wire.events.forEach((w, n) => {
      const patch = runPatch({ ...rows[n].event, seq: 0, prevHash: '', hash: '' } as LoggedEvent);
      expect(w.run).toEqual(patch ? runUpsertParams(patch) : null);
    });
    for (const slot of SEQ_SLOTS) expect(wire.events[0].run![slot] ?? 0).toBe(0);
  });

  it('carries the text the hash covers, in pieces around the seq, and the impacts', () => {
    const [, , act] = wire.events;
    const prev = 'p'.repeat(64);
    const event = { ...rows[2].event, seq: 42, prevHash: prev, hash: '' } as LoggedEvent;
    expect(sha256(prev + act.before + act.columns[7] + act.middle + 42 + act.after)).toBe(hashEventText(prev, event, rows[2].dataJson));
    expect(act.impacts).toEqual([['erp', 'INV-1', null], ['crm', null, 'note']]);
    expect(act.columns).toEqual(['id', 2, 'action_taken', '2026-01-01T00:00:00.000Z', 'inv', 'r1', null, rows[2].dataJson]);
    expect(wire.expect).toEqual({ sql: expect.stringMatching(/^SELECT max\(seq\) FROM events WHERE run_id = \?/), params: ['r1', 'review_resolved'], lastSeq: 3 });
  });
});
