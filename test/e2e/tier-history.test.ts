// The evidence of tier changes, shown: `aigov promote X --history` lists every
// tier_changed of an automation with the gates it was made on and where it
// stands against aigov.lock; `aigov log show SEQ|HASH` shows one event (the
// lock's `event:` hash finds it) with its link in the chain checked. Through the
// built binary, on SQLite and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/core/log/events.js';
import type { Store } from '../../src/store/types.js';
import { aigov } from '../support/cli.js';
import { storeUrlOf } from '../support/governed.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { storeBackends, type Opened } from '../support/stores.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

const BOT = `id: bot
name: Invoice bot
owner: jane@example.com
tier: 1   # raised only by aigov promote
prompt: inv
evals: [inv]
downstream: [erp]
reversal: { window: 24h, command: [node, undo.mjs] }
notify: { command: [node, tell.mjs] }
governance:
  purpose: Books supplier invoices.
  data: Invoice text.
  decisions: { autonomous: Nothing at tier 1; at tier 2 it books what it is sure of., humanReview: Everything under 80% confidence. }
  testing: The inv suite.
  monitoring: Rates, weekly.
  overrideProcess: Override in review.
  limitations: One category per invoice.
`;

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({});
});
afterAll(() => server.close());

describe.each(storeBackends('tier history'))('tier changes shown with their evidence: $name', (backend) => {
  let opened: Opened;
  let store: Store;
  let w: ReturnType<typeof tempWorkspace>;
  /** The three tier_changed events, oldest first: forced up, demoted (the lock names it), and one no lock names. */
  let changes: LoggedEvent[];
  const cli = (...args: string[]) => aigov(args, { cwd: w.root, env: { AIGOV_ACTOR: 'ops@example.com' } });
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);
  const lockEvent = () => /\n {2}bot:\n(?: {4}.*\n)*? {4}event: ([0-9a-f]{64})\n/.exec(readFileSync(join(w.root, 'aigov.lock'), 'utf8'))?.[1];

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    const files = classifierFiles({ baseURL: server.openaiBaseURL });
    w = tempWorkspace({ ...files, 'aigov.yaml': `${files['aigov.yaml']}store: ${JSON.stringify(storeUrlOf(opened))}\n`, 'automations/bot.yaml': BOT });
    for (const args of [
      ['pin'],
      ['promote', 'bot', '--to', '2', '--force', '--reason', 'adopted at the tier it runs at', '--as', 'jane@example.com'],
      ['demote', 'bot', '--reason', 'too early: no evidence yet', '--as', 'sam@example.com'],
    ]) {
      const r = await cli(...args);
      if (r.exitCode !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    }
    // A change whose file writes never happened (a race lost, a disk full): logged, and named by no lock entry.
    await store.append([{ type: 'tier_changed', automation: 'bot', actor: 'eve@example.com', data: { from: 1, to: 3, reason: 'lost a race', by: 'eve@example.com', forced: false, evidence: [] } }]);
    changes = await store.query({ automation: 'bot', types: ['tier_changed'], order: 'asc' });
    expect(changes).toHaveLength(3);
  }, 60_000);

  afterAll(async () => {
    w?.cleanup();
    await opened?.cleanup();
  });

  it('promote --history --json: every change oldest first, its gates as logged, and where each stands against the lock', async () => {
    const r = await cli('promote', 'bot', '--history', '--json');
    expect(r.exitCode).toBe(0);
    const h = json(r);
    expect(h.automation).toBe('bot');
    expect(h.ledger).toEqual({ tier: 1, since: changes[1].at.replace(/\.000Z$/, 'Z'), by: 'sam@example.com', event: changes[1].hash });
    expect(h.lockEventMissing).toBeNull();
    expect(h.changes.map((c: Record<string, unknown>) => [c.seq, c.hash, c.from, c.to, c.by, c.status])).toEqual([
      [changes[0].seq, changes[0].hash, 1, 2, 'jane@example.com', 'superseded'],
      [changes[1].seq, changes[1].hash, 2, 1, 'sam@example.com', 'in-effect'],
      [changes[2].seq, changes[2].hash, 1, 3, 'eve@example.com', 'not-in-effect'],
    ]);
    // The evidence is what the event holds, every gate with required and actual value.
    expect(h.changes[0].gates).toEqual(changes[0].data.evidence);
    expect(h.changes[0].gates.length).toBe(10);
    expect(h.changes[0]).toMatchObject({ forced: true, reason: 'adopted at the tier it runs at', failing: (changes[0].data as Record<string, unknown>).failing });
    expect(h.changes[0].failing).toEqual(expect.arrayContaining(['evals', 'runs']));
    expect(h.changes[1].gates).toEqual(changes[1].data.evidence);
    expect(h.changes[2].gates).toEqual([]);
  });

  it('promote --history: a heading with the lock entry, then each change with its gates table', async () => {
    const r = await cli('promote', 'bot', '--history');
    expect(r.exitCode).toBe(0);
    const since = changes[1].at.replace(/\.000Z$/, 'Z');
    expect(r.stdout.split('\n')[0]).toBe(`bot: tier 1 in aigov.lock since ${since} by sam@example.com, event ${changes[1].hash}; 3 tier changes in the run log, oldest first`);
    expect(r.stdout).toContain(`#${changes[0].seq} ${changes[0].at} bot: tier 1 -> 2 by jane@example.com; superseded: aigov.lock names a later change\n  reason: adopted at the tier it runs at\n  forced past failing gates: `);
    expect(r.stdout).toContain(`#${changes[1].seq} ${changes[1].at} bot: tier 2 -> 1 by sam@example.com; in effect: aigov.lock names this event\n  reason: too early: no evidence yet\n`);
    expect(r.stdout).toContain(`#${changes[2].seq} ${changes[2].at} bot: tier 1 -> 3 by eve@example.com; not in effect: no aigov.lock entry names this event\n  reason: lost a race\n  hash ${changes[2].hash}\n  no gates recorded with it`);
    // The forced promotion's table: the runs gate failing at 0 of 100.
    expect(r.stdout).toMatch(/│ runs\s+│ at least 100 finished\s+│ 0\s+│ FAIL │/);
    expect(r.stdout).toMatch(/│ reversal\s+│ configured\s+│ configured\s+│ pass │/);
  });

  it('log show HASH (the lock’s event:): the event, its chain link checked, the gates it was made on', async () => {
    const hash = lockEvent();
    expect(hash).toBe(changes[1].hash);
    const r = await cli('log', 'show', hash!, '--json');
    expect(r.exitCode).toBe(0);
    const s = json(r);
    const { v, seq, id, type, at, automation, runId, actor, data, prevHash } = changes[1];
    expect(s.event).toEqual({ seq, id, v, type, at, automation, runId, actor, data, prevHash, hash });
    expect(s.chain).toEqual({ ok: true });
    expect(s.tierChange).toMatchObject({ seq, hash, from: 2, to: 1, by: 'sam@example.com', status: 'in-effect', gates: data.evidence, ledger: { tier: 1, event: hash } });

    const text = await cli('log', 'show', hash!);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`#${seq} tier_changed at ${at}, automation bot, actor sam@example.com\n  id ${id}\n  hash ${hash}\n  prevHash ${prevHash}\n  chain: ok (its hash recomputed from its fields, its prevHash that of #${seq - 1}; \`aigov log verify\` checks the whole log)\n`);
    expect(text.stdout).toContain('checks the whole log)\n\nbot: tier 2 -> 1 by sam@example.com; in effect: aigov.lock names this event\n  reason: too early: no evidence yet\n  recorded beside it: OS login ');
    expect(text.stdout).toMatch(/│ governance\s+│ an owner and every governance answer\s+│ all answered\s+│ pass │/);
  });

  it('log show by seq (12 or #12) and by a hash prefix finds the same event; a superseded change says so', async () => {
    const first = changes[0];
    for (const ref of [String(first.seq), `#${first.seq}`, first.hash.slice(0, 12), first.hash.slice(0, 12).toUpperCase()]) {
      const r = await cli('log', 'show', ref, '--json');
      expect(r.exitCode, ref).toBe(0);
      expect(json(r).event.hash).toBe(first.hash);
      expect(json(r).tierChange.status).toBe('superseded');
    }
    const other = await cli('log', 'show', String(changes[2].seq), '--json');
    expect(json(other).tierChange).toMatchObject({ status: 'not-in-effect', reason: 'lost a race' });
  });

  it('log show of another event type prints its payload', async () => {
    const [pinned] = await store.query({ types: ['model_pinned'] });
    const r = await cli('log', 'show', String(pinned.seq));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`#${pinned.seq} model_pinned at ${pinned.at}`);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('\n\n')))).toEqual(pinned.data);
    expect(json(await cli('log', 'show', String(pinned.seq), '--json')).tierChange).toBeUndefined();
  });

  it('a prefix more than one hash starts with is refused, naming the events; more digits find one', async () => {
    // Enough events that two share their first four hex digits. A prefix of digits alone is read as a seq
    // first (the seq exists here), so the clash has a letter in it.
    const byPrefix = new Map<string, LoggedEvent[]>();
    let clash: LoggedEvent[] | undefined;
    while (!clash) {
      const batch = await store.append(Array.from({ length: 200 }, (_, i) => ({ type: 'model_mismatch' as const, automation: 'noise', data: { expected: 'a', returned: `b${i}` } })));
      for (const e of batch) {
        if (/^\d+$/.test(e.hash.slice(0, 4))) continue;
        const same = [...(byPrefix.get(e.hash.slice(0, 4)) ?? []), e];
        byPrefix.set(e.hash.slice(0, 4), same);
        if (same.length === 2) clash ??= same;
      }
    }
    const prefix = clash[0].hash.slice(0, 4);
    const r = await cli('log', 'show', prefix);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error E_USAGE: "${prefix}" is the start of more than one event's hash (#${clash[0].seq}, #${clash[1].seq}`);
    const one = await cli('log', 'show', clash[1].hash.slice(0, 16), '--json');
    expect(json(one).event.seq).toBe(clash[1].seq);
  });

  it('digits are a seq first; digits past the last seq are read as a hash prefix', async () => {
    const noise = () => store.append(Array.from({ length: 200 }, (_, i) => ({ type: 'model_mismatch' as const, automation: 'noise', data: { expected: 'a', returned: `c${i}` } })));
    let events = await noise();
    const digitsPast = () => events.find((e) => /^\d{6}/.test(e.hash) && Number(e.hash.slice(0, 6)) > events.at(-1)!.seq);
    while (!digitsPast()) events = [...events, ...(await noise())];
    const target = digitsPast()!;
    const r = await cli('log', 'show', target.hash.slice(0, 6), '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r).event.seq).toBe(target.seq);
    const asSeq = await cli('log', 'show', String(events[0].seq), '--json');
    expect(json(asSeq).event.hash).toBe(events[0].hash);
  });

  it('usage errors exit 2: no such event, no hash, --history with a flag that writes, an unknown automation', async () => {
    const missing = await cli('log', 'show', '#999999');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('error E_USAGE: no event #999999 in the run log');
    expect((await cli('log', 'show', 'f'.repeat(64))).stderr).toContain(`no event ${'f'.repeat(64)} in the run log`);
    const bad = await cli('log', 'show', 'not-a-hash', '--json');
    expect(bad.exitCode).toBe(2);
    expect(json(bad).error).toMatchObject({ code: 'E_USAGE', message: '"not-a-hash" is neither a seq nor an event hash' });
    const mixed = await cli('promote', 'bot', '--history', '--dry-run');
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain('--history only reads the log: it does not go with --dry-run');
    const unknown = await cli('promote', 'nobot', '--history');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown automation "nobot"');
  });

  it('the governance page names the lock’s event and how to see its evidence', async () => {
    expect((await cli('docs')).exitCode).toBe(0);
    const page = readFileSync(join(w.root, 'docs/automations/bot.md'), 'utf8');
    expect(page).toContain(`| Tier recorded | tier 1 since ${changes[1].at.replace(/\.000Z$/, 'Z')} by sam@example.com, event \`${changes[1].hash}\` (its evidence, every gate: \`aigov log show ${changes[1].hash}\`) |`);
  });

  it('an event edited in the database: log show says its link is broken and exits 1', async () => {
    const target = changes[0];
    const sqlite = backend.dialect === 'sqlite';
    await opened.raw(`${sqlite ? 'DROP TRIGGER events_no_update' : 'DROP TRIGGER events_append_only ON events'}; UPDATE events SET actor = 'mallory' WHERE seq = ${target.seq}`);
    const r = await cli('log', 'show', String(target.seq), '--json');
    expect(r.exitCode).toBe(1);
    expect(json(r).chain).toEqual({ ok: false, reason: 'hash mismatch: the event was edited' });
    const text = await cli('log', 'show', String(target.seq));
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('chain: BROKEN hash mismatch: the event was edited (`aigov log verify` names the first bad event)');
    // The event after it still links to the hash it was chained to.
    expect(json(await cli('log', 'show', String(target.seq + 1), '--json')).chain).toEqual({ ok: true });
  });
});
