// How runEval classes what goes wrong during a case: a provider failure is the
// case's (an error, exit 3); any other exception is a bug that stops the run.
import { describe, expect, it } from 'vitest';
import { InternalError, InterruptedError, InvalidWorkspaceError, ProviderError, UsageError } from '../errors.js';
import { buildWorkspace } from '../core/workspace/build.js';
import type { GatewayCall, ModelGateway } from '../providers/gateway.js';
import type { ModelResponse } from '../providers/types.js';
import { runEval } from './eval.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n  judge: openai:gpt-4o\n';
const PROMPT = 'id: inv\nversion: 1\nmodel: fast\nmessages:\n  - { role: user, content: "Invoice: {{text}}" }\nvars:\n  text: { type: string }\n';
function suite(n: number, extra = ''): string {
  return `suite: inv\nprompt: inv\ncases:\n${Array.from({ length: n }, (_, i) => `  - id: c${i}\n    vars: { text: t${i} }\n    expect: ok\n${extra}`).join('')}`;
}
function workspace(suiteText: string) {
  const files = { 'aigov.yaml': CONFIG, 'prompts/inv.yaml': PROMPT, 'evals/inv.yaml': suiteText };
  return buildWorkspace('/nowhere', Object.entries(files).map(([path, text]) => ({ path, text })));
}
const answer = (text: string): ModelResponse => ({ text, modelReturned: null, systemFingerprint: null, tokens: { input: 1, output: 1 }, latencyMs: 1, logprobs: null });

function gateway(call: (c: GatewayCall, n: number) => Promise<ModelResponse>): ModelGateway & { calls: GatewayCall[] } {
  const calls: GatewayCall[] = [];
  return {
    calls,
    async call(c) {
      calls.push(c);
      return { response: await call(c, calls.length), source: 'live', attempts: 1 };
    },
    listModels: async () => null,
    flush: async () => {},
  };
}

describe('runEval: what is a case error and what is a bug', () => {
  it('a ProviderError from the adapter is a case error, and the run goes on', async () => {
    const g = gateway(async (_c, n) => {
      if (n === 2) throw new ProviderError('server', 'HTTP 500');
      return answer('ok');
    });
    const report = await runEval(workspace(suite(3)), { gateway: g, unlocked: true, concurrency: 1 });
    expect(report.totals).toMatchObject({ cases: 3, passed: 2, errors: 1 });
    expect(report.suites[0].cases[1].samples[0].error).toEqual({ kind: 'server', message: 'HTTP 500' });
  });

  it('anything else an adapter throws is an internal error that stops the run: no new call starts', async () => {
    const g = gateway(async (_c, n) => {
      if (n === 2) throw new TypeError("Cannot read properties of undefined (reading 'choices')");
      return answer('ok');
    });
    const run = runEval(workspace(suite(6)), { gateway: g, unlocked: true, concurrency: 1 });
    await expect(run).rejects.toBeInstanceOf(InternalError);
    await expect(run).rejects.toThrow(/^in case "c1" of suite "inv", the openai provider threw: TypeError: Cannot read properties of undefined/);
    expect(g.calls).toHaveLength(2);
  });

  it('cancels the calls still in flight when it stops', async () => {
    let aborted = 0;
    const g = gateway(
      (c, n) =>
        new Promise((resolve, reject) => {
          if (n === 1) return setTimeout(() => reject(new RangeError('bug')), 20);
          const timer = setTimeout(() => resolve(answer('ok')), 10_000);
          c.signal?.addEventListener('abort', () => {
            aborted++;
            clearTimeout(timer);
            reject(c.signal!.reason);
          });
        }),
    );
    const started = Date.now();
    await expect(runEval(workspace(suite(4)), { gateway: g, unlocked: true, concurrency: 3 })).rejects.toThrow(/RangeError: bug/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(aborted).toBe(2);
    expect(g.calls).toHaveLength(3);
  });

  it('a judge whose call fails with a ProviderError makes the case an error', async () => {
    const g = gateway(async (c) => {
      if (c.group === 'judge') throw new ProviderError('rate_limit', 'HTTP 429');
      return answer('ok');
    });
    const report = await runEval(workspace(suite(1, '    assert:\n      - { type: judge, rubric: polite, model: judge }\n')), { gateway: g, unlocked: true });
    expect(report.totals).toMatchObject({ cases: 1, errors: 1 });
    expect(report.suites[0].cases[0].samples[0].error).toEqual({ kind: 'rate_limit', message: 'HTTP 429' });
  });

  it('a judge that throws anything else is an internal error, never a failed case', async () => {
    const g = gateway(async (c) => {
      if (c.group === 'judge') throw new Error('unexpected');
      return answer('ok');
    });
    const run = runEval(workspace(suite(1, '    assert:\n      - { type: judge, rubric: polite, model: judge }\n')), { gateway: g, unlocked: true });
    await expect(run).rejects.toBeInstanceOf(InternalError);
    await expect(run).rejects.toThrow(/^in case "c0" of suite "inv", the judge "judge" threw: unexpected$/);
  });

  it('bad input from the gateway (a broken fixture file) stops the run with its own code, once, not as an error per case', async () => {
    const bad = new UsageError('fixtures/inv.yaml:1:1 invalid YAML', { location: { file: 'fixtures/inv.yaml', line: 1, col: 1 } });
    const g = gateway(async () => Promise.reject(bad));
    const run = runEval(workspace(suite(5)), { gateway: g, unlocked: true, concurrency: 1 });
    await expect(run).rejects.toBe(bad);
    expect(g.calls).toHaveLength(1);
  });

  it('a file the gateway cannot read is the user\'s, not a bug', async () => {
    const eisdir = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR', syscall: 'read' });
    const g = gateway(async () => Promise.reject(eisdir));
    await expect(runEval(workspace(suite(2)), { gateway: g, unlocked: true })).rejects.toMatchObject({ code: 'E_FILE_UNREADABLE', exitCode: 2 });
  });

  it('Ctrl-C in a call stays the case\'s (the report says it was interrupted)', async () => {
    const g = gateway(async () => Promise.reject(new InterruptedError()));
    const report = await runEval(workspace(suite(1)), { gateway: g, unlocked: true });
    expect(report.suites[0].cases[0].samples[0].error?.kind).toBe('E_INTERRUPTED');
  });

  it('runs nothing on a workspace with errors', async () => {
    const g = gateway(async () => answer('ok'));
    await expect(runEval(workspace('suite: inv\nprompt: inv\ncases: []\n'), { gateway: g, unlocked: true })).rejects.toBeInstanceOf(InvalidWorkspaceError);
    expect(g.calls).toHaveLength(0);
  });

  it('a run at the 100,000-sample limit is reported whole: each case with all its samples, in the plan\'s order', async () => {
    const g = gateway(async (c) => answer(c.sample % 2 ? 'no' : 'ok'));
    const text = suite(1000).replace('prompt: inv\n', 'prompt: inv\nrepeat: 100\npassRate: 0.5\n');
    const report = await runEval(workspace(text), { gateway: g, unlocked: true, concurrency: 64 });
    expect(g.calls).toHaveLength(100_000);
    const [s] = report.suites;
    expect(s.cases.map((c) => c.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `c${i}`));
    expect(s.cases.every((c) => c.samples.length === 100 && c.samples.every((x, k) => x.sample === k && x.pass === (k % 2 === 0)))).toBe(true);
    expect(s.totals).toMatchObject({ cases: 1000, passed: 1000, failed: 0, errors: 0, interrupted: 0 });
    expect(s.totals.durationMs).toBeGreaterThanOrEqual(0);
  });
});
