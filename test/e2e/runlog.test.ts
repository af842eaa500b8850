// The human side of the run log through the built binary: runs, review, revert,
// trace, log verify/seal. Runs are made by the library against a real model
// server, in a workspace pinned by `aigov pin`, as production would make them.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGovernor, type Governor, type Run } from '../../src/app/governor.js';
import type { LoggedEvent } from '../../src/core/log/events.js';
import { aigov } from '../support/cli.js';
import { grantTiers } from '../support/ledger.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { automationYaml, configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

const auto = (id: string, tier: number, extra: string): string => automationYaml(id, tier, 'cls', extra);

function files(baseURL: string): Record<string, string> {
  return {
    'aigov.yaml': configYaml(baseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }' }),
    'automations/book.yaml': auto('book', 2, 'downstream: [erp]\nconfidence: { threshold: 0.8 }\nreversal: { window: 1h, command: [node, scripts/unbook.mjs] }\n'),
    'automations/quick.yaml': auto('quick', 2, 'downstream: [erp]\nreversal: { window: 1ms, command: [node, scripts/unbook.mjs] }\n'),
    'automations/advise.yaml': auto('advise', 1, 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
    'automations/auto.yaml': auto('auto', 3, 'downstream: [erp, crm]\nconfidence: { threshold: 0.8 }\n'),
    'scripts/unbook.mjs': `let s = '';
for await (const c of process.stdin) s += c;
const run = JSON.parse(s);
if (run.reason.includes('erp down')) { console.error('ERP refused: period closed'); process.exit(4); }
if (run.reason.includes('hostile')) {
  const said = 'unbooked\\x1b[2J\\x1b]0;pwned\\x07\\r \\u202Eevil';
  if (run.reason.includes('fails')) { console.error(said); process.exit(4); }
  console.log(said);
  process.exit(0);
}
console.log('unbooked ' + run.impacts.map((i) => i.ref).join(',') + ' of ' + run.runId + ' for ' + run.by);
`,
  };
}

let server: ModelServer;
let lock: string;
const cleanups: (() => void)[] = [];
const governors: Governor[] = [];

beforeAll(async () => {
  server = await startModelServer({
    aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' },
    answer: (req) => {
      const p = /Invoice: (sure|unsure)/.exec(req.messages.at(-1)!.content)?.[1] === 'unsure' ? 0.5 : 0.95;
      return { text: p > 0.8 ? 'utilities' : 'travel', logprobs: [{ token: 'x', logprob: Math.log(p) }] };
    },
  });
});
afterAll(async () => {
  for (const g of governors) await g.close();
  cleanups.forEach((c) => c());
  await server.close();
});

/** A fresh workspace, pinned by the binary (once: every workspace here has the same files), and a governor over its run log. */
async function workspace(): Promise<{ root: string; gov: Governor; cli: (...args: string[]) => ReturnType<typeof aigov> }> {
  const w = tempWorkspace(files(server.openaiBaseURL));
  cleanups.push(w.cleanup);
  if (lock === undefined) {
    const pin = await aigov(['pin', '--as', 'ops@example.com'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    // pin enters each automation at tier 1; promotion (not tested here) would have raised them.
    lock = grantTiers(readFileSync(join(w.root, 'aigov.lock'), 'utf8'), { book: 2, quick: 2, auto: 3 });
    w.write('aigov.lock', lock);
  } else {
    w.write('aigov.lock', lock);
  }
  const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: 'sk-test' }, onWarning: () => undefined });
  governors.push(gov);
  return { root: w.root, gov, cli: (...args) => aigov(args, { cwd: w.root }) };
}

const json = <T>(text: string): T => JSON.parse(text) as T;

describe('aigov runs', () => {
  let w: Awaited<ReturnType<typeof workspace>>;
  let runs: Run[];

  beforeAll(async () => {
    w = await workspace();
    runs = [];
    for (const [automation, text] of [['book', 'sure'], ['book', 'unsure'], ['advise', 'sure'], ['auto', 'sure']] as const) runs.push(await w.gov.run(automation, { text }, { triggeredBy: 'e2e' }));
    await w.gov.act(runs[0], () => undefined, { impacts: [{ system: 'erp', ref: 'INV-1' }] });
  });

  it('lists runs newest first in a table', async () => {
    const r = await w.cli('runs');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => runs.some((x) => l.includes(x.id)));
    expect(lines.map((l) => runs.find((x) => l.includes(x.id))!.automation)).toEqual(['auto', 'advise', 'book', 'book']);
    expect(lines[1]).toContain('approval_required');
    expect(lines[3]).toMatch(/auto, acted\s.*v1\s.*openai:gpt-4o-mini-2024-07-18\s.*0\.95/);
  });

  it('--json lists every match, and filters', async () => {
    const [all, review, limited, booked] = await Promise.all([
      w.cli('runs', '--json'),
      w.cli('--json', 'runs', '--disposition', 'review', '--since', '2999-01-01'),
      w.cli('runs', '--json', '--automation', 'book', '--limit', '1'),
      w.cli('runs', '--json', '--automation', 'book', '--disposition', 'auto', '--since', '2000-01-01'),
    ]);
    type Row = { runId: string; disposition: string; impacts: string[] };
    expect(json<Row[]>(all.stdout).map((r) => r.runId)).toEqual(runs.map((r) => r.id).reverse());
    expect(json<Row[]>(review.stdout)).toEqual([]);
    expect(json<Row[]>(limited.stdout).map((r) => r.runId)).toEqual([runs[1].id]);
    expect(json<Row[]>(booked.stdout).map((r) => [r.runId, r.disposition, r.impacts])).toEqual([[runs[0].id, 'auto', ['erp:INV-1']]]);
  });

  it('refuses bad flags and an unknown run with exit 2, without a stack', async () => {
    const cases: [string[], RegExp][] = [
      [['runs', '--disposition', 'maybe'], /unknown disposition "maybe"/],
      [['runs', 'show', 'no-such-run'], /no run no-such-run/],
    ];
    const results = await Promise.all(cases.map(([args]) => w.cli(...args)));
    results.forEach((r, i) => {
      expect(r.exitCode, cases[i][0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('runs show prints every event of a run in order', async () => {
    const [r, j] = await Promise.all([w.cli('runs', 'show', runs[0].id), w.cli('runs', 'show', runs[0].id, '--json')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`run ${runs[0].id} (book): auto, acted`);
    expect([...r.stdout.matchAll(/^#\d+ \S+ (\w+)/gm)].map((m) => m[1])).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken']);
    const events = json<LoggedEvent[]>(j.stdout);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken']);
    expect(events[3].data).toMatchObject({ impacts: [{ system: 'erp', ref: 'INV-1' }], reversibleUntil: expect.any(String) });
  });
});

describe('aigov review', () => {
  it('lists the queue, records approve / override / reject as events, and refuses a second decision', async () => {
    const w = await workspace();
    const low = await w.gov.run('book', { text: 'unsure' });
    const tier1 = await w.gov.run('advise', { text: 'sure' });
    const rejectMe = await w.gov.run('auto', { text: 'unsure' });
    await w.gov.run('auto', { text: 'sure' });

    const [list, table, noReason, rejectNoReason] = await Promise.all([
      w.cli('review', 'list', '--json'),
      w.cli('review', 'list', '--automation', 'advise'),
      w.cli('review', 'override', low.id, '--output', 'utilities', '--as', 'ann@example.com'),
      w.cli('review', 'reject', rejectMe.id, '--as', 'ann@example.com'),
    ]);
    expect(list.exitCode).toBe(0);
    expect(json<{ runId: string; awaiting: string; output: string }[]>(list.stdout).map((r) => [r.runId, r.awaiting, r.output])).toEqual([
      [low.id, 'review', 'travel'],
      [tier1.id, 'approval', 'utilities'],
      [rejectMe.id, 'review', 'travel'],
    ]);
    expect(table.stdout).toContain(tier1.id);
    expect(table.stdout).not.toContain(low.id);
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('a reason is required to override');
    expect(rejectNoReason.exitCode).toBe(2);
    expect(rejectNoReason.stderr).toContain('a reason is required to reject');

    const corrected = join(w.root, 'corrected.txt');
    writeFileSync(corrected, 'utilities');
    const override = await w.cli('review', 'override', low.id, '--reason', 'power bill', '--output-file', corrected, '--as', 'ann@example.com');
    expect(override.exitCode).toBe(0);
    expect(override.stderr).toContain(`${low.id}: overridden by ann@example.com`);
    const approve = await w.cli('review', 'approve', tier1.id, '--as', 'bob@example.com', '--json');
    expect(json(approve.stdout)).toEqual({ runId: tier1.id, decision: 'approve', reviewer: 'bob@example.com', audit: false });
    expect((await w.cli('review', 'reject', rejectMe.id, '--reason', 'not an invoice', '--as', 'ann@example.com')).exitCode).toBe(0);

    const [again, empty] = await Promise.all([w.cli('review', 'approve', low.id, '--as', 'bob@example.com'), w.cli('review', 'list')]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already resolved (override by ann@example.com)');
    expect(empty.stdout.trim()).toBe('the review queue is empty');

    const decisions = await w.gov.runs.query({ types: ['review_resolved'], order: 'asc' });
    // --as is a claim; what the machine says is recorded beside it.
    const identity = { osUser: userInfo().username, host: hostname(), gitEmail: expect.toSatisfy((v) => v === null || typeof v === 'string') };
    expect(decisions.map((e) => [e.runId, e.actor, e.data])).toEqual([
      [low.id, 'ann@example.com', { decision: 'override', reviewer: 'ann@example.com', reason: 'power bill', output: 'utilities', identity }],
      [tier1.id, 'bob@example.com', { decision: 'approve', reviewer: 'bob@example.com', reason: null, identity }],
      [rejectMe.id, 'ann@example.com', { decision: 'reject', reviewer: 'ann@example.com', reason: 'not an invoice', identity }],
    ]);
    // The library now acts on the corrected output and the approved run, and still refuses the rejected one.
    expect(await w.gov.act(low, (o) => o, { impacts: [{ system: 'erp', ref: 'INV-9' }] })).toBe('utilities');
    await expect(w.gov.act(tier1, (o) => o, { impacts: [{ system: 'erp' }] })).resolves.toBe('utilities');
    await expect(w.gov.act(rejectMe, (o) => o, { impacts: [{ system: 'erp' }] })).rejects.toMatchObject({ code: 'E_REJECTED' });
  });
});

describe('aigov revert', () => {
  let w: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    w = await workspace();
  });

  async function acted(automation: string, ref: string): Promise<Run> {
    const run = await w.gov.run(automation, { text: 'sure' });
    if (automation === 'advise') await w.cli('review', 'approve', run.id, '--as', 'ops@example.com');
    await w.gov.act(run, () => undefined, { impacts: [{ system: 'erp', ref }] });
    return run;
  }

  it('reverses a tier-2 action inside its window and records the result', async () => {
    const run = await acted('book', 'INV-21');
    const r = await w.cli('revert', run.id, '--reason', 'wrong supplier', '--as', 'ann@example.com');
    expect(r.stderr).toContain(`${run.id}: reverted`);
    expect(r.stderr).toContain(`unbooked INV-21 of ${run.id} for ann@example.com`);
    expect(r.exitCode).toBe(0);
    const last = (await w.gov.runs.query({ runId: run.id, order: 'desc', limit: 1 }))[0];
    expect(last).toMatchObject({ type: 'action_reverted', actor: 'ann@example.com', data: { by: 'ann@example.com', reason: 'wrong supplier', identity: { osUser: userInfo().username }, result: { ok: true, exitCode: 0 } } });
    const again = await w.cli('revert', run.id, '--reason', 'twice', '--as', 'ann@example.com');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already reverted');
  });

  it('refuses outside the window with exit 1, naming when the window closed', async () => {
    const run = await acted('quick', 'INV-22');
    await new Promise((r) => setTimeout(r, 20));
    const action = (await w.gov.runs.query({ runId: run.id, types: ['action_taken'] }))[0];
    const r = await w.cli('revert', run.id, '--reason', 'too late', '--as', 'ann@example.com');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`closed at ${action.data.reversibleUntil as string}`);
    expect(r.stderr).toContain('hint:');
  });

  it('refuses a run that was not a tier-2 action (exit 1), and a revert without a reason (exit 2)', async () => {
    const run = await acted('auto', 'INV-23');
    const r = await w.cli('revert', run.id, '--reason', 'no', '--as', 'ann@example.com');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not a reversible (tier-2) action');
    expect((await w.cli('revert', run.id)).exitCode).toBe(2);
  });

  it('records a failing reversal command and exits 3', async () => {
    const run = await acted('book', 'INV-24');
    const r = await w.cli('revert', run.id, '--reason', 'erp down test', '--as', 'ann@example.com');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('ERP refused: period closed');
    const last = (await w.gov.runs.query({ runId: run.id, order: 'desc', limit: 1 }))[0];
    expect(last).toMatchObject({ type: 'action_reverted', data: { result: { ok: false, exitCode: 4 } } });
  });
});

describe('aigov revert: the reversal command’s output is untrusted', () => {
  // What a terminal acts on: C0 but \t and \n, DEL, C1, bidi overrides and isolates.
  // eslint-disable-next-line no-control-regex
  const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
  it.each([
    ['what it prints on success', 'hostile', 0],
    ['what it says when it fails', 'hostile, fails', 3],
  ])('%s is shown with its controls as visible stand-ins', async (_n, reason, exitCode) => {
    const w = await workspace();
    const run = await w.gov.run('book', { text: 'sure' });
    await w.gov.act(run, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-31' }] });
    const r = await w.cli('revert', run.id, '--reason', reason, '--as', 'ann@example.com');
    expect(r.exitCode).toBe(exitCode);
    expect(r.stderr).toContain('unbooked␛[2J␛]0;pwned␇␍ ⟨U+202E⟩evil');
    expect(r.stderr).not.toMatch(UNSAFE);
  });
});

describe('aigov review override --output-file', () => {
  it.each<[string, (root: string) => string[], RegExp, number]>([
    ['a file that is not there', () => ['--output-file', 'missing.txt'], /^error E_FILE_UNREADABLE: --output-file missing.txt: does not exist/m, 2],
    ['a folder', (root) => (mkdirSync(join(root, 'corrections')), ['--output-file', 'corrections']), /^error E_FILE_UNREADABLE: --output-file corrections: is a folder, not a file/m, 2],
    ['given beside --output', (root) => (writeFileSync(join(root, 'fixed.txt'), 'utilities'), ['--output-file', 'fixed.txt', '--output', 'travel']), /^error E_USAGE: --output and --output-file do not go together/m, 2],
  ])('%s: exit 2 naming the flag and the path, and the run stays in review', async (_n, args, message, exitCode) => {
    const w = await workspace();
    const low = await w.gov.run('book', { text: 'unsure' });
    const r = await w.cli('review', 'override', low.id, '--reason', 'power bill', ...args(w.root), '--as', 'ann@example.com');
    expect(r.exitCode).toBe(exitCode);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/a file:|internal error|\n\s+at /);
    const pending = json<{ runId: string }[]>((await w.cli('review', 'list', '--json')).stdout);
    expect(pending.map((p) => p.runId)).toContain(low.id);
  });
});

describe('aigov trace', () => {
  it('lists the runs that touched a system or record, newest first, with prompt version, model and disposition', async () => {
    const w = await workspace();
    const first = await w.gov.run('auto', { text: 'sure' });
    const second = await w.gov.run('book', { text: 'sure' });
    await w.gov.act(first, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-31', action: 'book' }, { system: 'crm', ref: 'C-1' }] });
    await w.gov.act(second, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-32' }] });
    await w.gov.tag(first.id, { system: 'erp', ref: 'INV-32', action: 'credit note' });

    const [all, one, none] = await Promise.all([
      w.cli('trace', '--system', 'erp', '--json'),
      w.cli('trace', '--system', 'erp', '--ref', 'INV-31'),
      w.cli('trace', '--system', 'billing'),
    ]);
    const rows = json<{ runId: string; ref: string; action: string; promptVersion: number; model: string; disposition: string }[]>(all.stdout);
    expect(rows.map((r) => [r.runId, r.ref, r.action, r.promptVersion, r.model, r.disposition])).toEqual([
      [first.id, 'INV-32', 'credit note', 1, 'openai:gpt-4o-mini-2024-07-18', 'auto'],
      [second.id, 'INV-32', 'act', 1, 'openai:gpt-4o-mini-2024-07-18', 'auto'],
      [first.id, 'INV-31', 'book', 1, 'openai:gpt-4o-mini-2024-07-18', 'auto'],
    ]);
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toContain(first.id);
    expect(one.stdout).not.toContain(second.id);
    expect(one.stdout).toMatch(/INV-31.*book.*v1.*openai:gpt-4o-mini-2024-07-18.*auto/);
    expect(none.stdout.trim()).toBe('no runs touched it');
  });
});

describe('aigov log', () => {
  it('verifies the chain, seals its head into aigov.seals, and catches a seal the log no longer matches', async () => {
    const w = await workspace();
    await w.gov.run('auto', { text: 'sure' });
    const head = (await w.gov.runs.query({ order: 'desc', limit: 1 }))[0];
    const verify = await w.cli('log', 'verify');
    expect(verify.exitCode).toBe(0);
    expect(verify.stderr).toMatch(new RegExp(`^ok: ${head.seq} events, head #${head.seq} ${head.hash.slice(0, 12)}…, 0 seals checked`));

    const seal = await w.cli('log', 'seal');
    expect(seal.exitCode).toBe(0);
    expect(seal.stderr).toContain(`sealed #${head.seq}`);
    const seals = readFileSync(join(w.root, 'aigov.seals'), 'utf8').split('\n').filter((l) => l.startsWith('{'));
    expect(seals).toHaveLength(1);
    expect(JSON.parse(seals[0])).toMatchObject({ seq: head.seq, hash: head.hash });

    await w.gov.run('auto', { text: 'sure' });
    const again = await w.cli('log', 'verify', '--json');
    expect(json(again.stdout)).toMatchObject({ ok: true, events: head.seq + 2, seals: { checked: 1, bad: [] } });

    appendFileSync(join(w.root, 'aigov.seals'), `${JSON.stringify({ seq: head.seq + 1, hash: 'f'.repeat(64), at: '2026-11-24T00:00:00.000Z' })}\n`);
    const broken = await w.cli('log', 'verify');
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain(`event ${head.seq + 1} has hash`);
    expect(existsSync(join(w.root, '.aigov/runs.db'))).toBe(true);
  });
});
