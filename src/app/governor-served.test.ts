// The library's side of the lock's promise: the served model, truncation, and the tier a
// run gets from the lock's ledger. A real model server, a real SQLite run log.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import type { LoggedEvent } from '../core/log/events.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import { openGovernor, type Governor } from './governor.js';
import { readWorkspace } from './read-workspace.js';
import { checkServed } from './served-run.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const THRESHOLD = 'confidence: { threshold: 0.5 }\n';
const REVERSAL = 'reversal: { window: 1h, command: [node, revert.mjs] }\n';

let server: ModelServer;
let root: string;
let warnings: string[];
let govs: Governor[];

beforeAll(async () => {
  server = await startModelServer({ answer: () => ({ text: 'utilities', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }) });
});
afterAll(() => server.close());
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-served-'));
  const files: Record<string, string> = {
    'aigov.yaml': configYaml(server.openaiBaseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }', maxLength: 200 }),
    'automations/strict.yaml': automationYaml('strict', 3, 'cls', THRESHOLD),
    'automations/lenient.yaml': automationYaml('lenient', 3, 'cls', `${THRESHOLD}modelMismatch: warn\n`),
    'automations/acts.yaml': automationYaml('acts', 2, 'cls', `${THRESHOLD}${REVERSAL}`),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  warnings = [];
  govs = [];
});
afterEach(async () => {
  for (const g of govs) await g.close();
  rmSync(root, { recursive: true, force: true });
  server.setAnswer(() => ({ text: 'utilities', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }));
});

/** The lock as `aigov pin` and `aigov promote` would have left it. */
function lock(over: { served?: string | null; ledger?: Lockfile['automations'] } = {}): void {
  const ws = readWorkspace(root);
  const prompts = Object.fromEntries([...ws.prompts].map(([id, p]) => [id, { version: p.value.version, sha256: promptHash(p.value) }]));
  const served = 'served' in over ? over.served : MODEL;
  const models = { fast: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, ...(served === undefined ? {} : { served }), pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops@example.com' } };
  const at = { since: '2026-11-01T00:00:00Z', by: 'ops@example.com', event: null };
  const ledger = over.ledger ?? { strict: { tier: 3, ...at }, lenient: { tier: 3, ...at }, acts: { tier: 2, ...at } };
  writeFileSync(join(root, 'aigov.lock'), serializeLock({ lockfileVersion: 2, models, prompts, automations: ledger }));
}

async function open(): Promise<Governor> {
  const gov = await openGovernor({ root, env: { TEST_OPENAI_KEY: 'sk-test' }, onWarning: (m) => warnings.push(m) });
  govs.push(gov);
  return gov;
}
const eventsOf = (gov: Governor, runId: string): Promise<LoggedEvent[]> => gov.runs.events(runId);

describe('run: the served model', () => {
  it('an answer from the served model, even under another name than the resolved id, is auto', async () => {
    lock({ served: 'llama-3.1-8b-instruct-q4' });
    server.setAnswer(() => ({ text: 'utilities', model: 'llama-3.1-8b-instruct-q4', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }));
    const gov = await open();
    const run = await gov.run('strict', { text: 'x' });
    expect(run.disposition).toBe('auto');
    expect((await eventsOf(gov, run.id)).map((e) => e.type)).toEqual(['run_started', 'run_finished']);
    expect(warnings).toEqual([]);
  });

  it('another model: model_mismatch {expected, returned} is logged and the run goes to review, at any tier', async () => {
    lock();
    server.setAnswer(() => ({ text: 'utilities', model: 'llama-3.1-8b-instruct-q4', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }));
    const gov = await open();
    for (const id of ['strict', 'acts']) {
      const run = await gov.run(id, { text: 'x' });
      expect(run.disposition).toBe('review');
      const events = await eventsOf(gov, run.id);
      expect(events.map((e) => e.type)).toEqual(['run_started', 'model_mismatch', 'run_finished']);
      expect(events[1].data).toEqual({ expected: `openai:${MODEL}`, returned: 'openai:llama-3.1-8b-instruct-q4' });
      expect(events[2].data).toMatchObject({ disposition: 'review', modelReturned: 'llama-3.1-8b-instruct-q4' });
    }
    expect(warnings[0]).toBe(`strict: the API answered with llama-3.1-8b-instruct-q4, but aigov.lock says openai:${MODEL} is served as ${MODEL}; the run goes to review`);
  });

  it('modelMismatch: warn logs and warns, but leaves the disposition to the tier', async () => {
    lock();
    server.setAnswer(() => ({ text: 'utilities', model: 'other-model', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }));
    const gov = await open();
    const run = await gov.run('lenient', { text: 'x' });
    expect(run.disposition).toBe('auto');
    expect((await eventsOf(gov, run.id)).map((e) => e.type)).toEqual(['run_started', 'model_mismatch', 'run_finished']);
    expect(warnings).toEqual([expect.not.stringContaining('review')]);
  });

  it('where the API reports no model, or the lock says it reports none, there is nothing to compare', async () => {
    lock({ served: null });
    const gov = await open();
    expect((await gov.run('strict', { text: 'x' })).disposition).toBe('auto');
    lock();
    server.setAnswer(() => ({ text: 'utilities', model: '', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }));
    const gov2 = await open();
    expect((await gov2.run('strict', { text: 'x' })).disposition).toBe('auto');
  });

  it('run_finished carries truncated', async () => {
    lock();
    const gov = await open();
    const whole = await gov.run('strict', { text: 'x' });
    server.setAnswer(() => ({ text: 'utilit', truncated: true, logprobs: [{ token: 'utilit', logprob: Math.log(0.95) }] }));
    const cut = await gov.run('strict', { text: 'x' });
    const finished = async (id: string) => (await eventsOf(gov, id)).find((e) => e.type === 'run_finished')!.data;
    expect((await finished(whole.id)).truncated).toBe(false);
    expect((await finished(cut.id)).truncated).toBe(true);
  });
});

describe('run: the tier is the lower of the file and the ledger', () => {
  it.each([
    ['raised by hand: the ledger tier', { strict: 1 }, 'approval_required', 1],
    ['as promoted', { strict: 3 }, 'auto', 3],
    ['not in the ledger: tier 1', {}, 'approval_required', 1],
  ] as const)('%s', async (_n, tiers, disposition, tier) => {
    const at = { since: 't', by: 'b', event: null };
    lock({ ledger: Object.fromEntries(Object.entries(tiers).map(([id, t]) => [id, { tier: t, ...at }])) });
    const gov = await open();
    const run = await gov.run('strict', { text: 'x' });
    expect(run).toMatchObject({ tier, disposition });
    expect((await eventsOf(gov, run.id))[0].data.tier).toBe(tier);
  });

  it('lowered by hand: takes effect at once', async () => {
    lock();
    writeFileSync(join(root, 'automations/strict.yaml'), automationYaml('strict', 1, 'cls', THRESHOLD));
    const gov = await open();
    expect(await gov.run('strict', { text: 'x' })).toMatchObject({ tier: 1, disposition: 'approval_required' });
  });
});

describe('checkServed', () => {
  const run = (modelMismatch: 'review' | 'warn', served?: string | null) => ({
    automation: { id: 'a', modelMismatch },
    model: { provider: 'openai', resolved: 'openai:m-1' },
    locked: { resolved: 'openai:m-1', ...(served === undefined ? {} : { served }) },
  });
  const ids = { runId: 'r', actor: 'x' };
  it.each([
    ['all samples from the served model', run('review', 'm-1'), ['m-1', 'm-1'], false, 0],
    ['one sample of three from another', run('review', 'm-1'), ['m-1', 'm-2', 'm-1'], true, 1],
    ['a version 1 lock: compared with the resolved id', run('review'), ['m-2'], true, 1],
    ['warn: logged, no review', run('warn', 'm-1'), ['m-2'], false, 1],
    ['nothing reported', run('review', 'm-1'), [null], false, 0],
    ['the API reports none, as the lock says', run('review', null), ['m-2'], false, 0],
  ] as const)('%s', (_n, r, returned, review, events) => {
    const c = checkServed(r, returned, ids);
    expect(c.review).toBe(review);
    expect(c.events).toHaveLength(events);
  });
});
