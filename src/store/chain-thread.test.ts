// The chain checked on a thread gives what createVerifier gives, on intact and
// tampered chains alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../core/canonical.js';
import { chainRows, createVerifier, hashEvent, type ChainedRow } from '../core/log/chain.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { checkChainInThread, checkChainPage, type ChainState } from './chain-thread.js';
import { openSqliteStore } from './sqlite.js';

const news: NewEvent[] = [
  { type: 'run_started', automation: 'inv', runId: 'r1', data: startedData({ note: 'ünïcode \u2028 "quoted" \\ \u0001' }) },
  { type: 'run_finished', automation: 'inv', runId: 'r1', actor: 'svc "x"', data: finishedData() },
  { type: 'tier_changed', automation: 'inv', data: { from: 1, to: 2, by: 'ann' } },
  { type: 'eval_completed', data: { suite: 'inv', passRate: 1 } },
  { type: 'impact_tagged', automation: 'é\n', runId: 'r1', data: { system: 'erp', ref: 'INV-1' } },
];

let n = 0;
const chained = (): ChainedRow[] => chainRows(null, news, { now: () => '2026-01-02T03:04:05.000Z', newId: () => `id-${++n}` });

/** A chained row as the events table holds it. */
const row = ({ event: e, dataJson }: { event: LoggedEvent; dataJson: string }): unknown[] => [e.seq, e.id, e.v, e.type, e.at, e.automation, e.runId, e.actor, dataJson, e.prevHash, e.hash];

function both(rows: { event: LoggedEvent; dataJson: string }[]) {
  const v = createVerifier();
  let firstBad: { seq: number; reason: string } | null = null;
  for (const r of rows) {
    const result = v.push({ ...r.event, dataJson: r.dataJson } as never);
    if (!result.ok && !firstBad) firstBad = { seq: result.seq, reason: result.reason };
  }
  const state: ChainState = { seq: 0, hash: '0'.repeat(64), count: 0, firstBad: null };
  // In two pages, as the thread reads them.
  checkChainPage(rows.slice(0, 2).map(row), state, sha256);
  checkChainPage(rows.slice(2).map(row), state, sha256);
  return { verifier: { count: v.count, head: v.head, firstBad }, thread: { count: state.count, head: state.count ? { seq: state.seq, hash: state.hash } : null, firstBad: state.firstBad } };
}

describe('checkChainPage', () => {
  it.each<[string, (r: ChainedRow[]) => { event: LoggedEvent; dataJson: string }[]]>([
    ['an intact chain', (r) => r],
    ['an edited payload', (r) => [r[0], { ...r[1], dataJson: r[1].dataJson.replace('0.9', '0.1') }, ...r.slice(2)]],
    ['an edited actor', (r) => [r[0], r[1], { ...r[2], event: { ...r[2].event, actor: 'mallory' } as LoggedEvent }, ...r.slice(3)]],
    ['a field turned into a number', (r) => [r[0], { ...r[1], event: { ...r[1].event, automation: 7 as unknown as string } as LoggedEvent }, ...r.slice(2)]],
    ['a deleted event', (r) => [r[0], ...r.slice(2)]],
    ['two deleted events', (r) => [r[0], ...r.slice(3)]],
    ['two rows out of order', (r) => [r[0], r[2], r[1], ...r.slice(3)]],
    ['a duplicated seq', (r) => [r[0], r[1], r[1], ...r.slice(2)]],
    ['an event inserted with a forged hash', (r) => {
      const forged = { ...r[1].event, id: 'x' } as LoggedEvent;
      forged.hash = hashEvent(r[0].event.hash, forged);
      return [r[0], { event: forged, dataJson: r[1].dataJson }, ...r.slice(1).map((x) => ({ ...x, event: { ...x.event, seq: x.event.seq + 1 } as LoggedEvent }))];
    }],
  ])('agrees with createVerifier on %s', (_what, tamper) => {
    const { verifier, thread } = both(tamper(chained()));
    expect(thread).toEqual(verifier);
  });
});

describe('checkChainInThread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aigov-chain-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a SQLite log up to a seq, and names the first bad event', async () => {
    const path = join(dir, 'runs.db');
    const store = await openSqliteStore(path);
    const events = await store.append(Array.from({ length: 2500 }, (_, i) => ({ type: 'run_started' as const, runId: `r${i}`, data: startedData({ i }) })));
    await store.close();
    expect(await checkChainInThread(path, 2500)).toEqual({ count: 2500, head: { seq: 2500, hash: events[2499].hash }, firstBad: null });
    expect(await checkChainInThread(path, 10)).toMatchObject({ count: 10, head: { seq: 10 } });
    const db = new Database(path);
    db.exec(`DROP TRIGGER events_no_update; UPDATE events SET actor = 'mallory' WHERE seq = 2222`);
    db.close();
    expect(await checkChainInThread(path, 2500)).toMatchObject({ count: 2500, firstBad: { seq: 2222, reason: 'hash mismatch: the event was edited' } });
  });

  it('fails on a file that is not there', async () => {
    await expect(checkChainInThread(join(dir, 'none.db'), 1)).rejects.toThrow(/unable to open|does not exist|SQLITE_CANTOPEN/i);
  });
});
