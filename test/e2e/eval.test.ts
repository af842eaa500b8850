import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel', chairs: 'other' };

beforeAll(async () => {
  server = await startModelServer({
    models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2025-03-01'] },
    aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2025-03-01' },
  });
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  server.clearFaults();
  cleanup.forEach((c) => c());
  cleanup = [];
  server.setAnswer((req) => ANSWERS[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other');
});

/** A workspace pointed at the test server, pinned. */
async function pinned(expect?: Record<string, string>) {
  server.setAnswer((req) => ANSWERS[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other');
  const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL, expect }));
  cleanup.push(w.cleanup);
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  return w;
}

describe('aigov eval', () => {
  it('passes (exit 0) and prints the summary table', async () => {
    const w = await pinned();
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/│ inv\s+│ 2\s+│ 2\s+│ 0\s+│ 0\s+│ 100%/);
  });

  it('fails (exit 1) on a deviation and shows a diff at the case line', async () => {
    const w = await pinned({ power: 'utilities', flight: 'travels' });
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('FAIL inv/flight');
    expect(r.stdout).toContain('evals/inv.yaml:9');
    expect(r.stdout).toMatch(/travel\{?\+?|\[-travels-\]/);
  });

  it('exits 3 when the provider keeps failing, and still lists deviations', async () => {
    const w = await pinned({ power: 'wrong', flight: 'travel' });
    server.fail('500', 100);
    const r = await aigov(['eval', '--concurrency', '1', '--retries', '1'], { cwd: w.root });
    server.clearFaults();
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/ERROR inv\/(power|flight)/);
  });

  it('retries a 429 with Retry-After and a dropped connection, then passes', async () => {
    const w = await pinned();
    server.fail('429', 1);
    server.fail('drop', 1);
    const r = await aigov(['eval', '--no-cache', '--concurrency', '1'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
  });

  it('refuses an unlocked model with exit 1, runs it with --unlocked and says so', async () => {
    const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL }));
    cleanup.push(w.cleanup);
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not locked in aigov.lock');
    expect(r.stderr).toContain('aigov pin');
    const u = await aigov(['eval', '--unlocked'], { cwd: w.root });
    expect(u.exitCode).toBe(0);
    expect(u.stdout).toContain('UNLOCKED');
  });

  it('validates first and runs nothing on bad input (exit 2)', async () => {
    const w = await pinned();
    w.write('evals/inv.yaml', 'suite: inv\nprompt: inv\ncases: []\n');
    const before = server.requests.length;
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^evals\/inv.yaml:3:8 error cases: /m);
    expect(server.requests.length).toBe(before);
  });

  it('caches successful answers per sample, and --no-cache bypasses it', async () => {
    const w = await pinned();
    await aigov(['eval', '--repeat', '2'], { cwd: w.root });
    const before = server.requests.length;
    expect((await aigov(['eval', '--repeat', '2'], { cwd: w.root })).exitCode).toBe(0);
    expect(server.requests.length).toBe(before);
    await aigov(['eval', '--no-cache'], { cwd: w.root });
    expect(server.requests.length).toBe(before + 2);
  });

  it('records fixtures, then replays them with no server and no API key', async () => {
    const w = await pinned();
    expect((await aigov(['eval', '--record'], { cwd: w.root })).exitCode).toBe(0);
    expect(readFileSync(join(w.root, 'fixtures/inv.yaml'), 'utf8')).toContain('recordings:');
    const r = await aigov(['eval', '--replay', '--no-cache'], { cwd: w.root, env: { TEST_OPENAI_KEY: undefined } });
    expect(r.exitCode).toBe(0);
    w.write('evals/inv.yaml', readFileSync(join(w.root, 'evals/inv.yaml'), 'utf8').replace('vars: { text: power }', 'vars: { text: chairs }'));
    const miss = await aigov(['eval', '--replay'], { cwd: w.root });
    expect(miss.exitCode).toBe(3);
    expect(miss.stdout).toMatch(/no_recording: .*aigov eval --record|no recording/);
  });

  it.each([
    ['json', (s: string) => expect(JSON.parse(s).totals).toMatchObject({ cases: 2, passed: 1, failed: 1 })],
    ['junit', (s: string) => expect(s).toMatch(/<testcase classname="inv" name="flight"[^>]*>\s*<failure/)],
    ['markdown', (s: string) => expect(s).toContain('| inv | 2 | 1 | 1 | 0 | 50% |')],
    ['github', (s: string) => expect(s).toMatch(/^::error file=evals\/inv.yaml,line=9,title=deviation%3A inv\/flight::/m)],
  ])('--format %s', async (format, check) => {
    const w = await pinned({ power: 'utilities', flight: 'travels' });
    const r = await aigov(['eval', '--format', format], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    check(r.stdout);
  });

  it('-o writes a report by extension, and appends markdown to GITHUB_STEP_SUMMARY', async () => {
    const w = await pinned();
    const summary = join(w.root, 'summary.md');
    const r = await aigov(['eval', '-o', 'report.xml', '--quiet'], { cwd: w.root, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(w.root, 'report.xml'), 'utf8')).toMatch(/^<\?xml/);
    expect(readFileSync(summary, 'utf8')).toContain('## aigov eval: ✅ all suites pass');
  });

  it('--shard splits the cases deterministically', async () => {
    const w = await pinned({ power: 'utilities', flight: 'travel', chairs: 'other' });
    const one = JSON.parse((await aigov(['eval', '--shard', '1/2', '--json'], { cwd: w.root })).stdout);
    const two = JSON.parse((await aigov(['eval', '--shard', '2/2', '--json'], { cwd: w.root })).stdout);
    expect(one.suites[0].cases.map((c: { id: string }) => c.id)).toEqual(['power', 'chairs']);
    expect(two.suites[0].cases.map((c: { id: string }) => c.id)).toEqual(['flight']);
    expect((await aigov(['eval', '--shard', '3/2'], { cwd: w.root })).exitCode).toBe(2);
  });

  it('--accept writes the observed output back as expect, keeping comments', async () => {
    const w = await pinned({ power: 'utilities', flight: 'travels' });
    const r = await aigov(['eval', '--accept', 'flight'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    const text = readFileSync(join(w.root, 'evals/inv.yaml'), 'utf8');
    expect(text).toContain('# the invoice suite');
    expect(text).toContain('# expected category');
    expect(text).toMatch(/id: flight\n.*\n.*\n\s+expect: travel\n/);
    expect((await aigov(['eval'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('records eval_completed in the run log', async () => {
    const w = await pinned();
    await aigov(['eval'], { cwd: w.root });
    expect(existsSync(join(w.root, '.aigov/runs.db'))).toBe(true);
    const v = await aigov(['log', 'verify', '--json'], { cwd: w.root });
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(v.stdout).events).toBeGreaterThanOrEqual(2);
  });
});

describe('aigov eval, interrupted', () => {
  it('Ctrl-C stops new calls, reports what finished, and exits 130', async () => {
    const { execa } = await import('execa');
    const { BIN } = await import('../support/cli.js');
    const w = await pinned({ power: 'utilities', flight: 'travel', chairs: 'other' });
    server.setLatency(1500);
    try {
      const child = execa('node', [BIN, 'eval', '--no-cache', '--concurrency', '1', '--json'], { cwd: w.root, reject: false, env: { TEST_OPENAI_KEY: 'sk-test', NO_COLOR: '1' } });
      await new Promise((r) => setTimeout(r, 2500));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      const report = JSON.parse(String(r.stdout));
      expect(report.interrupted).toBe(true);
      expect(report.totals.cases).toBeLessThan(3);
      expect(existsSync(join(w.root, 'evals/inv.yaml'))).toBe(true);
    } finally {
      server.setLatency(0);
    }
  });
});

describe('aigov eval --changed-since', () => {
  it('runs only the suites whose suite file, prompt file or model pin changed since a git ref', async () => {
    const { execFileSync } = await import('node:child_process');
    const w = await pinned();
    // A second suite on a second prompt, so one can change without the other.
    w.write('prompts/inv2.yaml', readFileSync(join(w.root, 'prompts/inv.yaml'), 'utf8').replace('id: inv', 'id: inv2'));
    w.write('evals/inv2.yaml', readFileSync(join(w.root, 'evals/inv.yaml'), 'utf8').replace('suite: inv', 'suite: inv2').replace('prompt: inv', 'prompt: inv2'));
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: w.root, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');

    const none = await aigov(['eval', '--changed-since', 'HEAD', '--json'], { cwd: w.root });
    expect(none.exitCode).toBe(0);
    expect(none.stderr).toContain('no suite changed since HEAD');
    expect(JSON.parse(none.stdout).suites).toEqual([]);

    w.write('evals/inv2.yaml', `${readFileSync(join(w.root, 'evals/inv2.yaml'), 'utf8')}# touched\n`);
    const one = await aigov(['eval', '--changed-since', 'HEAD', '--json'], { cwd: w.root });
    expect(JSON.parse(one.stdout).suites.map((s: { suite: string }) => s.suite)).toEqual(['inv2']);

    // A new pin of the model both prompts use puts both suites back in.
    w.write('aigov.lock', readFileSync(join(w.root, 'aigov.lock'), 'utf8').replace(/resolved: openai:\S+/, 'resolved: openai:gpt-4o-mini-2024-07-18'));
    const both = await aigov(['eval', '--changed-since', 'HEAD', '--json'], { cwd: w.root });
    expect(JSON.parse(both.stdout).suites.map((s: { suite: string }) => s.suite)).toEqual(['inv', 'inv2']);

    expect((await aigov(['eval', '--changed-since', 'no-such-ref'], { cwd: w.root })).exitCode).toBe(2);
  });
});
