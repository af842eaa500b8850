// The library against a real model server (real openai SDK), a real SQLite run
// log and real notify commands, in a workspace written into a temporary folder.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type AnswerFn, type ModelServer } from '../../test/support/model-server.mjs';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import { hashOf } from '../core/canonical.js';
import type { LoggedEvent } from '../core/log/events.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { GateError, ProviderError, TierError, UsageError } from '../errors.js';
import { openGovernor, type Governor, type GovernorOptions } from './governor.js';
import { readWorkspace } from './read-workspace.js';
import { resolveReview } from './review.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';

const KEY = 'sk-test-secret-0123456789';
const MODEL = 'gpt-4o-mini-2024-07-18';
const NOW = new Date('2026-11-24T10:00:00.000Z');

const prompt = (id: string, version: number, user: string, output: string): string => promptYaml(id, { version, user, output, maxLength: 200 });
const automation = automationYaml;

const REVERSAL = 'reversal: { window: 1h, command: [node, revert.mjs] }\n';
const NOTIFY = 'notify: { command: [node, notify.mjs] }\n';

function files(baseURL: string): Record<string, string> {
  return {
    'aigov.yaml': configYaml(baseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': prompt('cls', 1, 'Invoice: {{text}}', '{ type: text, confidence: logprobs }'),
    'prompts/ext.yaml': prompt('ext', 2, 'Extract: {{text}}', '{ type: json, confidence: "field:/confidence" }'),
    'prompts/vote.yaml': prompt('vote', 1, 'Vote: {{text}}', '{ type: text, confidence: "samples:3" }'),
    'prompts/plain.yaml': prompt('plain', 1, 'Plain: {{text}}', '{ type: text, confidence: none }'),
    'automations/cls1.yaml': automation('cls1', 1, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
    'automations/cls2.yaml': automation('cls2', 2, 'cls', `downstream: [erp]\nconfidence: { threshold: 0.8 }\nlogInputs: true\n${REVERSAL}${NOTIFY}`),
    // A notify command at tier 3 must not run: only tier 2 notifies.
    'automations/cls3.yaml': automation('cls3', 3, 'cls', `downstream: [erp, crm]\nconfidence: { threshold: 0.8 }\n${NOTIFY}`),
    'automations/ext3.yaml': automation('ext3', 3, 'ext', 'downstream: [crm]\nconfidence: { threshold: 0.8 }\n'),
    'automations/vote3.yaml': automation('vote3', 3, 'vote', 'downstream: [crm]\nconfidence: { threshold: 0.5 }\n'),
    'automations/plain2.yaml': automation('plain2', 2, 'plain', `downstream: [erp]\n${REVERSAL}`),
    'notify.mjs': `import { appendFileSync } from 'node:fs';
let input = '';
for await (const c of process.stdin) input += c;
if (JSON.parse(input).impacts.some((i) => i.ref === 'FAIL')) { console.error('chat is down'); process.exit(5); }
appendFileSync('notified.jsonl', input + '\\n');
`,
  };
}

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** `aigov pin` as it would write it: every model and every prompt at its current content. */
function pin(root: string): void {
  const ws = readWorkspace(root);
  const prompts = Object.fromEntries([...ws.prompts].map(([id, p]) => [id, { version: p.value.version, sha256: promptHash(p.value) }]));
  const models = { fast: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops@example.com' } };
  write(root, 'aigov.lock', serializeLock({ lockfileVersion: 1, models, prompts }));
}

const word = (text: string, p: number) => ({ text, logprobs: [{ token: text, logprob: Math.log(p) }] });

/** Answers by the invoice text: "sure …" with probability 0.95, "unsure …" with 0.5. */
const defaultAnswer: AnswerFn = (req) => {
  const user = req.messages.at(-1)!.content;
  if (user.startsWith('Invoice: sure')) return word('utilities', 0.95);
  if (user.startsWith('Invoice: unsure')) return word('travel', 0.5);
  if (user.startsWith('Extract: high')) return JSON.stringify({ category: 'billing', confidence: 0.9 });
  if (user.startsWith('Extract: low')) return JSON.stringify({ category: 'bug', confidence: 0.3 });
  if (user.startsWith('Extract: ')) return JSON.stringify({ category: 'bug' });
  return 'other';
};

let server: ModelServer;
let root: string;
let warnings: string[];
let govs: Governor[];

beforeAll(async () => {
  server = await startModelServer({ answer: defaultAnswer });
});
afterAll(() => server.close());

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-gov-'));
  for (const [path, content] of Object.entries(files(server.openaiBaseURL))) write(root, path, content);
  pin(root);
  warnings = [];
  govs = [];
  server.requests.length = 0;
  server.setAnswer(defaultAnswer);
});
afterEach(async () => {
  for (const g of govs) await g.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(opts: Partial<GovernorOptions> = {}): Promise<Governor> {
  const gov = await openGovernor({ root, env: { TEST_OPENAI_KEY: KEY }, onWarning: (m) => warnings.push(m), now: () => NOW, actor: 'svc-invoices', ...opts });
  govs.push(gov);
  return gov;
}

const eventsOf = (gov: Governor, runId: string): Promise<LoggedEvent[]> => gov.runs.events(runId);
const allEvents = (gov: Governor): Promise<LoggedEvent[]> => gov.runs.query({ order: 'asc' });

/** The run log as a reviewer opens it: a handle of its own, not the governor's. */
async function withLog<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore('sqlite:.aigov/runs.db', root);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };
const decide = (runId: string, d: Omit<Parameters<typeof resolveReview>[2], 'identity'>) => withLog((store) => resolveReview(store, runId, { ...d, identity: IDENTITY }));
const completions = () => server.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('gov.run', () => {
  it('renders the locked prompt, calls the locked model and logs start and end', async () => {
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure ACME Power 81.20 EUR' }, { triggeredBy: 'email_ingestion' });

    const [call] = completions();
    expect(call.body).toMatchObject({ model: MODEL, temperature: 0, logprobs: true, messages: [{ role: 'system', content: 'One word.' }, { role: 'user', content: 'Invoice: sure ACME Power 81.20 EUR' }] });
    expect(call.headers.authorization).toBe(`Bearer ${KEY}`);

    // Words: "One word." and "Invoice: sure ACME Power 81.20 EUR" in, "utilities" out.
    const tokens = { input: 8, output: 1 };
    const cost = (tokens.input * 0.15 + tokens.output * 0.6) / 1_000_000;
    expect(run).toMatchObject({ automation: 'cls3', tier: 3, output: 'utilities', value: 'utilities', confidenceSource: 'logprobs', disposition: 'auto', tokens });
    expect(run.confidence).toBeCloseTo(0.95, 10);
    expect(run.costUsd).toBeCloseTo(cost, 15);
    expect(run.model).toEqual({ requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, returned: MODEL });

    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished']);
    const [started, finished] = events;
    const ws = readWorkspace(root);
    expect(started).toMatchObject({ automation: 'cls3', runId: run.id, actor: 'svc-invoices', at: NOW.toISOString() });
    expect(started.data).toEqual({
      inputFingerprint: { alg: 'sha256', value: hashOf({ text: 'sure ACME Power 81.20 EUR' }) },
      triggeredBy: 'email_ingestion',
      tier: 3,
      prompt: { id: 'cls', version: 1, sha256: promptHash(ws.prompts.get('cls')!.value) },
      model: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}` },
    });
    expect(finished.data).toMatchObject({ output: 'utilities', confidenceSource: 'logprobs', modelReturned: MODEL, tokens, disposition: 'auto' });
    expect(finished.data.confidence).toBeCloseTo(0.95, 10);
    expect(finished.data.costUsd).toBeCloseTo(cost, 15);
    expect(finished.data.systemFingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(finished.data.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(events)).not.toContain('ACME');
    expect(warnings).toEqual([]);
  });

  it('logs the raw input only where the automation sets logInputs, and never the API key', async () => {
    const gov = await open();
    const logged = await gov.run('cls2', { text: 'sure Power' });
    const hashed = await gov.run('cls1', { text: 'sure Power' });
    expect((await eventsOf(gov, logged.id))[0].data.input).toEqual({ text: 'sure Power' });
    expect((await eventsOf(gov, hashed.id))[0].data).not.toHaveProperty('input');
    expect(JSON.stringify(await allEvents(gov))).not.toContain(KEY);
  });

  it.each([
    ['logprobs, sure', 'cls3', 'sure', 0.95, 'logprobs', 'utilities', 'auto', 1],
    ['logprobs, unsure', 'cls3', 'unsure', 0.5, 'logprobs', 'travel', 'review', 1],
    ['field:/confidence, high', 'ext3', 'high', 0.9, 'field', '{"category":"billing","confidence":0.9}', 'auto', 1],
    ['field:/confidence, low', 'ext3', 'low', 0.3, 'field', '{"category":"bug","confidence":0.3}', 'review', 1],
    ['field:/confidence, absent counts as below', 'ext3', 'none', null, 'field', '{"category":"bug"}', 'review', 1],
    // No confidence is never auto, even where no threshold is set.
    ['none without a threshold', 'plain2', 'x', null, 'none', 'other', 'review', 1],
  ] as const)('confidence from %s', async (_n, automation, text, confidence, source, output, disposition, calls) => {
    const gov = await open();
    const run = await gov.run(automation, { text });
    if (confidence === null) expect(run.confidence).toBeNull();
    else expect(run.confidence).toBeCloseTo(confidence, 10);
    expect(run).toMatchObject({ confidenceSource: source, output, disposition });
    expect(completions()).toHaveLength(calls);
    const finished = (await eventsOf(gov, run.id))[1].data;
    expect(finished).toMatchObject({ confidenceSource: source, output, disposition });
  });

  it('parses a JSON prompt’s output into value', async () => {
    const gov = await open();
    const run = await gov.run('ext3', { text: 'high' });
    expect(run.value).toEqual({ category: 'billing', confidence: 0.9 });
  });

  it('samples:3 makes three calls and measures their agreement', async () => {
    let n = 0;
    server.setAnswer(() => ['yes', 'no', 'yes'][n++ % 3]);
    const gov = await open();
    const run = await gov.run('vote3', { text: 'ship it?' });
    expect(completions()).toHaveLength(3);
    expect(run.output).toBe('yes');
    expect(run.confidence).toBeCloseTo(2 / 3, 10);
    expect(run.confidenceSource).toBe('samples');
    expect(run.disposition).toBe('auto');
    // Tokens and cost cover every sample.
    expect(run.tokens.output).toBe(3);
  });

  it.each([
    ['tier 1, confident', 'cls1', 'sure', 'approval_required'],
    ['tier 1, below threshold', 'cls1', 'unsure', 'review'],
    ['tier 2, confident', 'cls2', 'sure', 'auto'],
    ['tier 2, below threshold', 'cls2', 'unsure', 'review'],
    ['tier 3, confident', 'cls3', 'sure', 'auto'],
  ] as const)('disposition: %s (%s, %s) -> %s', async (_n, automation, text, disposition) => {
    const gov = await open();
    expect((await gov.run(automation, { text })).disposition).toBe(disposition);
  });

  it.each([
    ['no lock', () => unlinkSync(join(root, 'aigov.lock')), 'E_UNLOCKED'],
    ['a lock older than the model request', () => write(root, 'aigov.yaml', readFileSync(join(root, 'aigov.yaml'), 'utf8').replace('openai:gpt-4o-mini\n', 'openai:gpt-4o\n')), 'E_UNLOCKED'],
    ['a prompt edited since the lock', () => write(root, 'prompts/cls.yaml', readFileSync(join(root, 'prompts/cls.yaml'), 'utf8').replace('One word.', 'One word, lower case.')), 'E_STALE_LOCK'],
    ['a prompt bumped but not pinned', () => write(root, 'prompts/cls.yaml', readFileSync(join(root, 'prompts/cls.yaml'), 'utf8').replace('version: 1', 'version: 2')), 'E_STALE_LOCK'],
  ])('refuses %s (GateError), calling and logging nothing', async (_n, change, code) => {
    change();
    const gov = await open();
    const err = await gov.run('cls3', { text: 'sure' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateError);
    expect(err).toMatchObject({ code, exitCode: 1 });
    expect((err as GateError).hint).toContain('aigov pin');
    expect(completions()).toHaveLength(0);
    expect(await allEvents(gov)).toEqual([]);
  });

  it.each([
    ['a missing variable', {}, /missing variable "text"/],
    ['a variable of the wrong type', { text: 42 }, /must be a string/],
    ['an unknown variable', { text: 'x', txet: 'y' }, /unknown variable "txet"/],
    ['a variable over maxLength', { text: 'x'.repeat(201) }, /maxLength is 200/],
  ])('refuses %s (UsageError) before calling or logging', async (_n, vars, message) => {
    const gov = await open();
    const err = await gov.run('cls3', vars).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect(completions()).toHaveLength(0);
    expect(await allEvents(gov)).toEqual([]);
  });

  it('refuses an unknown automation with a suggestion', async () => {
    const gov = await open();
    await expect(gov.run('cls33', { text: 'x' })).rejects.toMatchObject({ name: 'UsageError', hint: expect.stringContaining('cls3') });
  });

  it('logs run_failed and throws when the provider fails', async () => {
    const gov = await open();
    server.fail('500', 1);
    const err = await gov.run('cls3', { text: 'sure' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'server', exitCode: 3 });
    const events = await allEvents(gov);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_failed']);
    expect(events[1].data).toMatchObject({ error: { type: 'server', message: expect.any(String) }, durationMs: expect.any(Number) });
  });

  it('logs run_failed without the key when the key is missing', async () => {
    const gov = await open({ env: {} });
    await expect(gov.run('cls3', { text: 'sure' })).rejects.toMatchObject({ kind: 'auth' });
    const events = await allEvents(gov);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_failed']);
    expect((events[1].data.error as { message: string }).message).toContain('TEST_OPENAI_KEY');
  });

  it('logs model_mismatch and warns when the API answers with another model than the lock', async () => {
    server.setAnswer(() => ({ ...word('utilities', 0.95), model: 'gpt-4o-mini-2025-02-02' }));
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure' });
    expect(run.model.returned).toBe('gpt-4o-mini-2025-02-02');
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'model_mismatch', 'run_finished']);
    expect(events[1].data).toEqual({ expected: `openai:${MODEL}`, returned: 'openai:gpt-4o-mini-2025-02-02' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('gpt-4o-mini-2025-02-02');
    expect(warnings[0]).toContain(MODEL);
  });

  it('in replay mode calls no model and needs no key: a missing recording fails and is logged', async () => {
    const gov = await open({ mode: 'replay', env: {} });
    await expect(gov.run('cls3', { text: 'sure' })).rejects.toMatchObject({ kind: 'no_recording' });
    expect(completions()).toHaveLength(0);
    expect((await allEvents(gov)).map((e) => e.type)).toEqual(['run_started', 'run_failed']);
  });
});

describe('gov.act', () => {
  it('acts on an auto run at tier 3: records the impacts, does not notify', async () => {
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure' });
    const seen: unknown[] = [];
    const result = await gov.act(run, (output) => (seen.push(output), 'BOOKED-1'), { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }] });
    expect(result).toBe('BOOKED-1');
    expect(seen).toEqual(['utilities']);
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken']);
    const impacts = [{ system: 'erp', ref: 'INV-1', action: 'book' }];
    expect(events[2]).toMatchObject({ actor: 'svc-invoices', data: { impacts } });
    expect(events[3]).toMatchObject({ actor: 'svc-invoices', data: { impacts } });
    expect(events[3].data).not.toHaveProperty('reversibleUntil');
    expect(existsSync(join(root, 'notified.jsonl'))).toBe(false);
  });

  it('acts at tier 2: runs the notify command and opens the reversal window', async () => {
    const gov = await open();
    const run = await gov.run('cls2', { text: 'sure' });
    await gov.act(run.id, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-2' }] });
    const until = new Date(NOW.getTime() + 3_600_000).toISOString();
    const notice = JSON.parse(readFileSync(join(root, 'notified.jsonl'), 'utf8'));
    expect(notice).toEqual({ automation: 'cls2', runId: run.id, impacts: [{ system: 'erp', ref: 'INV-2' }], output: 'utilities', reversibleUntil: until });
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken', 'notification_sent']);
    expect(events[2].data).toEqual({ impacts: [{ system: 'erp', ref: 'INV-2' }], reversibleUntil: until });
    expect(events[3].data).toEqual({ impacts: [{ system: 'erp', ref: 'INV-2' }], reversibleUntil: until });
    expect(events[4].data).toEqual({ ok: true, error: null });
  });

  it('still records a tier-2 action when notify fails, and warns', async () => {
    const gov = await open();
    const run = await gov.run('cls2', { text: 'sure' });
    await gov.act(run, () => undefined, { impacts: [{ system: 'erp', ref: 'FAIL' }] });
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken', 'notification_sent']);
    expect(events[4].data).toEqual({ ok: false, error: 'exit 5: chat is down' });
    expect(warnings.join('\n')).toMatch(/cls2: the notify command failed \(exit 5: chat is down\)/);
  });

  it.each([
    ['a run awaiting review', 'cls3', 'unsure', 'E_AWAITING_REVIEW'],
    ['a tier-1 run awaiting approval', 'cls1', 'sure', 'E_APPROVAL_REQUIRED'],
    ['a tier-2 run awaiting review', 'cls2', 'unsure', 'E_AWAITING_REVIEW'],
  ] as const)('refuses %s (%s, %s): TierError %s', async (_n, automation, text, code) => {
    const gov = await open();
    const run = await gov.run(automation, { text });
    let called = false;
    const err = await gov.act(run, () => (called = true), { impacts: [{ system: 'erp' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TierError);
    expect(err).toMatchObject({ code, hint: `aigov review approve ${run.id}` });
    expect(called).toBe(false);
    expect((await eventsOf(gov, run.id)).map((e) => e.type)).toEqual(['run_started', 'run_finished']);
  });

  it('allows a tier-1 run once approved, and refuses a rejected one', async () => {
    const gov = await open();
    const approved = await gov.run('cls1', { text: 'sure' });
    const rejected = await gov.run('cls1', { text: 'sure' });
    await decide(approved.id, { decision: 'approve', reviewer: 'ann@example.com', now: NOW });
    await decide(rejected.id, { decision: 'reject', reviewer: 'ann@example.com', reason: 'not an invoice', now: NOW });
    await expect(gov.act(approved, (o) => o, { impacts: [{ system: 'erp', ref: 'INV-3' }] })).resolves.toBe('utilities');
    await expect(gov.act(rejected, (o) => o, { impacts: [{ system: 'erp' }] })).rejects.toMatchObject({ name: 'TierError', code: 'E_REJECTED' });
  });

  it('hands the overridden output to the action', async () => {
    const gov = await open();
    const text = await gov.run('cls3', { text: 'unsure' });
    const json = await gov.run('ext3', { text: 'low' });
    await decide(text.id, { decision: 'override', reviewer: 'ann', reason: 'a train ticket', output: 'travel-rail', now: NOW });
    await decide(json.id, { decision: 'override', reviewer: 'ann', reason: 'billing', output: '{"category":"billing"}', now: NOW });
    expect(await gov.act(text, (o) => o, { impacts: [{ system: 'erp' }] })).toBe('travel-rail');
    expect(await gov.act(json, (o) => o, { impacts: [{ system: 'crm' }] })).toEqual({ category: 'billing' });
  });

  it('refuses an impact on a system outside downstream (UsageError E_IMPACT), before acting or logging', async () => {
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure' });
    let called = false;
    const err = await gov.act(run, () => (called = true), { impacts: [{ system: 'erp' }, { system: 'crmm' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('"crmm"');
    expect((err as UsageError).hint).toContain('crm');
    expect(err).toMatchObject({ code: 'E_IMPACT' });
    expect(called).toBe(false);
    expect((await eventsOf(gov, run.id)).map((e) => e.type)).toEqual(['run_started', 'run_finished']);
  });

  it('refuses a failed run and an unknown run', async () => {
    const gov = await open();
    const failed = await gov.start('cls3', { text: 'x' });
    await failed.fail(new Error('no answer'));
    await expect(gov.act(failed.id, () => 1, { impacts: [] })).rejects.toMatchObject({ name: 'TierError', code: 'E_RUN_NOT_FINISHED' });
    await expect(gov.act('0190-nope', () => 1, { impacts: [] })).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses a run of an automation this workspace does not have', async () => {
    const gov = await open();
    const base = { automation: 'retired', runId: 'r-retired' };
    await withLog((store) =>
      store.append([
        { ...base, type: 'run_started', data: { tier: 3, prompt: { id: 'old', version: 1, sha256: 'ab' }, model: { requested: 'fast', resolved: 'openai:m' } } },
        { ...base, type: 'run_finished', data: { output: 'x', confidence: 0.99, disposition: 'auto' } },
      ]),
    );
    await expect(gov.act('r-retired', () => 1, { impacts: [] })).rejects.toThrow(/automation "retired", which is not in this workspace/);
  });

  it('records action_failed when the action itself throws, and a retry may act', async () => {
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure' });
    await expect(gov.act(run, () => { throw new RangeError('erp down'); }, { impacts: [{ system: 'erp' }] })).rejects.toThrow('erp down');
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_failed']);
    expect(events[3].data).toEqual({ error: { type: 'RangeError', message: 'erp down' } });
    await expect(gov.act(run, () => 'booked', { impacts: [{ system: 'erp' }] })).resolves.toBe('booked');
    expect((await eventsOf(gov, run.id)).map((e) => e.type).slice(4)).toEqual(['action_started', 'action_taken']);
  });
});

describe('gov.start', () => {
  it('finish logs the same events as run, with the caller’s confidence', async () => {
    const gov = await open();
    const h = await gov.start('cls3', { text: 'own call' }, { triggeredBy: 'cron' });
    const run = await h.finish({ output: { category: 'x' }, confidence: 0.9, tokens: { input: 1000, output: 100 }, modelReturned: MODEL });
    expect(run).toMatchObject({ id: h.id, output: '{"category":"x"}', confidence: 0.9, confidenceSource: 'caller', disposition: 'auto' });
    expect(run.costUsd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 15);
    const [started, finished] = await eventsOf(gov, h.id);
    expect(started.data).toMatchObject({ inputFingerprint: { alg: 'sha256', value: hashOf({ text: 'own call' }) }, triggeredBy: 'cron', tier: 3, prompt: { id: 'cls', version: 1 } });
    expect(finished.data).toMatchObject({ output: '{"category":"x"}', confidence: 0.9, confidenceSource: 'caller', modelReturned: MODEL, tokens: { input: 1000, output: 100 }, disposition: 'auto' });
    expect(completions()).toHaveLength(0);
  });

  it('finish without a confidence sends a thresholded run to review', async () => {
    const gov = await open();
    const h = await gov.start('cls3', { text: 'x' });
    expect(await h.finish({ output: 'travel' })).toMatchObject({ confidence: null, confidenceSource: 'none', disposition: 'review' });
  });

  it('fail logs run_failed; a handle ends once', async () => {
    const gov = await open();
    const h = await gov.start('cls3', { text: 'x' });
    await h.fail(new RangeError('bad answer'));
    await expect(h.finish({ output: 'late' })).rejects.toBeInstanceOf(UsageError);
    const events = await eventsOf(gov, h.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_failed']);
    expect(events[1].data).toMatchObject({ error: { type: 'RangeError', message: 'bad answer' } });
  });
});

describe('gov.tag', () => {
  it('appends impact_tagged and checks the system', async () => {
    const gov = await open();
    const run = await gov.run('cls3', { text: 'sure' });
    await gov.tag(run.id, { system: 'crm', ref: 'C-9', action: 'note' });
    await expect(gov.tag(run.id, { system: 'billing' })).rejects.toBeInstanceOf(UsageError);
    await expect(gov.tag('no-such-run', { system: 'crm' })).rejects.toBeInstanceOf(UsageError);
    const events = await eventsOf(gov, run.id);
    expect(events.map((e) => e.type)).toEqual(['run_started', 'run_finished', 'impact_tagged']);
    expect(events[2]).toMatchObject({ automation: 'cls3', data: { system: 'crm', ref: 'C-9', action: 'note' } });
    expect(await gov.runs.query({ system: 'crm', ref: 'C-9' })).toHaveLength(1);
  });
});

describe('openGovernor', () => {
  it('refuses an invalid workspace with every problem', async () => {
    write(root, 'automations/bad.yaml', automation('bad', 2, 'nope'));
    await expect(open()).rejects.toMatchObject({ name: 'InvalidWorkspaceError', exitCode: 2, message: expect.stringContaining('unknown prompt "nope"') });
  });

  it('opens the workspace’s own store and appends one chain across governors', async () => {
    const a = await open();
    await a.run('cls3', { text: 'sure' });
    const b = await open();
    await b.run('cls3', { text: 'sure' });
    const events = await allEvents(b);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(existsSync(join(root, '.aigov/runs.db'))).toBe(true);
  });
});
