// The library with a context handed in: a fixed clock, fixed ids, a timer and
// an environment as a table, nothing read from the process. The events are
// then known to the byte, as a test wants them (against a real model server
// and a real SQLite run log).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { automationYaml, configYaml, promptYaml } from '../../test/support/workspace.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { inputFingerprint } from '../core/log/input-privacy.js';
import type { Context } from './context.js';
import { openGovernor, type Governor } from './governor.js';
import { readWorkspace } from './read-workspace.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const NOW = new Date('2026-11-24T10:00:00.000Z');
const INPUT_KEY = 'a-table-handed-key-of-32-characters!';
const ids = ['0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002'];

let server: ModelServer;
let root: string;
let govs: Governor[];

beforeAll(async () => {
  server = await startModelServer({ answer: () => ({ text: 'utilities', logprobs: [{ token: 'utilities', logprob: Math.log(0.95) }] }) });
});
afterAll(() => server.close());

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-ctx-'));
  const files: Record<string, string> = {
    'aigov.yaml': configYaml(server.openaiBaseURL, '{ concurrency: 4, timeoutMs: 5000, retries: 0 }'),
    'prompts/cls.yaml': promptYaml('cls', { output: '{ type: text, confidence: logprobs }' }),
    'automations/cls2.yaml': automationYaml('cls2', 2, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\nreversal: { window: 1h, command: [node, revert.mjs] }\n'),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const ws = readWorkspace(root);
  const prompts = Object.fromEntries([...ws.prompts].map(([id, p]) => [id, { version: p.value.version, sha256: promptHash(p.value) }]));
  writeFileSync(join(root, 'aigov.lock'), serializeLock({ lockfileVersion: 1, models: { fast: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, served: MODEL, pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops@example.com' } }, prompts }));
  govs = [];
});
afterEach(async () => {
  for (const g of govs) await g.close();
  rmSync(root, { recursive: true, force: true });
});

/** A table: the clock stands still, ids come from a list, the timer moves 21 ms a reading. */
function table(): Partial<Context> {
  const next = [...ids];
  let ticks = 0;
  return { clock: () => NOW, ids: () => next.shift()!, timer: () => 1000 + 21 * ticks++, env: { TEST_OPENAI_KEY: 'sk-test', AIGOV_INPUT_KEY: INPUT_KEY } };
}

async function open(opts: Parameters<typeof openGovernor>[0]): Promise<Governor> {
  const gov = await openGovernor({ root, onWarning: () => undefined, ...opts });
  govs.push(gov);
  return gov;
}

describe('openGovernor({ context })', () => {
  it('takes the clock, the run ids, the durations and the environment from the table, and logs exactly those', async () => {
    const gov = await open({ context: table(), actor: 'svc-invoices' });
    const run = await gov.run('cls2', { text: 'sure ACME Power' });
    const tokens = { input: 6, output: 1 };
    expect(run).toEqual({
      id: ids[0],
      automation: 'cls2',
      tier: 2,
      output: 'utilities',
      value: 'utilities',
      confidence: Math.exp(Math.log(0.95)),
      confidenceSource: 'logprobs',
      disposition: 'auto',
      audit: false,
      prompt: { id: 'cls', version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      model: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, returned: MODEL },
      tokens,
      costUsd: (tokens.input * 0.15 + tokens.output * 0.6) / 1_000_000,
      durationMs: 21,
    });
    await gov.act(run, () => 'booked', { impacts: [{ system: 'erp', ref: 'INV-1' }] });

    const events = (await gov.runs.events(run.id)).map(({ type, at, automation, runId, actor }) => ({ type, at, automation, runId, actor }));
    const envelope = { at: NOW.toISOString(), automation: 'cls2', runId: ids[0], actor: 'svc-invoices' };
    expect(events).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken'].map((type) => ({ type, ...envelope })));
    const [started, finished, , taken] = await gov.runs.events(run.id);
    // The input key came from the table's environment, not the process's.
    expect(started.data).toMatchObject({ inputFingerprint: inputFingerprint({ text: 'sure ACME Power' }, INPUT_KEY), tier: 2 });
    expect(finished.data).toMatchObject({ durationMs: 21, disposition: 'auto', tokens, modelReturned: MODEL });
    expect(taken.data).toMatchObject({ reversibleUntil: new Date(NOW.getTime() + 3_600_000).toISOString() });

    // The next run takes the next id and the next readings of the timer.
    expect((await gov.run('cls2', { text: 'sure again' }))).toMatchObject({ id: ids[1], durationMs: 21 });
  });

  it('without ids of its own, a run id is a UUIDv7 at the handed clock', async () => {
    const { clock, env } = table();
    const run = await (await open({ context: { clock, env } })).run('cls2', { text: 'sure' });
    expect(run.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run.id.replace(/-/g, '').slice(0, 12)).toBe(NOW.getTime().toString(16).padStart(12, '0'));
  });

  it('now and env, as before, win over their parts of the context', async () => {
    const earlier = new Date('2026-01-02T03:04:05.000Z');
    const gov = await open({ now: () => earlier, env: { TEST_OPENAI_KEY: 'sk-test' }, context: table() });
    const run = await gov.run('cls2', { text: 'sure' });
    const [started] = await gov.runs.events(run.id);
    expect(started.at).toBe(earlier.toISOString());
    expect(run.id).toBe(ids[0]);
    // No AIGOV_INPUT_KEY in the env that won: a plain hash.
    expect(started.data).toMatchObject({ inputFingerprint: inputFingerprint({ text: 'sure' }) });
  });
});
