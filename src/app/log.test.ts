// Tampering as an attacker with write access to the database would do it:
// drop the append-only triggers, then edit, delete, reorder, or rewrite the
// whole log with a recomputed chain. verifyLog names the first bad seq, and a
// seal catches what the chain alone cannot.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS, hashEventText } from '../core/log/chain.js';
import type { NewEvent } from '../core/log/events.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { AigovError, GateError, UsageError } from '../errors.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { SEALS_FILE, readSeals, sealLog, verifyLog } from './log.js';

const DB = '.aigov/runs.db';
const events: NewEvent[] = Array.from({ length: 10 }, (_, i) => ({
  type: i % 2 === 0 ? 'run_started' : 'run_finished',
  automation: 'inv',
  runId: `r${Math.floor(i / 2)}`,
  data: i % 2 === 0 ? startedData({ n: i + 1 }) : finishedData({ n: i + 1 }),
}));

function tamper(root: string, sql: string): void {
  const db = new Database(join(root, DB));
  try {
    db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER events_next_seq;');
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Rewrites the log with event 4 changed and every hash from there on recomputed. */
function rewriteConsistently(root: string): void {
  const db = new Database(join(root, DB));
  try {
    const rows = db.prepare('SELECT * FROM events ORDER BY seq').all() as Record<string, string | number | null>[];
    let prev = GENESIS;
    for (const r of rows) {
      if (r.seq === 4) r.data = JSON.stringify(finishedData({ n: 40 }));
      r.prev_hash = prev;
      const fields = { v: r.v as number, seq: r.seq as number, id: r.id as string, type: r.type as 'run_started', at: r.at as string };
      r.hash = hashEventText(prev, { ...fields, automation: r.automation as string, runId: r.run_id as string, actor: r.actor as null }, r.data as string);
      prev = r.hash;
    }
    db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER events_next_seq; DELETE FROM events;');
    const insert = db.prepare('INSERT INTO events VALUES (@seq, @id, @v, @type, @at, @automation, @run_id, @actor, @data, @prev_hash, @hash)');
    for (const r of rows) insert.run(r);
  } finally {
    db.close();
  }
}

describe('log verify and seal', () => {
  let root: string;
  let store: Store;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'aigov-log-'));
    store = await openStore(`sqlite:${DB}`, root);
    await store.append(events.slice(0, 3));
    await store.append(events.slice(3));
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function reopenAndVerify() {
    await store.close();
    store = await openStore(`sqlite:${DB}`, root);
    return verifyLog(store, root);
  }

  it('passes an intact log, with and without seals', async () => {
    const head = await store.head();
    const rows = { events: 10, impacts: 0, runs: 5, problems: [], more: 0 };
    expect(await verifyLog(store, root)).toEqual({ ok: true, events: 10, head, seals: { checked: 0, bad: [] }, rows, schema: { problems: [] } });
    await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    expect(await verifyLog(store, root)).toEqual({ ok: true, events: 10, head, seals: { checked: 1, bad: [] }, rows, schema: { problems: [] } });
  });

  it('passes an empty log', async () => {
    await store.close();
    store = await openStore('sqlite:empty.db', root);
    expect(await verifyLog(store, root)).toEqual({
      ok: true, events: 0, head: null, seals: { checked: 0, bad: [] }, rows: { events: 0, impacts: 0, runs: 0, problems: [], more: 0 }, schema: { problems: [] },
    });
  });

  it.each<[string, string, number, RegExp]>([
    ['an edited payload', `UPDATE events SET data = '{"n":40}' WHERE seq = 4`, 4, /hash mismatch/],
    ['an edited actor', `UPDATE events SET actor = 'mallory' WHERE seq = 7`, 7, /hash mismatch/],
    ['a deleted event', 'DELETE FROM events WHERE seq = 5', 5, /seq gap: event 5 is missing/],
    [
      'two reordered events',
      `CREATE TEMP TABLE swap AS SELECT * FROM events WHERE seq IN (3, 6);
       DELETE FROM events WHERE seq IN (3, 6);
       INSERT INTO events SELECT CASE seq WHEN 3 THEN 6 ELSE 3 END, id, v, type, at, automation, run_id, actor, data, prev_hash, hash FROM swap;`,
      3,
      /prevHash mismatch/,
    ],
  ])('names the first bad seq after %s', async (_what, sql, seq, reason) => {
    tamper(root, sql);
    const result = await reopenAndVerify();
    expect(result.ok).toBe(false);
    expect(result.firstBad?.seq).toBe(seq);
    expect(result.firstBad?.reason).toMatch(reason);
  });

  it('verifies through scan alone on a store without scanStored', async () => {
    tamper(root, `UPDATE events SET data = '${JSON.stringify(finishedData({ n: 40 }))}' WHERE seq = 4`);
    await store.close();
    store = await openStore(`sqlite:${DB}`, root);
    const plain: Store = {
      url: store.url,
      append: (e) => store.append(e),
      query: (q) => store.query(q),
      queryForFold: (q) => store.queryForFold(q),
      queryRuns: (q) => store.queryRuns(q),
      queryImpacts: (q) => store.queryImpacts(q),
      scan: (from) => store.scan(from),
      head: () => store.head(),
      close: () => store.close(),
    };
    expect(await verifyLog(plain, root)).toMatchObject({ ok: false, events: 10, firstBad: { seq: 4, reason: expect.stringMatching(/hash mismatch/) } });
    await expect(sealLog(plain, root)).rejects.toThrow(/broken at seq 4/);
  });

  it('catches a log rewritten with a recomputed chain by its seal', async () => {
    const sealed = await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    rewriteConsistently(root);
    const result = await reopenAndVerify();
    expect(result.firstBad).toBeUndefined();
    expect(result.ok).toBe(false);
    expect(result.seals.bad).toEqual([{ seq: sealed.seq, code: 'E_SEAL_MISMATCH', reason: expect.stringMatching(/was sealed as .*the log was rewritten/) }]);
  });

  it('catches a truncated log by its seal', async () => {
    await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    tamper(root, 'DELETE FROM events WHERE seq > 7');
    const result = await reopenAndVerify();
    expect(result.firstBad).toBeUndefined();
    expect(result).toMatchObject({ ok: false, events: 7, seals: { checked: 1, bad: [{ seq: 10, reason: expect.stringMatching(/past the end of the log \(seq 7\)/) }] } });
  });

  it('catches a deleted sealed event', async () => {
    await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    await store.append([{ type: 'run_started', data: startedData() }]);
    tamper(root, 'DELETE FROM events WHERE seq = 10');
    const result = await reopenAndVerify();
    expect(result.firstBad?.seq).toBe(10);
    expect(result.seals.bad).toEqual([{ seq: 10, code: 'E_SEAL_MISMATCH', reason: expect.stringMatching(/sealed event 10 is missing/) }]);
  });

  it('appends seals as JSON lines under a comment, once per new head', async () => {
    const first = await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    const head = await store.head();
    expect(first).toEqual({ seq: 10, hash: head!.hash, root: expect.stringMatching(/^[0-9a-f]{64}$/), at: '2026-03-01T00:00:00.000Z', written: true });
    const again = await sealLog(store, root, new Date('2026-03-02T00:00:00Z'));
    expect(again).toEqual({ ...first, written: false });

    await store.append([{ type: 'run_started', data: startedData() }, { type: 'run_failed', data: { error: { type: 'server', message: 'x' } } }]);
    const second = await sealLog(store, root, new Date('2026-03-03T00:00:00Z'));
    expect(second).toMatchObject({ seq: 12, written: true });
    const lines = readFileSync(join(root, SEALS_FILE), 'utf8').split('\n');
    expect(lines[0]).toMatch(/^# /);
    expect(lines.slice(1)).toEqual([
      JSON.stringify({ seq: 10, hash: first.hash, root: first.root, at: first.at }),
      JSON.stringify({ seq: 12, hash: second.hash, root: second.root, at: second.at }),
      '',
    ]);
    expect(readSeals(root)).toEqual([
      { seq: 10, hash: first.hash, root: first.root, at: first.at },
      { seq: 12, hash: second.hash, root: second.root, at: second.at },
    ]);
  });

  it('refuses to seal an empty log', async () => {
    await store.close();
    store = await openStore('sqlite:empty.db', root);
    await expect(sealLog(store, root)).rejects.toThrow(UsageError);
    expect(readSeals(root)).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['an event edited since the last seal', `UPDATE events SET data = '{"x":1}' WHERE seq = 11`, 'E_CHAIN_BROKEN'],
    ['a rewritten sealed event', `UPDATE events SET hash = '${'a'.repeat(64)}' WHERE seq = 10`, 'E_SEAL_MISMATCH'],
    ['a deleted sealed event', 'DELETE FROM events WHERE seq >= 10', 'E_SEAL_MISMATCH'],
  ])('refuses to seal a log with %s', async (_what, sql, code) => {
    await sealLog(store, root, new Date('2026-03-01T00:00:00Z'));
    await store.append([{ type: 'run_started', data: startedData() }, { type: 'run_started', data: startedData() }]);
    const before = readFileSync(join(root, SEALS_FILE), 'utf8');
    tamper(root, sql);
    await store.close();
    store = await openStore(`sqlite:${DB}`, root);
    const err = await sealLog(store, root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateError);
    expect((err as AigovError).code).toBe(code);
    expect(readFileSync(join(root, SEALS_FILE), 'utf8')).toBe(before);
  });

  it.each([
    ['not JSON', '{seq: 1'],
    ['no hash', '{"seq":1,"at":"2026-01-01T00:00:00Z"}'],
    ['a bad seq', `{"seq":0,"hash":"${'a'.repeat(64)}","at":"2026-01-01T00:00:00Z"}`],
    ['a merge conflict marker', '<<<<<<< HEAD'],
  ])('reports a seal line with %s by its line number', (_what, line) => {
    writeFileSync(join(root, SEALS_FILE), `# seals\n\n${line}\n`);
    let err: unknown;
    try {
      readSeals(root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^aigov\.seals:3 /);
    expect((err as UsageError).location).toEqual({ file: SEALS_FILE, line: 3 });
  });
});
