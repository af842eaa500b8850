// promote and demote as use cases, on a real SQLite run log: which evidence
// counts, what is written, and that a failure anywhere leaves either nothing
// changed or a message that says exactly what the log and the files hold.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startedData, finishedData } from '../../test/support/events.js';
import { tempWorkspace } from '../../test/support/workspace.js';
import { AigovError, UsageError } from '../errors.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { NewEvent } from '../core/log/events.js';
import type { Gate } from '../core/tiers/gates.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import { stageFile } from '../fs/atomic.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { demote } from './demote.js';
import { promote, type PromoteOptions } from './promote.js';
import { readWorkspace } from './read-workspace.js';
import type { TierChangeIo } from './tier-change.js';

const IDENTITY = { osUser: 'jane', host: 'desk-7', gitEmail: 'jane@example.com' };
const GOVERNANCE = `governance:
  purpose: Files invoices.
  data: Invoice text.
  decisions: { autonomous: Books sure ones., humanReview: The rest. }
  testing: The inv suite.
  monitoring: The dashboard.
  overrideProcess: Review queue and revert.
  limitations: One category per invoice.
`;
const AUTOMATION = (tier: number, extra = '') => `# the invoice bot
id: bot
name: Invoice bot
owner: jane@example.com
tier: ${tier}   # raised only by aigov promote
prompt: inv
evals: [inv]
downstream: [erp]
confidence: { threshold: 0.8 }
reversal: { window: 1h, command: [node, undo.mjs] }
notify: { command: [node, tell.mjs] }
promotion: { minRuns: 10 }
${extra}${GOVERNANCE}`;
const FILES = {
  'aigov.yaml': 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nstore: sqlite:.aigov/runs.db\n',
  'prompts/inv.yaml': 'id: inv\nversion: 1\nmodel: fast\nmessages:\n  - { role: user, content: "Invoice: {{text}}" }\nvars:\n  text: { type: string }\n',
  'evals/inv.yaml': 'suite: inv\nprompt: inv\ncases:\n  - { id: a, vars: { text: a }, expect: ok }\n',
  'automations/bot.yaml': AUTOMATION(1),
};
const SINCE = '2026-11-01T00:00:00Z';
const NOW = new Date('2026-11-20T12:00:00Z');
const MODEL = 'openai:gpt-4o-mini-2024-07-18';

let w: ReturnType<typeof tempWorkspace>;
let store: Store;
let sha: string;

function lock(over: Partial<Lockfile> = {}): Lockfile {
  return {
    lockfileVersion: 2,
    models: { fast: { requested: 'openai:gpt-4o-mini', resolved: MODEL, served: 'gpt-4o-mini-2024-07-18', pinnedAt: SINCE, pinnedBy: 'ops' } },
    prompts: { inv: { version: 1, sha256: sha } },
    automations: { bot: { tier: 1, since: SINCE, by: 'ops', event: null } },
    ...over,
  };
}

beforeEach(async () => {
  w = tempWorkspace(FILES);
  sha = promptHash(readWorkspace(w.root).prompts.get('inv')!.value);
  w.write('aigov.lock', serializeLock(lock()));
  store = await openStore('sqlite:.aigov/runs.db', w.root);
});
afterEach(async () => {
  await store.close();
  w.cleanup();
});

const minutes = (base: string, n: number) => new Date(Date.parse(base) + n * 60_000).toISOString();

/** `n` runs of bot from `start` on, one a minute: each started and finished, `shape(i)` says how. */
async function runs(n: number, start: string, shape: (i: number) => 'auto' | 'failed' | 'review' | 'overridden' | 'waiting' = () => 'auto', tier = 1): Promise<void> {
  const events: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const runId = `run-${start}-${i}`;
    const t = minutes(start, i);
    const base = { automation: 'bot', runId };
    events.push({ ...base, type: 'run_started', at: t, data: startedData({ tier }) });
    const kind = shape(i);
    if (kind === 'failed') {
      events.push({ ...base, type: 'run_failed', at: t, data: { error: { type: 'server', message: 'x' } } });
      continue;
    }
    const disposition = kind === 'auto' ? (tier === 1 ? 'approval_required' : 'auto') : 'review';
    events.push({ ...base, type: 'run_finished', at: t, data: finishedData({ disposition, confidence: kind === 'auto' ? 0.95 : 0.5 }) });
    if (kind === 'waiting') continue;
    if (disposition !== 'auto') events.push({ ...base, type: 'review_resolved', at: t, data: { decision: kind === 'overridden' ? 'override' : 'approve', reviewer: 'ann', output: kind === 'overridden' ? 'fixed' : undefined } });
  }
  await store.append(events);
}

async function evalDone(data: Record<string, unknown> = {}, at = minutes(SINCE, 1)): Promise<void> {
  await store.append([{ type: 'eval_completed', at, data: { suite: 'inv', prompt: { id: 'inv', version: 1, sha256: sha }, model: MODEL, served: 'gpt-4o-mini-2024-07-18', passRate: 1, passed: true, cases: 1, mode: 'live', unlocked: false, ...data } }]);
}

const opts = (over: Partial<PromoteOptions> = {}): PromoteOptions => ({ decider: async () => ({ name: 'jane@example.com', identity: IDENTITY }), now: () => NOW, store, ...over });
const ws = () => readWorkspace(w.root);
const file = () => readFileSync(join(w.root, 'automations/bot.yaml'), 'utf8');
const lockText = () => readFileSync(join(w.root, 'aigov.lock'), 'utf8');
const tierChanges = () => store.query({ types: ['tier_changed'] });
const gate = (r: { gates: Gate[] }, name: string) => r.gates.find((g) => g.name === name);

/** Everything as it was: both files, and no tier_changed in the log. */
async function expectNothingWritten(before: { file: string; lock: string }): Promise<void> {
  expect(file()).toBe(before.file);
  expect(lockText()).toBe(before.lock);
  expect(await tierChanges()).toEqual([]);
}

describe('promote', () => {
  it('promotes on passing evidence: tier: rewritten with its comments, tier_changed with every gate, the ledger entry naming the event', async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    const r = await promote(ws(), 'bot', opts({ reason: 'a quiet month' }));
    expect(r).toMatchObject({ automation: 'bot', from: 1, to: 2, promoted: true, passed: true, forced: false, since: SINCE, written: ['automations/bot.yaml', 'aigov.lock'] });
    expect(file()).toBe(AUTOMATION(2));
    const [event] = await tierChanges();
    expect(r.event).toEqual({ seq: event.seq, hash: event.hash });
    expect(event).toMatchObject({ automation: 'bot', runId: null, actor: 'jane@example.com', at: '2026-11-20T12:00:00.000Z' });
    expect(event.data).toEqual({ from: 1, to: 2, reason: 'a quiet month', by: 'jane@example.com', identity: IDENTITY, forced: false, evidence: r.gates });
    expect(r.gates.map((g) => g.name)).toEqual(['governance', 'lock', 'evals', 'runs', 'errorRate', 'overrideRate', 'lowConfidenceRate', 'reviewBacklog', 'reversal', 'notify']);
    const after = ws();
    expect(after.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(after.lock!.value.automations!.bot).toEqual({ tier: 2, since: '2026-11-20T12:00:00Z', by: 'jane@example.com', event: event.hash });
    // The rest of the lock is as it was.
    expect(lockText()).toBe(serializeLock(lock({ automations: { bot: { tier: 2, since: '2026-11-20T12:00:00Z', by: 'jane@example.com', event: event.hash } } })));
  });

  it('--dry-run computes the same gates and writes nothing', async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    const before = { file: file(), lock: lockText() };
    const r = await promote(ws(), 'bot', opts({ dryRun: true }));
    expect(r).toMatchObject({ promoted: false, dryRun: true, passed: true, event: null, written: [] });
    await expectNothingWritten(before);
  });

  it('refuses on a failing gate, naming it, and writes nothing', async () => {
    await runs(12, minutes(SINCE, 10), (i) => (i === 0 ? 'failed' : 'auto'));
    await evalDone();
    const before = { file: file(), lock: lockText() };
    const r = await promote(ws(), 'bot', opts());
    expect(r).toMatchObject({ promoted: false, passed: false });
    expect(r.gates.filter((g) => !g.pass).map((g) => [g.name, g.actual])).toEqual([['errorRate', 1 / 12]]);
    await expectNothingWritten(before);
  });

  it('counts only runs started since the last tier change; the backlog counts every run still waiting', async () => {
    // Before the change: failures and overrides that no longer count, and one run that still waits.
    await runs(5, minutes(SINCE, -600), (i) => (i < 2 ? 'failed' : i < 4 ? 'overridden' : 'waiting'));
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    const r = await promote(ws(), 'bot', opts({ dryRun: true }));
    expect(gate(r, 'runs')).toMatchObject({ actual: 12, pass: true });
    expect(gate(r, 'errorRate')).toMatchObject({ actual: 0, pass: true });
    expect(gate(r, 'overrideRate')).toMatchObject({ actual: 0, pass: true });
    // It began to wait 600 minutes before the change; the clock reads 19.5 days after it.
    expect(gate(r, 'reviewBacklog')!.actual).toBeCloseTo((NOW.getTime() - Date.parse(minutes(SINCE, -596))) / 86_400_000, 9);
  });

  it('counts overrides, low-confidence reviews and the backlog through the stats fold', async () => {
    await runs(20, minutes(SINCE, 10), (i) => (i === 3 ? 'overridden' : i % 5 === 0 ? 'review' : i === 19 ? 'waiting' : 'auto'));
    await evalDone();
    const r = await promote(ws(), 'bot', opts({ dryRun: true }));
    expect(gate(r, 'overrideRate')).toMatchObject({ actual: 1 / 20, pass: true });
    // Runs 0, 3, 5, 10, 15 and 19 went to review with confidence 0.5 under a threshold of 0.8.
    expect(gate(r, 'lowConfidenceRate')).toMatchObject({ actual: 6 / 20, pass: false });
    expect(gate(r, 'reviewBacklog')!.actual).toBeCloseTo((NOW.getTime() - Date.parse(minutes(SINCE, 29))) / 86_400_000, 9);
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ['a passing eval at the current prompt and the locked, served model', {}, true],
    ['a replay whose recordings came from the served model', { mode: 'replay' }, true],
    ['a replay of recordings from another model', { mode: 'replay', served: 'llama-3.1-8b', passed: false }, false],
    ['an eval answered by another model', { served: 'gpt-4o-2024-08-06' }, false],
    ['an eval of another prompt version', { prompt: { id: 'inv', version: 0, sha256: 'f'.repeat(64) } }, false],
    ['an eval of another snapshot', { model: 'openai:gpt-4o-mini-2025-01-01' }, false],
    ['an --unlocked eval', { unlocked: true }, false],
    ['one shard of the suite', { shard: { index: 1, count: 2 } }, false],
    ['a failing eval', { passed: false, passRate: 0 }, false],
  ])('the evals gate: %s', async (_name, data, pass) => {
    await runs(12, minutes(SINCE, 10));
    await evalDone(data);
    expect(gate(await promote(ws(), 'bot', opts({ dryRun: true })), 'evals')!.pass).toBe(pass);
  });

  it('the newest eval at the target stands, and a newer one elsewhere changes nothing', async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone({}, minutes(SINCE, 1));
    await evalDone({ passed: false, passRate: 0 }, minutes(SINCE, 2));
    expect(gate(await promote(ws(), 'bot', opts({ dryRun: true })), 'evals')!.pass).toBe(false);
    await evalDone({}, minutes(SINCE, 3));
    await evalDone({ passed: false, shard: { index: 1, count: 3 } }, minutes(SINCE, 4));
    await evalDone({ passed: false, unlocked: true }, minutes(SINCE, 5));
    expect(gate(await promote(ws(), 'bot', opts({ dryRun: true })), 'evals')).toMatchObject({ pass: true, actual: `inv: passed (100%) at ${minutes(SINCE, 3)}` });
  });

  it('a tier raised by hand is put right by promoting: one step from the ledger’s tier, not a lock failure', async () => {
    w.write('automations/bot.yaml', AUTOMATION(3));
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    const r = await promote(ws(), 'bot', opts());
    expect(r).toMatchObject({ from: 1, to: 2, promoted: true });
    expect(gate(r, 'lock')!.pass).toBe(true);
    expect(file()).toBe(AUTOMATION(2));
  });

  it('fails the lock gate for an automation not in the ledger, or a prompt edited since the lock', async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    w.write('aigov.lock', serializeLock(lock({ automations: {} })));
    expect(gate(await promote(ws(), 'bot', opts({ dryRun: true })), 'lock')).toMatchObject({ pass: false, actual: expect.stringContaining('not in the lock\'s ledger') });
    w.write('aigov.lock', serializeLock(lock()));
    w.write('prompts/inv.yaml', FILES['prompts/inv.yaml'].replace('Invoice:', 'Bill:'));
    const r = await promote(ws(), 'bot', opts({ dryRun: true }));
    expect(gate(r, 'lock')).toMatchObject({ pass: false, actual: expect.stringContaining('changed since it was locked') });
    // And the eval at the old hash is no evidence for the edited prompt.
    expect(gate(r, 'evals')!.pass).toBe(false);
  });

  it.each<[string, Partial<PromoteOptions>, RegExp]>([
    ['a skipped tier', { to: 3 }, /one tier at a time, to 2/],
    ['a tier below', { to: 1 }, /promoting goes up/],
    ['no tier at all', { to: 4 }, /--to must be a tier/],
    ['--force without a reason', { to: 3, force: true }, /--force needs --reason/],
    ['--force with a blank reason', { force: true, reason: '  ' }, /--force needs --reason/],
  ])('refuses %s (exit 2)', async (_name, over, message) => {
    const err = await promote(ws(), 'bot', opts(over)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect(await tierChanges()).toEqual([]);
  });

  it('refuses an unknown automation and one at tier 3 already', async () => {
    await expect(promote(ws(), 'bto', opts())).rejects.toThrow(/unknown automation "bto"/);
    w.write('aigov.lock', serializeLock(lock({ automations: { bot: { tier: 3, since: SINCE, by: 'ops', event: null } } })));
    w.write('automations/bot.yaml', AUTOMATION(3));
    await expect(promote(ws(), 'bot', opts())).rejects.toThrow(/at tier 3 already/);
  });

  it('adopts an automation at a higher tier only with --force and a reason, recorded as forced with the failing gates', async () => {
    const r = await promote(ws(), 'bot', opts({ to: 3, force: true, reason: 'ran at tier 3 for a year before aigov' }));
    expect(r).toMatchObject({ from: 1, to: 3, promoted: true, passed: false, forced: true });
    const [event] = await tierChanges();
    expect(event.data).toMatchObject({ from: 1, to: 3, forced: true, failing: ['evals', 'runs'], reason: 'ran at tier 3 for a year before aigov' });
    expect(file()).toBe(AUTOMATION(3));
    expect(ws().lock!.value.automations!.bot).toMatchObject({ tier: 3, event: event.hash });
  });

  it('adopting the tier the file already says writes the lock alone', async () => {
    w.write('automations/bot.yaml', AUTOMATION(3));
    const r = await promote(ws(), 'bot', opts({ to: 3, force: true, reason: 'adopted as it runs' }));
    expect(r).toMatchObject({ from: 1, to: 3, promoted: true, forced: true, written: ['aigov.lock'] });
    expect(file()).toBe(AUTOMATION(3));
    expect(ws().lock!.value.automations!.bot).toMatchObject({ tier: 3, event: (await tierChanges())[0].hash });
  });

  it('--force where every gate passes but a tier is skipped is still forced', async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone();
    const r = await promote(ws(), 'bot', opts({ to: 3, force: true, reason: 'adopted' }));
    expect(r).toMatchObject({ passed: true, forced: true, promoted: true });
    expect((await tierChanges())[0].data).toMatchObject({ forced: true, failing: [] });
  });

  it('--force needs a ledger to record in: a version 1 lock is refused (E_NO_LEDGER, exit 1), nothing written', async () => {
    w.write('aigov.lock', serializeLock({ ...lock(), lockfileVersion: 1, automations: undefined, models: { fast: { requested: 'openai:gpt-4o-mini', resolved: MODEL, pinnedAt: SINCE, pinnedBy: 'ops' } } }));
    const before = { file: file(), lock: lockText() };
    await expect(promote(ws(), 'bot', opts({ force: true, reason: 'x' }))).rejects.toMatchObject({ code: 'E_NO_LEDGER', exitCode: 1 });
    await expectNothingWritten(before);
  });
});

describe('promote: all or nothing', () => {
  beforeEach(async () => {
    await runs(12, minutes(SINCE, 10));
    await evalDone();
  });
  const snapshot = () => ({ file: file(), lock: lockText() });

  /** Staging and renaming as usual, except where `fail` says. */
  function io(fail: { stage?: string; commit?: string; restore?: boolean }): TierChangeIo {
    return {
      stage(path, content) {
        if (fail.stage && path.endsWith(fail.stage)) throw new Error(`no space left on device, writing ${fail.stage}`);
        const s = stageFile(path, content);
        return fail.commit && path.endsWith(fail.commit)
          ? {
              path,
              commit: () => {
                throw new Error(`EACCES: permission denied, rename over ${fail.commit}`);
              },
              discard: s.discard,
            }
          : s;
      },
      restore(path, content) {
        if (fail.restore) throw new Error('EROFS: read-only file system');
        writeFileSync(path, content);
      },
    };
  }

  it('a run log that refuses the event: nothing written', async () => {
    const before = snapshot();
    // The same store, every read as it is, except that it takes no append.
    const failing = new Proxy(store, {
      get(target, key) {
        if (key === 'append') return async () => Promise.reject(new AigovError('E_STORE', 'the run log is locked', { exitCode: 3 }));
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(promote(ws(), 'bot', opts({ store: failing }))).rejects.toMatchObject({ code: 'E_STORE' });
    await expectNothingWritten(before);
  });

  it('an automation file that cannot be staged: nothing appended, nothing written', async () => {
    const before = snapshot();
    await expect(promote(ws(), 'bot', opts({ io: io({ stage: 'bot.yaml' }) }))).rejects.toThrow(/no space left/);
    await expectNothingWritten(before);
  });

  it('a lock that cannot be written after the append: both files as they were, and the message names the event that is not in effect', async () => {
    const before = snapshot();
    const err = (await promote(ws(), 'bot', opts({ io: io({ stage: 'aigov.lock' }) })).catch((e: unknown) => e)) as AigovError;
    const [event] = await tierChanges();
    expect(err).toMatchObject({ code: 'E_TIER_CHANGE_INCOMPLETE', exitCode: 3 });
    expect(err.message).toBe(
      `the run log holds tier_changed #${event.seq} (${event.hash}) for "bot" (tier 1 -> 2), but writing aigov.lock failed: no space left on device, writing aigov.lock; automations/bot.yaml and aigov.lock are as they were, so the change is not in effect: no lock entry refers to that event`,
    );
    expect(snapshot()).toEqual(before);
    // The tier runs get is unchanged, and promoting again works, its event the one the lock names.
    const again = await promote(ws(), 'bot', opts());
    expect(again.promoted).toBe(true);
    expect(ws().lock!.value.automations!.bot.event).toBe((await tierChanges())[1].hash);
  });

  it('an automation file that cannot be renamed into place: both files as they were', async () => {
    const before = snapshot();
    await expect(promote(ws(), 'bot', opts({ io: io({ commit: 'bot.yaml' }) }))).rejects.toMatchObject({ code: 'E_TIER_CHANGE_INCOMPLETE', message: expect.stringContaining('writing automations/bot.yaml failed') });
    expect(snapshot()).toEqual(before);
  });

  it('a lock that cannot be renamed after the automation file was: the automation file is put back', async () => {
    const before = snapshot();
    await expect(promote(ws(), 'bot', opts({ io: io({ commit: 'aigov.lock' }) }))).rejects.toMatchObject({ code: 'E_TIER_CHANGE_INCOMPLETE', message: expect.stringContaining('are as they were') });
    expect(snapshot()).toEqual(before);
  });

  it('and when putting it back fails too, says what each file holds and what runs get', async () => {
    const err = (await promote(ws(), 'bot', opts({ io: io({ commit: 'aigov.lock', restore: true }) })).catch((e: unknown) => e)) as AigovError;
    expect(err.message).toMatch(/restoring automations\/bot\.yaml failed too \(EROFS: read-only file system\): it says tier 2 while aigov\.lock still says 1, so runs get tier 1; set tier: 1 back/);
    expect(file()).toBe(AUTOMATION(2));
  });

  it('a tier change logged by someone else while this one was made: this one writes no file (E_CHANGED_MEANWHILE)', async () => {
    const before = snapshot();
    // Another machine, sharing the run log, logs its change just before this one appends.
    const racing: TierChangeIo = {
      stage(path, content) {
        const staged = stageFile(path, content);
        if (path.endsWith('bot.yaml')) void store.append([{ type: 'tier_changed', automation: 'bot', actor: 'sam', data: { from: 1, to: 2, reason: null, by: 'sam@example.com' } }]);
        return staged;
      },
      restore: () => {},
    };
    const err = (await promote(ws(), 'bot', opts({ io: racing })).catch((e: unknown) => e)) as AigovError;
    const events = await tierChanges();
    expect(events.map((e) => e.data.by)).toEqual(['sam@example.com', 'jane@example.com']);
    expect(err).toMatchObject({ code: 'E_CHANGED_MEANWHILE', exitCode: 1 });
    expect(err.message).toContain(`(#${events[0].seq}, by sam@example.com); this one, tier_changed #${events[1].seq} (${events[1].hash}), is not in effect`);
    expect(snapshot()).toEqual(before);
  });

  it('two promotions at once: at most one takes effect, and the lock names its event', async () => {
    const other = await openStore('sqlite:.aigov/runs.db', w.root);
    try {
      const results = await Promise.allSettled([promote(ws(), 'bot', opts()), promote(ws(), 'bot', opts({ store: other, decider: async () => ({ name: 'sam@example.com', identity: IDENTITY }) }))]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length).toBeLessThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as AigovError).code).toBe('E_CHANGED_MEANWHILE');
      const entry = ws().lock!.value.automations!.bot;
      if (won.length) {
        const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof promote>>>).value;
        expect(entry).toMatchObject({ tier: 2, event: winner.event!.hash });
        expect(file()).toBe(AUTOMATION(2));
      } else {
        expect(entry).toMatchObject({ tier: 1, event: null });
        expect(file()).toBe(AUTOMATION(1));
      }
    } finally {
      await other.close();
    }
  });

  it('a file saved while the gates were read: nothing appended, nothing written (E_CHANGED_MEANWHILE)', async () => {
    const read = ws();
    w.write('automations/bot.yaml', AUTOMATION(1).replace('Files invoices.', 'Files invoices, and more.'));
    const before = snapshot();
    await expect(promote(read, 'bot', opts())).rejects.toMatchObject({ code: 'E_CHANGED_MEANWHILE', exitCode: 1 });
    await expectNothingWritten(before);
    const lockRead = ws();
    w.write('aigov.lock', `${lockText()}\n`);
    await expect(promote(lockRead, 'bot', opts())).rejects.toMatchObject({ code: 'E_CHANGED_MEANWHILE', message: expect.stringContaining('aigov.lock changed') });
  });

  it('a tier written as an alias becomes the number; the anchor and everything else stay', async () => {
    const text = AUTOMATION(1).replace('tier: 1   # raised only by aigov promote\n', '').replace('promotion: { minRuns: 10 }', 'promotion: { minRuns: &one 1 }\ntier: *one');
    w.write('automations/bot.yaml', text);
    const read = ws();
    expect(read.automations.get('bot')!.value.tier).toBe(1);
    expect((await promote(read, 'bot', opts())).promoted).toBe(true);
    expect(file()).toBe(text.replace('tier: *one', 'tier: 2'));
  });
});

describe('demote', () => {
  beforeEach(() => {
    w.write('aigov.lock', serializeLock(lock({ automations: { bot: { tier: 3, since: SINCE, by: 'ops', event: null } } })));
    w.write('automations/bot.yaml', AUTOMATION(3));
  });

  it('is always allowed with a reason, and recorded like a promotion, with the gates of the tier it leaves', async () => {
    await runs(3, minutes(SINCE, 10), () => 'overridden', 3);
    const r = await demote(ws(), 'bot', opts({ reason: 'overrides piling up' }));
    expect(r).toMatchObject({ from: 3, to: 2, written: ['automations/bot.yaml', 'aigov.lock'] });
    expect(file()).toBe(AUTOMATION(2));
    const [event] = await tierChanges();
    expect(event.data).toMatchObject({ from: 3, to: 2, reason: 'overrides piling up', by: 'jane@example.com', identity: IDENTITY, forced: false });
    // The gates of tier 3 as they stood: failing ones too, and none stopped it.
    expect((event.data.evidence as { name: string; pass: boolean }[]).filter((g) => !g.pass).map((g) => g.name)).toEqual(['evals', 'runs', 'overrideRate', 'lowConfidenceRate']);
    expect(ws().lock!.value.automations!.bot).toEqual({ tier: 2, since: '2026-11-20T12:00:00Z', by: 'jane@example.com', event: event.hash });
  });

  it('--to goes down more than one tier at once', async () => {
    const r = await demote(ws(), 'bot', opts({ reason: 'stop it', to: 1 }));
    expect(r).toMatchObject({ from: 3, to: 1 });
    expect(file()).toBe(AUTOMATION(1));
  });

  it.each<[string, Partial<PromoteOptions>, RegExp]>([
    ['no reason', {}, /demote needs --reason/],
    ['a blank reason', { reason: ' ' }, /demote needs --reason/],
    ['a tier above', { reason: 'x', to: 3 }, /demoting goes down/],
  ])('refuses %s (exit 2), writing nothing', async (_name, over, message) => {
    await expect(demote(ws(), 'bot', opts(over))).rejects.toThrow(message);
    expect(await tierChanges()).toEqual([]);
  });

  it('refuses at tier 1, the lowest', async () => {
    w.write('automations/bot.yaml', AUTOMATION(1));
    await expect(demote(ws(), 'bot', opts({ reason: 'x' }))).rejects.toThrow(/at tier 1 already/);
  });

  it('starts from the tier runs get: a file lowered by hand is where it starts', async () => {
    w.write('automations/bot.yaml', AUTOMATION(2));
    const r = await demote(ws(), 'bot', opts({ reason: 'x' }));
    expect(r).toMatchObject({ from: 2, to: 1 });
  });
});
