// The eval use case records its own evidence: whoever calls it (the CLI, `pin
// --upgrade`, a library caller), one eval_completed a suite lands in the run log,
// a log that fails is a warning and never the gate, and an interrupted run
// records nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidWorkspaceError } from '../errors.js';
import { serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { NewEvent } from '../core/log/events.js';
import { buildWorkspace } from '../core/workspace/build.js';
import type { ModelGateway } from '../providers/gateway.js';
import type { ModelResponse } from '../providers/types.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { evalGate } from './eval-gate.js';

const PROMPT = 'id: inv\nversion: 2\nmodel: fast\nmessages:\n  - { role: user, content: "Invoice: {{text}}" }\nvars:\n  text: { type: string }\n';
const SUITE = (id: string, n: number) => `suite: ${id}\nprompt: inv\ncases:\n${Array.from({ length: n }, (_, i) => `  - id: c${i}\n    vars: { text: t${i} }\n    expect: ok\n`).join('')}`;

function workspace(root: string, store = 'sqlite:runs.db') {
  const files: Record<string, string> = {
    'aigov.yaml': `version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nstore: ${store}\n`,
    'prompts/inv.yaml': PROMPT,
    'evals/a.yaml': SUITE('a', 2),
    'evals/b.yaml': SUITE('b', 3),
  };
  const unlocked = buildWorkspace(root, Object.entries(files).map(([path, text]) => ({ path, text })));
  const prompt = unlocked.prompts.get('inv')!.value;
  const lock = serializeLock({
    lockfileVersion: 2,
    models: { fast: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops' } },
    prompts: { inv: { version: 2, sha256: promptHash(prompt) } },
    automations: {},
  });
  return buildWorkspace(root, Object.entries({ ...files, 'aigov.lock': lock }).map(([path, text]) => ({ path, text })));
}

const answer = (text: string): ModelResponse => ({ text, modelReturned: 'gpt-4o-mini-2024-07-18', systemFingerprint: null, tokens: { input: 1, output: 1 }, latencyMs: 1, logprobs: null });
function gateway(onCall: (n: number) => Promise<string> = async () => 'ok'): ModelGateway {
  let n = 0;
  return { call: async () => ({ response: answer(await onCall(++n)), source: 'live', attempts: 1 }), listModels: async () => null, flush: async () => {} };
}

/** A store that keeps what it is given, or fails as told. */
function memoryStore(fail?: Error): Store & { appended: NewEvent[]; closed: number } {
  const s = {
    url: 'memory:',
    appended: [] as NewEvent[],
    closed: 0,
    async append(events: NewEvent[]) {
      if (fail) throw fail;
      s.appended.push(...events);
      return events.map((e, i) => ({ ...e, seq: s.appended.length - events.length + i + 1 }));
    },
    async close() {
      s.closed++;
    },
  };
  return s as unknown as Store & { appended: NewEvent[]; closed: number };
}

const GIT = async () => ({ commit: 'abc123', dirty: true });
const NOW = () => new Date('2026-12-01T10:00:00Z');

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const tempRoot = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'aigov-evalgate-'));
  dirs.push(d);
  return d;
};

describe('evalGate: run the suites, then record them', () => {
  it('records one eval_completed a suite, with the prompt, the model, served, the gate, git and who ran it', async () => {
    const store = memoryStore();
    const r = await evalGate(workspace('/nowhere'), { gateway: gateway(), evidence: { store, actor: 'ci@example.com', git: GIT, now: NOW } });
    expect(r.recordError).toBeUndefined();
    expect(r.git).toEqual({ commit: 'abc123', dirty: true });
    expect(store.appended.map((e) => [e.type, e.actor, e.at, (e.data as { suite: string }).suite])).toEqual([
      ['eval_completed', 'ci@example.com', '2026-12-01T10:00:00.000Z', 'a'],
      ['eval_completed', 'ci@example.com', '2026-12-01T10:00:00.000Z', 'b'],
    ]);
    const ws = workspace('/nowhere');
    expect(store.appended[1].data).toEqual({
      suite: 'b',
      prompt: { id: 'inv', version: 2, sha256: promptHash(ws.prompts.get('inv')!.value) },
      model: 'openai:gpt-4o-mini-2024-07-18',
      served: 'gpt-4o-mini-2024-07-18',
      passRate: 1,
      passed: true,
      cases: 3,
      commit: 'abc123',
      dirty: true,
      mode: 'live',
      unlocked: false,
    });
    expect(r.recorded).toHaveLength(2);
    // The caller's store is the caller's to close.
    expect(store.closed).toBe(0);
  });

  it('records failing suites too: a failed eval is evidence against', async () => {
    const store = memoryStore();
    const r = await evalGate(workspace('/nowhere'), { gateway: gateway(async (n) => (n === 1 ? 'wrong' : 'ok')), concurrency: 1, suites: ['a'], evidence: { store, git: GIT } });
    expect(r.report.totals.failed).toBe(1);
    expect(store.appended.map((e) => e.data)).toMatchObject([{ suite: 'a', passed: false, passRate: 0.5 }]);
  });

  it('a run log that refuses the events is a recordError; the report stands', async () => {
    const store = memoryStore(new Error('disk I/O error'));
    const r = await evalGate(workspace('/nowhere'), { gateway: gateway(), evidence: { store, git: GIT } });
    expect(r.recordError?.message).toBe('disk I/O error');
    expect(r.recorded).toEqual([]);
    expect(r.report.totals).toMatchObject({ cases: 5, passed: 5 });
  });

  it('a run log that cannot be opened is a recordError too', async () => {
    const r = await evalGate(workspace(tempRoot(), 'postgres://nobody@127.0.0.1:9/none'), { gateway: gateway(), evidence: { git: GIT } });
    expect(r.recordError).toBeInstanceOf(Error);
    expect(r.report.totals.passed).toBe(5);
  });

  it('an interrupted run records nothing', async () => {
    const store = memoryStore();
    const controller = new AbortController();
    const r = await evalGate(workspace('/nowhere'), {
      gateway: gateway(async (n) => {
        if (n === 2) controller.abort();
        return 'ok';
      }),
      concurrency: 1,
      signal: controller.signal,
      evidence: { store, git: GIT },
    });
    expect(r.report.interrupted).toBe(true);
    expect(store.appended).toEqual([]);
    expect(r.recorded).toEqual([]);
  });

  it('by default records in the workspace’s own run log, and closes it', async () => {
    const root = tempRoot();
    const r = await evalGate(workspace(root), { gateway: gateway(), evidence: { actor: 'lib', git: GIT } });
    expect(r.recordError).toBeUndefined();
    const store = await openStore('sqlite:runs.db', root);
    try {
      expect((await store.query({ types: ['eval_completed'] })).map((e) => [e.actor, e.data.suite, e.seq])).toEqual([
        ['lib', 'a', 1],
        ['lib', 'b', 2],
      ]);
    } finally {
      await store.close();
    }
    // Closed by evalGate: a second writer gets the next seq at once.
    const again = await evalGate(workspace(root), { gateway: gateway(), suites: ['a'], evidence: { git: GIT } });
    expect(again.recorded.map((e) => e.seq)).toEqual([3]);
  });

  it('a run that cannot start records nothing', async () => {
    const store = memoryStore();
    const ws = workspace('/nowhere');
    ws.problems.push({ severity: 'error', file: 'evals/a.yaml', message: 'broken' });
    await expect(evalGate(ws, { gateway: gateway(), evidence: { store, git: GIT } })).rejects.toBeInstanceOf(InvalidWorkspaceError);
    expect(store.appended).toEqual([]);
  });
});
