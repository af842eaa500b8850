// The statistics over real stores: the fold's snapshots (the events dated
// before each instant), and the runs table's aggregates giving what the fold
// gives, on SQLite and PostgreSQL, for the requests of the dashboard, the
// report and calibrate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEvents } from '../../test/support/report-log.js';
import type { NewEvent } from '../core/log/events.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { snapshotOf } from '../core/stats/snapshot.js';
import { foldLog } from './read-stats.js';

let root: string;
let store: Store;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'aigov-read-stats-'));
  store = await openStore('sqlite:.aigov/runs.db', root);
});
afterEach(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

/** Appends in time order, as the library does. */
const write = (events: { type: string; at: string; automation: string | null; runId: string | null; data: Record<string, unknown> }[]) =>
  store.append([...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)) as NewEvent[]);

describe('foldLog', () => {
  it('sees the backlog as it stood at each instant asked, and at the end for an instant still ahead', async () => {
    // waits from 10 Nov 10:01 to 3 Dec; another from 20 Nov, still waiting
    await write([
      ...runEvents({ id: 'a', at: '2026-11-10T10:00:00.000Z', disposition: 'review', confidence: 0.3, decision: 'approve', decidedAfter: 23 * 24 * 60 }),
      ...runEvents({ id: 'b', at: '2026-11-20T10:00:00.000Z', disposition: 'review', confidence: 0.3, decision: null }),
    ]);
    const at = ['2026-11-01T00:00:00.000Z', '2026-11-15T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'];
    const { stats, snapshots, events } = await foldLog(store, { asOf: '2026-12-10T00:00:00.000Z', snapshotsAt: at });
    expect(events).toBe(5);
    const backlog = (t: string) => snapshots.get(t)!.automations[0]?.backlog.count ?? 0;
    expect(at.map(backlog)).toEqual([0, 1, 2, 1]);
    expect(snapshots.get(at[3])).toEqual(snapshotOf(stats));
    expect(stats.automations[0].backlog).toMatchObject({ count: 1, oldestAt: '2026-11-20T10:01:00.000Z' });
  });

  it('folds only the events asked for, and every eval', async () => {
    await write([
      ...runEvents({ id: 'a', at: '2026-11-10T10:00:00.000Z', automation: 'one' }),
      ...runEvents({ id: 'b', at: '2026-11-10T11:00:00.000Z', automation: 'two' }),
      { type: 'eval_completed', at: '2026-11-11T00:00:00.000Z', automation: null, runId: null, data: { suite: 's', passed: true } },
    ]);
    const { stats } = await foldLog(store, { asOf: '2026-12-01T00:00:00.000Z', automation: 'two' });
    expect(stats.automations.map((a) => a.automation)).toEqual(['two']);
    expect(stats.evals.map((e) => e.suite)).toEqual(['s']);
  });
});
