// A promotion end to end, as people do it: 200 production runs through the
// built library (dist/) against a model server, reviewed, overridden and some
// failed; then the binary: a refusal naming the failing gate, `--dry-run`, the
// promotion (the file keeps its comments, the event holds every gate, the lock
// names the event), `docs --check`, `pin --check` catching a tier raised by
// hand, and `demote`. On SQLite and on PostgreSQL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveReview } from '../../src/app/review.js';
import type { Store } from '../../src/store/types.js';
import { aigov } from '../support/cli.js';
import { storeUrlOf } from '../support/governed.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { storeBackends, type Opened } from '../support/stores.js';
import { classifierFiles, promptYaml, tempWorkspace } from '../support/workspace.js';

const LIBRARY = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;
const KEY = 'sk-test';
const IDENTITY = { osUser: 'ann', host: 'desk-2', gitEmail: 'ann@example.com' };

const BOT = `# The invoice bot: books supplier invoices into the ERP.
id: bot
name: Invoice bot
owner: jane@example.com
tier: 1        # 1 inform only | 2 act, notify | 3 autonomous; raised only by aigov promote
prompt: inv
evals: [inv]
downstream: [erp]
confidence: { threshold: 0.8 }    # below it, a run goes to review
reversal: { window: 24h, command: [node, undo.mjs] }
notify: { command: [node, tell.mjs] }   # finance hears of every booking
review: { cadence: weekly }
governance:
  purpose: Books supplier invoices under an expense category.
  data: Invoice text; no personal data.
  decisions:
    autonomous: Nothing at tier 1; at tier 2 it books what it is sure of.
    humanReview: Everything under 80% confidence.
  testing: The inv suite gates every change.
  monitoring: Error, override and low-confidence rates, weekly.
  overrideProcess: Override in review, or aigov revert within 24 hours.
  limitations: One category per invoice.
`;

// The runs: every 67th fails at the provider (3 of 200), every 10th is unsure
// (20 go to review), and the rest are sure. Reviewers override 4 and reject 1
// (5 corrected of 197 finished), leave 3 waiting and approve the others.
const FAILS = (i: number) => i % 67 === 0;
const UNSURE = (i: number) => i % 10 === 5;
const OVERRIDDEN = new Set([11, 42, 73, 104]);
const REJECTED = 135;
const WAITING = new Set([197, 198, 199]);

const answer = (req: { messages: { content: string }[] }) => {
  const text = /Invoice: (\S+)/.exec(req.messages.at(-1)!.content)?.[1] ?? '';
  const label = text === 'flight' ? 'travel' : 'utilities';
  return { text: label, logprobs: [{ token: label, logprob: Math.log(text.startsWith('unsure') ? 0.5 : 0.97) }] };
};

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ answer });
});
afterAll(() => server.close());

describe.each(storeBackends('promote'))('a promotion end to end: $name', (backend) => {
  let opened: Opened;
  let w: ReturnType<typeof tempWorkspace>;
  let store: Store;
  const cli = (...args: string[]) => aigov(args, { cwd: w.root, env: { TEST_OPENAI_KEY: KEY, AIGOV_ACTOR: 'ops@example.com' } });
  const bot = () => readFileSync(join(w.root, 'automations/bot.yaml'), 'utf8');
  const lock = () => readFileSync(join(w.root, 'aigov.lock'), 'utf8');
  const json = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    opened = await backend.open();
    store = opened.store;
    const files = classifierFiles({ baseURL: server.openaiBaseURL });
    w = tempWorkspace({
      ...files,
      'aigov.yaml': `${files['aigov.yaml']}store: ${JSON.stringify(storeUrlOf(opened))}\n`,
      'prompts/inv.yaml': promptYaml('inv', { output: '{ type: text, confidence: logprobs }' }),
      'automations/bot.yaml': BOT,
    });
    const pin = await cli('pin');
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    const docs = await cli('docs');
    if (docs.exitCode !== 0) throw new Error(`docs failed: ${docs.stderr}`);

    // 200 production runs through the built library.
    const { openGovernor } = (await import(LIBRARY)) as typeof import('../../src/index.js');
    const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: KEY }, actor: 'invoice-worker', onWarning: () => undefined });
    const finished: string[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        if (FAILS(i)) {
          server.fail('400');
          await expect(gov.run('bot', { text: `sure-${i}` })).rejects.toMatchObject({ code: 'E_PROVIDER_BAD_REQUEST' });
          finished.push('');
          continue;
        }
        const run = await gov.run('bot', { text: UNSURE(i) ? `unsure-${i}` : `sure-${i}` });
        expect(run.disposition).toBe(UNSURE(i) ? 'review' : 'approval_required');
        finished.push(run.id);
      }
    } finally {
      await gov.close();
    }
    // The review queue, worked through: two decisions through the binary, the rest as the review command makes them.
    for (const [i, runId] of finished.entries()) {
      if (!runId || WAITING.has(i) || i === 11 || i === REJECTED) continue;
      const decision = OVERRIDDEN.has(i) ? 'override' : 'approve';
      await resolveReview(store, runId, { decision, reviewer: 'ann@example.com', identity: IDENTITY, reason: decision === 'override' ? 'wrong category' : undefined, output: decision === 'override' ? 'software' : undefined, now: new Date() });
    }
    expect((await cli('review', 'override', finished[11], '--output', 'software', '--reason', 'a licence, not power', '--as', 'ann@example.com')).exitCode).toBe(0);
    expect((await cli('review', 'reject', finished[REJECTED], '--reason', 'not an invoice', '--as', 'ann@example.com')).exitCode).toBe(0);
  }, 180_000);

  afterAll(async () => {
    w?.cleanup();
    await opened?.cleanup();
  });

  it('refuses without eval evidence, naming the gate, and writes nothing', async () => {
    const before = { bot: bot(), lock: lock() };
    const r = await cli('promote', 'bot');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('refused bot stays at tier 1: 1 gate failed: evals; nothing written');
    expect(r.stdout).toMatch(/│ evals\s+│ every suite in evals[^│]*│ inv: no eval at the current prompt and[^│]*│ FAIL │/);
    expect({ bot: bot(), lock: lock() }).toEqual(before);
    expect(await store.query({ types: ['tier_changed'] })).toEqual([]);
  });

  it('--dry-run after an eval run through the library: every gate, as JSON, passing; nothing written', async () => {
    // A library caller's eval is evidence too: evalGate records it, as `aigov eval` does.
    const { evalGate, openWorkspace } = (await import(LIBRARY)) as typeof import('../../src/index.js');
    const evidence = await evalGate(openWorkspace({ root: w.root }), { env: { TEST_OPENAI_KEY: KEY }, evidence: { actor: 'ci@example.com' } });
    expect(evidence.recordError).toBeUndefined();
    expect(evidence.recorded.map((e) => [e.type, e.actor, e.data.passed])).toEqual([['eval_completed', 'ci@example.com', true]]);
    const before = { bot: bot(), lock: lock() };
    const r = await cli('promote', 'bot', '--dry-run', '--json');
    expect(r.exitCode).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ automation: 'bot', from: 1, to: 2, promoted: false, dryRun: true, forced: false, event: null });
    expect(out.gates.map((g: { name: string; pass: boolean }) => [g.name, g.pass])).toEqual([
      ['governance', true],
      ['lock', true],
      ['evals', true],
      ['runs', true],
      ['errorRate', true],
      ['overrideRate', true],
      ['lowConfidenceRate', true],
      ['reviewBacklog', true],
      ['reversal', true],
      ['notify', true],
    ]);
    const byName = Object.fromEntries(out.gates.map((g: { name: string }) => [g.name, g]));
    expect(byName.runs).toEqual({ name: 'runs', required: 100, actual: 197, pass: true });
    expect(byName.errorRate).toEqual({ name: 'errorRate', required: 0.02, actual: 3 / 200, pass: true });
    expect(byName.overrideRate).toEqual({ name: 'overrideRate', required: 0.05, actual: 5 / 197, pass: true });
    expect(byName.lowConfidenceRate).toEqual({ name: 'lowConfidenceRate', required: 0.2, actual: 20 / 197, pass: true });
    expect(byName.reviewBacklog).toMatchObject({ required: 7, pass: true });
    expect(byName.reviewBacklog.actual).toBeGreaterThan(0);
    expect({ bot: bot(), lock: lock() }).toEqual(before);
  });

  it('promotes: tier: rewritten with every comment kept, tier_changed with every gate, the lock naming the event', async () => {
    const r = await cli('promote', 'bot', '--reason', 'a clean month of tier-1 runs', '--as', 'jane@example.com');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^promoted bot to tier 2: logged tier_changed #\d+; wrote automations\/bot\.yaml and aigov\.lock$/m);
    expect(bot()).toBe(BOT.replace('tier: 1        #', 'tier: 2        #'));
    const [event] = await store.query({ types: ['tier_changed'] });
    expect(event).toMatchObject({ automation: 'bot', actor: 'jane@example.com' });
    expect(event.data).toMatchObject({ from: 1, to: 2, reason: 'a clean month of tier-1 runs', by: 'jane@example.com', forced: false });
    expect(event.data.identity).toMatchObject({ host: expect.any(String) });
    expect((event.data.evidence as { name: string; pass: boolean }[]).map((g) => g.name)).toHaveLength(10);
    expect(lock()).toContain(`  bot:\n    tier: 2\n    since: ${event.at.replace(/\.000Z$/, 'Z')}\n    by: jane@example.com\n    event: ${event.hash}\n`);
    expect((await cli('pin', '--check')).exitCode).toBe(0);
    expect(json(await cli('log', 'verify', '--json'))).toMatchObject({ ok: true });
    // Promoted once: the next step needs evidence at tier 2, which there is none of yet.
    const next = await cli('promote', 'bot', '--dry-run', '--json');
    expect(next.exitCode).toBe(1);
    expect(json(next).gates.find((g: { name: string }) => g.name === 'runs')).toMatchObject({ actual: 0, pass: false });
  });

  it('docs --check fails after the promotion and passes after `aigov docs`', async () => {
    const stale = await cli('docs', '--check', '--json');
    expect(stale.exitCode).toBe(1);
    expect(json(stale).pages).toContainEqual({ path: 'docs/automations/bot.md', status: 'stale', automation: 'bot' });
    expect((await cli('docs')).exitCode).toBe(0);
    expect((await cli('docs', '--check')).exitCode).toBe(0);
    expect(readFileSync(join(w.root, 'docs/automations/bot.md'), 'utf8')).toContain('jane@example.com');
  });

  it('pin --check catches a tier raised by hand (exit 1); validate only warns; runs keep the ledger’s tier', async () => {
    const promoted = bot();
    writeFileSync(join(w.root, 'automations/bot.yaml'), promoted.replace('tier: 2 ', 'tier: 3 '));
    try {
      const check = await cli('pin', '--check');
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toContain('drift automations/bot.yaml: automation "bot" says tier 3 but aigov.lock records tier 2');
      const validate = await cli('validate');
      expect(validate.exitCode).toBe(0);
      expect(validate.stderr + validate.stdout).toContain('says tier 3 but aigov.lock records tier 2');
      const { openGovernor } = (await import(LIBRARY)) as typeof import('../../src/index.js');
      const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: KEY }, onWarning: () => undefined });
      try {
        expect((await gov.run('bot', { text: 'sure-x' })).tier).toBe(2);
      } finally {
        await gov.close();
      }
    } finally {
      writeFileSync(join(w.root, 'automations/bot.yaml'), promoted);
    }
  });

  it('demote needs a reason, and is recorded the same way', async () => {
    const none = await cli('demote', 'bot');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('demote needs --reason');
    const r = await cli('demote', 'bot', '--reason', 'an override rate rising', '--as', 'sam@example.com', '--json');
    expect(r.exitCode).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ automation: 'bot', from: 2, to: 1, demoted: true, reason: 'an override rate rising' });
    expect(bot()).toBe(BOT);
    const events = await store.query({ types: ['tier_changed'], order: 'asc' });
    expect(events.map((e) => [e.data.from, e.data.to, e.data.by])).toEqual([
      [1, 2, 'jane@example.com'],
      [2, 1, 'sam@example.com'],
    ]);
    expect(out.event).toEqual({ seq: events[1].seq, hash: events[1].hash });
    expect(lock()).toContain(`  bot:\n    tier: 1\n    since: ${events[1].at.replace(/\.000Z$/, 'Z')}\n    by: sam@example.com\n    event: ${events[1].hash}\n`);
    expect((await cli('pin', '--check')).exitCode).toBe(0);
  });

  it('usage errors exit 2: a skipped tier without --force, --force without a reason, a tier that is none', async () => {
    const skip = await cli('promote', 'bot', '--to', '3');
    expect(skip.exitCode).toBe(2);
    expect(skip.stderr).toContain('promotion goes one tier at a time, to 2');
    expect((await cli('promote', 'bot', '--to', '3', '--force')).exitCode).toBe(2);
    expect((await cli('promote', 'bot', '--to', '4')).exitCode).toBe(2);
    expect((await cli('promote', 'nobot')).stderr).toContain('unknown automation "nobot"');
  });
});
