// `act` as a transaction, on SQLite and on PostgreSQL: impacts checked in full
// before anything runs, one action a run, an action in doubt never run again,
// notify commands that hang or leave children behind.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governedWorkspace, type Governed } from '../../test/support/governed.js';
import { storeBackends } from '../../test/support/stores.js';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import type { Impact } from '../core/log/events.js';
import { readWorkspace } from './read-workspace.js';
import { revertRun } from './revert.js';
import { listRuns, trace } from './runs.js';

const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };

const FILES: Record<string, string> = {
  'aigov.yaml': configYaml('http://127.0.0.1:9/v1'),
  'prompts/cls.yaml': promptYaml('cls'),
  'automations/book.yaml': automationYaml('book', 2, 'cls', 'downstream: [erp, mail]\nreversal: { window: 1h, command: [node, unbook.mjs] }\nnotify: { command: [node, notify.mjs] }\n'),
  'automations/slow.yaml': automationYaml('slow', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, unbook.mjs] }\nnotify: { command: [sh, -c, "sleep 30 & echo $! > slow.pid; sleep 30"], timeout: 300ms }\n'),
  'automations/detach.yaml': automationYaml('detach', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, unbook.mjs] }\nnotify: { command: [sh, -c, "sleep 30 & echo $! > bg.pid; echo told"] }\n'),
  'notify.mjs': "let s = '';\nfor await (const c of process.stdin) s += c;\nprocess.stdout.write('ok');\n",
  'unbook.mjs': "import { appendFileSync } from 'node:fs';\nlet s = ''; for await (const c of process.stdin) s += c;\nappendFileSync('unbooked.jsonl', s + '\\n');\n",
};

function kill(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  } catch {
    // gone already
  }
}

describe.each(storeBackends('act'))('act as a transaction: $name', (backend) => {
  let w: Governed;
  beforeEach(async () => {
    w = await governedWorkspace(backend, FILES);
  });
  afterEach(async () => {
    for (const f of ['slow.pid', 'bg.pid']) kill(join(w.root, f));
    await w.cleanup();
  });

  async function finished(automation = 'book'): Promise<string> {
    const gov = await w.governor();
    const h = await gov.start(automation, { text: 'ACME Power' });
    await h.finish({ output: 'utilities', confidence: 0.99 });
    return h.id;
  }
  const typesOf = async (runId: string) => (await w.store.query({ runId, order: 'asc' })).map((e) => e.type);

  it.each<[string, unknown, RegExp]>([
    ['impacts that are not a list', { system: 'erp' }, /impacts must be a list/],
    ['no impacts at all', undefined, /impacts must be a list/],
    ['an impact that is not an object', ['erp'], /impacts\[0\] must be an object/],
    ['an impact without a system', [{ ref: 'INV-1' }], /impacts\[0\]\.system must be a non-empty string/],
    ['a numeric system', [{ system: 5 }], /impacts\[0\]\.system must be a non-empty string, got number 5/],
    ['a numeric ref (it threw after the booking once)', [{ system: 'erp', ref: 'INV-1' }, { system: 'erp', ref: 1042 }], /impacts\[1\]\.ref must be a non-empty string, got number 1042/],
    ['an action that is not text', [{ system: 'erp', action: { verb: 'book' } }], /impacts\[0\]\.action must be a non-empty string/],
    ['a misspelt field', [{ sytem: 'erp' }], /unknown field "sytem"/],
    ['a system outside downstream', [{ system: 'crm' }], /may not touch "crm"/],
  ])('refuses %s (E_IMPACT) before fn runs, logging nothing', async (_n, impacts, message) => {
    const runId = await finished();
    const gov = await w.governor();
    let calls = 0;
    const err = await gov.act(runId, () => ++calls, { impacts: impacts as Impact[] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_IMPACT', exitCode: 2, message: expect.stringMatching(message) });
    expect(calls).toBe(0);
    expect(await typesOf(runId)).toEqual(['run_started', 'run_finished']);
    // The retry with the impacts fixed books once.
    await gov.act(runId, () => ++calls, { impacts: [{ system: 'erp', ref: '1042' }] });
    expect(calls).toBe(1);
    expect((await trace(w.store, { system: 'erp', ref: '1042' })).map((r) => r.runId)).toEqual([runId]);
  });

  it('logs the impacts as checked, whatever fn does to the caller’s array', async () => {
    const runId = await finished();
    const impacts: Impact[] = [{ system: 'erp', ref: 'INV-1' }];
    await (await w.governor()).act(runId, () => {
      impacts[0].system = 'billing';
      impacts.push({ system: 'crm' });
    }, { impacts });
    const logged = (await w.store.query({ runId, types: ['action_started', 'action_taken'] })).map((e) => e.data.impacts);
    expect(logged).toEqual([[{ system: 'erp', ref: 'INV-1' }], [{ system: 'erp', ref: 'INV-1' }]]);
  });

  it('acts once: a second act is refused (E_ALREADY_ACTED, exit 1) and fn does not run again', async () => {
    const runId = await finished();
    const gov = await w.governor();
    let calls = 0;
    await gov.act(runId, () => ++calls, { impacts: [{ system: 'erp', ref: 'INV-1' }] });
    await expect(gov.act(runId, () => ++calls, { impacts: [{ system: 'erp', ref: 'INV-1' }] })).rejects.toMatchObject({ name: 'TierError', code: 'E_ALREADY_ACTED', exitCode: 1 });
    expect(calls).toBe(1);
  });

  it('refuses to act after a revert', async () => {
    const runId = await finished();
    const gov = await w.governor();
    await gov.act(runId, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-1' }] });
    await revertRun(readWorkspace(w.root), w.store, runId, { by: 'ann', identity: IDENTITY, reason: 'wrong', now: new Date() });
    let called = false;
    const err = await gov.act(runId, () => (called = true), { impacts: [{ system: 'erp', ref: 'INV-1' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_ALREADY_ACTED', message: expect.stringContaining('already acted on and reverted') });
    expect(called).toBe(false);
  });

  it('an action in doubt is never run again, is traced with its impacts, and is reverted only with force', async () => {
    const runId = await finished();
    // What a process killed inside fn leaves behind (the SIGKILL itself is in test/e2e/in-doubt.test.ts).
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await w.store.append([{ type: 'action_started', automation: 'book', runId, data: { impacts: [{ system: 'erp', ref: 'INV-9', action: 'book' }], reversibleUntil: until } }]);
    const gov = await w.governor();
    let called = false;
    await expect(gov.act(runId, () => (called = true), { impacts: [{ system: 'erp', ref: 'INV-9' }] })).rejects.toMatchObject({ name: 'TierError', code: 'E_IN_DOUBT', exitCode: 1, hint: expect.stringContaining('erp:INV-9') });
    expect(called).toBe(false);

    expect((await trace(w.store, { system: 'erp', ref: 'INV-9' })).map((r) => [r.runId, r.inDoubt, r.action, r.actionState])).toEqual([[runId, true, 'book', 'in_doubt']]);
    expect((await listRuns(w.store, {})).find((r) => r.runId === runId)).toMatchObject({ actionState: 'in_doubt', impacts: ['erp:INV-9'] });

    const ws = readWorkspace(w.root);
    const revert = (force?: boolean) => revertRun(ws, w.store, runId, { by: 'ann', identity: IDENTITY, reason: 'unsure', now: new Date(), force });
    await expect(revert()).rejects.toMatchObject({ code: 'E_IN_DOUBT', exitCode: 1, hint: expect.stringContaining('--force') });
    expect(existsSync(join(w.root, 'unbooked.jsonl'))).toBe(false);
    await expect(revert(true)).resolves.toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(join(w.root, 'unbooked.jsonl'), 'utf8'))).toMatchObject({ runId, inDoubt: true, impacts: [{ system: 'erp', ref: 'INV-9', action: 'book' }] });
    expect((await listRuns(w.store, {})).find((r) => r.runId === runId)).toMatchObject({ actionState: 'reverted' });
  });

  it('a notify command that hangs is killed at its timeout, with its children; the action stands', async () => {
    const runId = await finished('slow');
    const t0 = Date.now();
    await expect((await w.governor()).act(runId, () => 'booked', { impacts: [{ system: 'erp', ref: 'INV-3' }] })).resolves.toBe('booked');
    expect(Date.now() - t0).toBeLessThan(10_000);
    const events = await w.store.query({ runId, order: 'asc' });
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken', 'notification_sent']);
    expect(events[4].data).toEqual({ ok: false, error: 'it timed out: killed after the 300ms timeout' });
    const bg = Number(readFileSync(join(w.root, 'slow.pid'), 'utf8'));
    const end = Date.now() + 3000;
    let alive = true;
    while (alive && Date.now() < end) {
      try {
        process.kill(bg, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  it('a notify command that exits 0 while a background child holds its pipes counts as sent, at once', async () => {
    const runId = await finished('detach');
    const t0 = Date.now();
    await (await w.governor()).act(runId, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-4' }] });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await w.store.query({ runId, types: ['notification_sent'] }))[0].data).toEqual({ ok: true, error: null });
  });
});
