// `aigov eval --merge` through the built binary: the reports of `--shard i/n`
// runs, in a git repository, merge to what one run reports.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { gitRepo, type TestRepo } from '../support/git-repo.js';
import { classifierFiles } from '../support/workspace.js';

let server: ModelServer;
const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel', chairs: 'other', hotel: 'travel', laptop: 'software', water: 'utilities', taxi: 'travel' };

beforeAll(async () => {
  server = await startModelServer({ answer: (req) => ANSWERS[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other' });
});
afterAll(() => server.close());
let repos: TestRepo[] = [];
afterEach(() => {
  repos.forEach((r) => r.cleanup());
  repos = [];
});

/** Seven cases, two of which the model gets "wrong" (laptop, taxi), pinned and committed. */
async function workspace(): Promise<TestRepo> {
  const expect = { power: 'utilities', flight: 'travel', chairs: 'other', hotel: 'travel', laptop: 'hardware', water: 'utilities', taxi: 'transport' };
  const r = gitRepo(classifierFiles({ baseURL: server.openaiBaseURL, expect }));
  repos.push(r);
  r.write('.gitignore', '.aigov/\n*.json\n*.xml\n');
  const pin = await aigov(['pin'], { cwd: r.dir, env: r.env });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  r.commit('workspace');
  return r;
}

async function shard(r: TestRepo, i: number, n: number): Promise<string> {
  const file = `shard-${i}.json`;
  const run = await aigov(['eval', '--shard', `${i}/${n}`, '-o', file, '--quiet'], { cwd: r.dir, env: r.env });
  expect(run.exitCode, run.stderr).toBe(run.stdout.includes('FAIL') ? 1 : 0);
  return file;
}

/** What must agree between one run and the merge: everything but timings. */
function essence(report: { suites: { suite: string; cases: unknown[]; totals: object }[]; totals: object }) {
  const untimed = (t: object) => ({ ...t, durationMs: 0 });
  return {
    suites: report.suites.map((s) => ({ suite: s.suite, cases: (s.cases as { samples: object[] }[]).map((c) => ({ ...c, samples: c.samples.map((x) => ({ ...x, latencyMs: 0, source: undefined })) })), totals: untimed(s.totals) })),
    totals: untimed(report.totals),
  };
}

describe('aigov eval --merge', () => {
  it('merges three shard reports into what one run reports: cases, totals, exit code, and every output format', async () => {
    const r = await workspace();
    const files = [await shard(r, 2, 3), await shard(r, 1, 3), await shard(r, 3, 3)];
    const parts = files.map((f) => JSON.parse(readFileSync(join(r.dir, f), 'utf8')));
    const commit = r.git('rev-parse', 'HEAD').trim();
    for (const p of parts) {
      expect(p.commit).toBe(commit);
      expect(p.dirty).toBe(false);
      expect(p.lockSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const one = await aigov(['eval', '--json'], { cwd: r.dir, env: r.env });
    expect(one.exitCode).toBe(1);
    const summary = join(r.dir, 'summary.md');
    writeFileSync(summary, '');
    const merged = await aigov(['eval', '--merge', ...files, '--json', '-o', 'merged.xml'], { cwd: r.dir, env: { ...r.env, GITHUB_STEP_SUMMARY: summary } });
    expect(merged.stderr).toBe('');
    expect(merged.exitCode).toBe(1);
    const report = JSON.parse(merged.stdout);
    const single = JSON.parse(one.stdout);
    expect(essence(report)).toEqual(essence(single));
    expect(report.suites[0].cases.map((c: { id: string }) => c.id)).toEqual(['power', 'flight', 'chairs', 'hotel', 'laptop', 'water', 'taxi']);
    expect(report.totals).toMatchObject({ cases: 7, passed: 5, failed: 2, errors: 0 });
    expect(report.commit).toBe(commit);
    expect(report.shard).toBeUndefined();
    const junit = readFileSync(join(r.dir, 'merged.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain('laptop');
    expect(readFileSync(summary, 'utf8')).toContain('## aigov eval: ❌ deviations');
    const table = await aigov(['eval', '--merge', ...files], { cwd: r.dir, env: r.env });
    expect(table.exitCode).toBe(1);
    expect(table.stdout).toContain('FAIL inv/laptop');
    expect(table.stdout).toContain('FAIL inv/taxi');
    expect(table.stdout).toContain('evals/inv.yaml:');
  });

  it('exits 0 when every shard passed, and needs no workspace to merge', async () => {
    const r = await workspace();
    r.write('evals/inv.yaml', readFileSync(join(r.dir, 'evals/inv.yaml'), 'utf8').replace('expect: hardware', 'expect: software').replace('expect: transport', 'expect: travel'));
    r.commit('fixed expectations');
    const files = [await shard(r, 1, 2), await shard(r, 2, 2)];
    const merged = await aigov(['eval', '--merge', ...files.map((f) => join(r.dir, f)), '--format', 'markdown'], { cwd: '/', env: r.env });
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout).toContain('## aigov eval: ✅ all suites pass');
  });

  it('refuses shards of different commits or locks, a missing or repeated shard, and run flags (exit 2)', async () => {
    const r = await workspace();
    const [s1, s2] = [await shard(r, 1, 3), await shard(r, 2, 3)];
    const s3 = await shard(r, 3, 3);
    const merge = (...args: string[]) => aigov(['eval', '--merge', ...args], { cwd: r.dir, env: r.env });

    const missing = await merge(s1, s3);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('E_MERGE_SHARD_MISSING: shard 2/3 missing');

    const twice = await merge(s1, s2, s3, s2);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain('E_MERGE_SHARD_DUPLICATE: shard 2/3 is given 2 times');

    // The lock changes without a commit: same commit, different lock.
    r.write('aigov.lock', readFileSync(join(r.dir, 'aigov.lock'), 'utf8').replace(/pinnedBy: .*/, 'pinnedBy: someone-else@example.com'));
    await aigov(['eval', '--shard', '3/3', '-o', 'other-lock.json', '--quiet'], { cwd: r.dir, env: r.env });
    const lock = await merge(s1, s2, 'other-lock.json');
    expect(lock.exitCode).toBe(2);
    expect(lock.stderr).toMatch(/E_MERGE_LOCK_MISMATCH: .*different aigov\.lock files/);

    r.commit('a new commit');
    await aigov(['eval', '--shard', '3/3', '-o', 'later.json', '--quiet'], { cwd: r.dir, env: r.env });
    const commits = await merge(s1, s2, 'later.json');
    expect(commits.exitCode).toBe(2);
    expect(commits.stderr).toMatch(/E_MERGE_COMMIT_MISMATCH: .*different commits/);

    const notShard = await aigov(['eval', '-o', 'full.json', '--quiet'], { cwd: r.dir, env: r.env });
    expect(notShard.exitCode).toBe(1);
    expect((await merge('full.json')).stderr).toContain('E_MERGE_BAD_REPORT: full.json is not the report of a shard');

    writeFileSync(join(r.dir, 'junk.json'), '{"version": 1, "suites": "no"}');
    const junk = await merge(s1, 'junk.json');
    expect(junk.exitCode).toBe(2);
    expect(junk.stderr).toContain('junk.json is not a complete eval report');
    expect((await merge('nope.json')).stderr).toContain('nope.json: cannot read it: no such file');

    // Where the merged report goes is checked before anything is read.
    const folder = await merge(s1, s2, s3, '-o', 'no-such-folder/merged.xml');
    expect(folder.exitCode).toBe(2);
    expect(folder.stderr).toContain('E_OUTPUT_PATH');
    const ext = await merge(s1, s2, s3, '-o', 'merged.bin');
    expect(ext.exitCode).toBe(2);
    expect(ext.stderr).toContain('cannot tell a report format from "merged.bin"');

    for (const flags of [['--replay'], ['--shard', '1/2'], ['--no-cache'], ['--repeat', '3']]) {
      const r2 = await aigov(['eval', ...flags, '--merge', s1, s2, s3], { cwd: r.dir, env: r.env });
      expect(r2.exitCode).toBe(2);
      expect(r2.stderr).toContain('--merge runs nothing');
    }
  });
});
