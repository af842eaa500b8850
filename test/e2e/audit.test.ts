// The audit sample through the built binary: runs made by the built library
// with `review.sample`, the audit queue listed and graded with `aigov review`,
// and calibration reading the grades.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGovernor } from '../../dist/index.js';
import { resolveReview } from '../../dist/app/review.js';
import { openStore } from '../../dist/store/open.js';
import { aigov } from '../support/cli.js';
import { grantFileTiers } from '../support/ledger.js';
import { startModelServer } from '../support/model-server.mjs';
import { automationYaml, configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

const IDENTITY = { osUser: 'ann', host: 'review-host', gitEmail: 'ann@example.com' };
let w: ReturnType<typeof tempWorkspace>;
const cli = (...args: string[]) => aigov(args, { cwd: w.root });
const json = <T = any>(text: string): T => JSON.parse(text) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
/** Every run the library sampled, by automation, from the log itself. */
let sampled: Map<string, string[]>;
let autoUnsampled: string;

const spread = (i: number) => (i * 0.6180339887498949) % 1;

beforeAll(async () => {
  const server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, record: false });
  w = tempWorkspace({
    'aigov.yaml': configYaml(server.openaiBaseURL),
    'prompts/cls.yaml': promptYaml('cls'),
    'automations/audited.yaml': automationYaml('audited', 3, 'cls', 'confidence: { threshold: 0.8 }\nreview: { cadence: monthly, sample: 0.3 }\n'),
    'automations/plain.yaml': automationYaml('plain', 3, 'cls', 'confidence: { threshold: 0.8 }\nreview: { cadence: monthly }\n'),
  });
  try {
    const pin = await aigov(['pin', '--as', 'ops@example.com'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    grantFileTiers(w.root, { audited: 3, plain: 3 });
  } finally {
    await server.close();
  }
  const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: 'sk-test' }, onWarning: () => undefined });
  const store = await openStore(`sqlite:${w.root}/.aigov/runs.db`, w.root);
  try {
    for (const automation of ['audited', 'plain']) {
      for (let i = 0; i < 150; i++) {
        const run = await (await gov.start(automation, { text: `case ${i}` })).finish({ output: 'utilities', confidence: 0.55 + 0.45 * spread(i) });
        if (run.disposition === 'review') await resolveReview(store, run.id, { decision: i % 7 === 0 ? 'reject' : 'approve', reason: i % 7 === 0 ? 'wrong' : undefined, reviewer: 'ann@example.com', identity: IDENTITY, now: new Date() });
        if (automation === 'plain' && run.disposition === 'auto') autoUnsampled = run.id;
      }
    }
    const finished = await store.query({ types: ['run_finished'], order: 'asc' });
    sampled = new Map(['audited', 'plain'].map((a) => [a, finished.filter((e) => e.automation === a && e.type === 'run_finished' && e.data.audit === true).map((e) => e.runId!)]));
  } finally {
    await gov.close();
    await store.close();
  }
}, 120_000);
afterAll(() => w?.cleanup());

describe('aigov review on the audit queue', () => {
  it('lists the sampled auto runs, and only with --audit', async () => {
    const [audit, queue] = await Promise.all([cli('review', 'list', '--audit', '--json'), cli('review', 'list', '--json')]);
    expect(audit.exitCode, audit.stderr).toBe(0);
    const listed = json<{ runId: string; awaiting: string; disposition: string }[]>(audit.stdout);
    expect(sampled.get('plain')).toEqual([]);
    expect(sampled.get('audited')!.length).toBeGreaterThan(10);
    expect(listed.map((r) => r.runId)).toEqual(sampled.get('audited'));
    expect(new Set(listed.map((r) => `${r.awaiting} ${r.disposition}`))).toEqual(new Set(['audit auto']));
    expect(json<unknown[]>(queue.stdout)).toEqual([]); // every low-confidence run was reviewed; audited runs never wait there
    const text = await cli('review', 'list', '--audit', '--automation', 'plain');
    expect(text.stdout).toContain('the audit queue is empty');
  });

  it('approve, override and reject record the grade with audit: true, once', async () => {
    const [a, o, r] = sampled.get('audited')!;
    const approve = await cli('review', 'approve', a, '--as', 'ann@example.com');
    expect(approve.exitCode, approve.stderr).toBe(0);
    expect(approve.stderr).toContain(`${a}: audit grade logged, approved by ann@example.com`);
    const override = await cli('review', 'override', o, '--reason', 'wrong category', '--output', 'travel', '--as', 'ann@example.com', '--json');
    expect(override.exitCode, override.stderr).toBe(0);
    expect(json(override.stdout)).toEqual({ runId: o, decision: 'override', reviewer: 'ann@example.com', audit: true });
    const reject = await cli('review', 'reject', r, '--reason', 'should not have acted', '--as', 'ann@example.com');
    expect(reject.exitCode, reject.stderr).toBe(0);
    expect(reject.stderr).toContain('its action stands');

    const again = await cli('review', 'approve', a, '--as', 'bob@example.com');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/E_ALREADY_RESOLVED.*already audited \(approve by ann@example.com\)/);
    const notQueued = await cli('review', 'approve', autoUnsampled);
    expect(notQueued.exitCode).toBe(2);
    expect(notQueued.stderr).toContain('is not waiting for review');

    const store = await openStore(`sqlite:${w.root}/.aigov/runs.db`, w.root);
    try {
      const grades = await store.query({ runIds: [a, o, r], types: ['review_resolved'], order: 'asc' });
      expect(grades.map((e) => [e.runId, e.data.decision, e.data.audit])).toEqual([
        [a, 'approve', true],
        [o, 'override', true],
        [r, 'reject', true],
      ]);
    } finally {
      await store.close();
    }
    const left = json<{ runId: string }[]>((await cli('review', 'list', '--audit', '--json')).stdout).map((x) => x.runId);
    expect(left).toEqual(sampled.get('audited')!.slice(3));
    const verify = await cli('log', 'verify');
    expect(verify.exitCode, verify.stderr + verify.stdout).toBe(0);
  });

  it('calibrate reads the audit grades, and says when the grades are only low-confidence ones', async () => {
    const store = await openStore(`sqlite:${w.root}/.aigov/runs.db`, w.root);
    try {
      for (const runId of sampled.get('audited')!.slice(3)) await resolveReview(store, runId, { decision: 'approve', reviewer: 'ann@example.com', identity: IDENTITY, now: new Date() });
    } finally {
      await store.close();
    }
    const audited = await cli('calibrate', 'audited', '--target-precision', '0.5', '--json');
    expect([0, 1]).toContain(audited.exitCode);
    const c = json(audited.stdout);
    expect(c.sample).toBe('audited');
    expect(c.sources.audit).toBe(sampled.get('audited')!.length);
    const text = await cli('calibrate', 'audited', '--target-precision', '0.5');
    expect(text.stdout).toContain(`${sampled.get('audited')!.length} audits`);
    expect(text.stdout).toContain('graded through the audit sample (review.sample)');

    const plain = await cli('calibrate', 'plain', '--target-precision', '0.5');
    expect(json((await cli('calibrate', 'plain', '--json')).stdout).sample).toBe('unaudited');
    expect(plain.stdout).toContain('warning: the graded runs are only low-confidence ones');
    expect(plain.stdout).toContain('Set review.sample');
  });
});
