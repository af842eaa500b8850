// Ctrl-C during `aigov eval`: a real SIGINT to the built binary while the model
// server holds the calls. Cases in flight are interrupted, not errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov, BIN } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
/** Answers to "slow…" inputs wait here until the test lets them go. */
let release: () => void = () => {};
let held = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  server = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
  server.setAnswer(async (req) => {
    const text = /Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? '';
    if (text.startsWith('slow')) await held;
    return text.startsWith('fast') ? 'ok' : 'other';
  });
});
afterAll(async () => {
  release();
  await server.close();
});

const completions = (): number => server.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** 2 fast cases and 6 held ones, at 4 calls in flight: 2 finish, 4 are in flight at Ctrl-C, 2 never start. */
async function interruptedRun(args: string[]) {
  held = new Promise<void>((r) => (release = r));
  const cases = { fast1: 'ok', fast2: 'ok', slow1: 'other', slow2: 'other', slow3: 'other', slow4: 'other', slow5: 'other', slow6: 'other' };
  const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL, expect: cases }));
  try {
    const pin = await aigov(['pin'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    const before = completions();
    const child = execa('node', [BIN, 'eval', '--no-cache', '--concurrency', '4', '--timeout', '20000', ...args], { cwd: w.root, reject: false, env: { TEST_OPENAI_KEY: 'sk-test', NO_COLOR: '1' }, timeout: 30_000 });
    // Both fast cases answered, and four slow ones held by the server.
    await until(() => completions() - before >= 6, 'six calls');
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    child.kill('SIGINT');
    const r = await child;
    return { r, elapsed: Date.now() - started, calls: completions() - before };
  } finally {
    release();
    w.cleanup();
  }
}

describe('aigov eval, Ctrl-C', () => {
  it('counts the cases in flight as interrupted, not as errors, in the JSON report (exit 130)', async () => {
    const { r, elapsed, calls } = await interruptedRun(['--json']);
    expect(r.exitCode).toBe(130);
    expect(elapsed).toBeLessThan(10_000); // it does not wait for the held calls
    expect(calls).toBe(6); // nothing new was sent after Ctrl-C
    const report = JSON.parse(String(r.stdout));
    expect(report.interrupted).toBe(true);
    expect(report.totals).toMatchObject({ cases: 2, passed: 2, failed: 0, errors: 0, interrupted: 6 });
    expect(report.suites[0].totals).toMatchObject({ cases: 2, errors: 0, interrupted: 6 });
    expect(report.suites[0].cases.map((c: { id: string }) => c.id).sort()).toEqual(['fast1', 'fast2']);
    expect(String(r.stdout)).not.toContain('E_INTERRUPTED');
  });

  it('says so in the table, with no ERROR lines', async () => {
    const { r } = await interruptedRun([]);
    expect(r.exitCode).toBe(130);
    const out = String(r.stdout);
    expect(out).not.toMatch(/ERROR|E_INTERRUPTED/);
    expect(out).toMatch(/│ inv\s+│ 2\s+│ 2\s+│ 0\s+│ 0\s+│/);
    expect(out).toContain('interrupted: 6 cases did not finish (in flight or not started) and count as neither passed, failed nor errors; only the 2 that finished are reported');
    expect(String(r.stderr)).toContain('interrupted: finishing nothing new');
  });

  it('carries it into junit and github output', async () => {
    const junit = await interruptedRun(['--format', 'junit']);
    expect(junit.r.exitCode).toBe(130);
    expect(String(junit.r.stdout)).toContain('<property name="interrupted" value="6 cases did not finish and are not reported"/>');
    expect(String(junit.r.stdout)).not.toContain('<error');
  });
});
