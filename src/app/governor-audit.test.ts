// The audit sample (`review.sample`) through the library: which finished runs
// are also queued for audit, that they are acted on as usual, and that the
// review commands grade them. A real model server, a real SQLite run log.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { auditSampled } from '../core/tiers/audit-sample.js';
import { GateError, UsageError } from '../errors.js';
import { openGovernor, type Governor, type Run } from './governor.js';
import { verifyLog } from './log.js';
import { readWorkspace } from './read-workspace.js';
import { pendingReviews, resolveReview } from './review.js';
import { openStore } from '../store/open.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const THRESHOLD = 'confidence: { threshold: 0.8 }\n';
const IDENTITY = { osUser: 'ann', host: 'desk-1', gitEmail: 'ann@example.com' };

let server: ModelServer;
let root: string;
let govs: Governor[];

beforeAll(async () => {
  server = await startModelServer({ answer: () => ({ text: 'utilities', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }) });
});
afterAll(() => server.close());
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-audit-'));
  const files: Record<string, string> = {
    'aigov.yaml': configYaml(server.openaiBaseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }', maxLength: 200 }),
    'automations/half.yaml': automationYaml('half', 3, 'cls', `${THRESHOLD}review: { cadence: monthly, sample: 0.5 }\n`),
    'automations/none.yaml': automationYaml('none', 3, 'cls', `${THRESHOLD}review: { cadence: monthly, sample: 0 }\n`),
    'automations/all.yaml': automationYaml('all', 2, 'cls', `${THRESHOLD}review: { sample: 1 }\ndownstream: [erp]\nreversal: { window: 1h, command: [node, revert.mjs] }\n`),
    'automations/approve.yaml': automationYaml('approve', 1, 'cls', `${THRESHOLD}review: { sample: 1 }\n`),
    'automations/unsampled.yaml': automationYaml('unsampled', 3, 'cls', THRESHOLD),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const ws = readWorkspace(root);
  const prompts = Object.fromEntries([...ws.prompts].map(([id, p]) => [id, { version: p.value.version, sha256: promptHash(p.value) }]));
  const models = { fast: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, served: MODEL, pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops@example.com' } };
  const at = { since: '2026-11-01T00:00:00Z', by: 'ops@example.com', event: null };
  const ledger = { half: { tier: 3 as const, ...at }, none: { tier: 3 as const, ...at }, all: { tier: 2 as const, ...at }, approve: { tier: 1 as const, ...at }, unsampled: { tier: 3 as const, ...at } };
  writeFileSync(join(root, 'aigov.lock'), serializeLock({ lockfileVersion: 2, models, prompts, automations: ledger }));
  govs = [];
});
afterEach(async () => {
  for (const g of govs) await g.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(): Promise<Governor> {
  const gov = await openGovernor({ root, env: { TEST_OPENAI_KEY: 'sk-test' }, onWarning: () => undefined });
  govs.push(gov);
  return gov;
}

/** `n` runs through a handle (the automation's own model call), all at one confidence. */
async function runs(gov: Governor, automation: string, n: number, confidence: number): Promise<Run[]> {
  const out: Run[] = [];
  for (let i = 0; i < n; i++) out.push(await (await gov.start(automation, { text: `case ${i}` })).finish({ output: 'utilities', confidence }));
  return out;
}

async function loggedAudit(gov: Governor, runId: string): Promise<unknown> {
  const finished = (await gov.runs.events(runId)).find((e) => e.type === 'run_finished');
  return finished?.type === 'run_finished' ? finished.data.audit : 'no run_finished';
}

describe('review.sample', () => {
  it('queues about that share of auto runs for audit, each by its run id alone', async () => {
    const gov = await open();
    const n = 400;
    const done = await runs(gov, 'half', n, 0.9);
    const audited = done.filter((r) => r.audit);
    // Binomial(400, 0.5): within 5 standard deviations (10 each) of 200.
    expect(audited.length).toBeGreaterThanOrEqual(150);
    expect(audited.length).toBeLessThanOrEqual(250);
    for (const r of done) {
      expect(r.disposition).toBe('auto');
      // Nothing but the id aigov generated decides: not the input, the confidence or the time.
      expect(r.audit).toBe(auditSampled(r.id, 'auto', 0.5));
      expect(await loggedAudit(gov, r.id)).toBe(r.audit ? true : undefined);
    }
  });

  it('retrying the same input is a new run with a draw of its own; the sampled run stays in the queue', async () => {
    const gov = await open();
    const tries: Run[] = [];
    for (let i = 0; i < 40; i++) tries.push(await gov.run('half', { text: 'the same invoice' }));
    expect(new Set(tries.map((r) => r.id)).size).toBe(40);
    const sampled = tries.filter((r) => r.audit).map((r) => r.id);
    expect(sampled.length).toBeGreaterThan(0);
    expect(sampled.length).toBeLessThan(40);
    const store = await openStore(`sqlite:${join(root, '.aigov/runs.db')}`, root);
    try {
      expect((await pendingReviews(store, { audit: true })).map((r) => r.runId)).toEqual(sampled);
    } finally {
      await store.close();
    }
  });

  it('p = 0 or none never samples, p = 1 samples every auto run; a run sent to review or approval never', async () => {
    const gov = await open();
    expect((await runs(gov, 'none', 50, 0.9)).filter((r) => r.audit)).toEqual([]);
    expect((await runs(gov, 'unsampled', 50, 0.9)).filter((r) => r.audit)).toEqual([]);
    const all = await runs(gov, 'all', 50, 0.9);
    expect(all.every((r) => r.audit && r.disposition === 'auto')).toBe(true);
    const low = await runs(gov, 'all', 20, 0.5);
    expect(low.map((r) => [r.disposition, r.audit])).toEqual(low.map(() => ['review', false]));
    const tier1 = await runs(gov, 'approve', 20, 0.9);
    expect(tier1.map((r) => [r.disposition, r.audit])).toEqual(tier1.map(() => ['approval_required', false]));
    for (const r of [...low, ...tier1]) expect(await loggedAudit(gov, r.id)).toBeUndefined();
    // A model answer through gov.run is sampled the same way.
    expect((await gov.run('all', { text: 'power bill' })).audit).toBe(true);
  });

  it('an audited run is acted on as usual, listed in the audit queue, and graded once by review', async () => {
    const gov = await open();
    const [run] = await runs(gov, 'all', 1, 0.9);
    expect(run.audit).toBe(true);
    // act does not wait for the audit
    expect(await gov.act(run, (out) => `booked ${String(out)}`, { impacts: [{ system: 'erp', ref: 'INV-1' }] })).toBe('booked utilities');
    const [plain] = await runs(gov, 'unsampled', 1, 0.9);
    const store = await openStore(`sqlite:${join(root, '.aigov/runs.db')}`, root);
    try {
      expect((await pendingReviews(store, { audit: true })).map((r) => [r.runId, r.awaiting, r.output])).toEqual([[run.id, 'audit', 'utilities']]);
      expect(await pendingReviews(store)).toEqual([]); // not the review queue: nobody has to decide before it acts
      const grade = { reviewer: 'ann@example.com', identity: IDENTITY, now: new Date() };
      await expect(resolveReview(store, plain.id, { ...grade, decision: 'approve' })).rejects.toThrow(UsageError);
      await expect(resolveReview(store, run.id, { ...grade, decision: 'override', reason: 'wrong category', output: 'travel' })).resolves.toEqual({ audit: true });
      const events = await store.query({ runId: run.id, types: ['review_resolved'] });
      expect(events.map((e) => e.data)).toEqual([{ decision: 'override', reviewer: 'ann@example.com', reason: 'wrong category', output: 'travel', audit: true, identity: IDENTITY }]);
      await expect(resolveReview(store, run.id, { ...grade, decision: 'approve' })).rejects.toThrow(GateError);
      await expect(resolveReview(store, run.id, { ...grade, decision: 'approve' })).rejects.toThrow(/already audited \(override by ann@example.com\)/);
      expect(await pendingReviews(store, { audit: true })).toEqual([]);
      // The grade changes no action: the run stays acted on, with its own output.
      expect((await gov.runs.events(run.id)).map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken', 'review_resolved']);
      expect((await verifyLog(store, root)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
