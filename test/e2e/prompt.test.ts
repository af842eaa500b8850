// `aigov prompt show | diff | history` through the built binary, in a git
// repository the test makes: commits with fixed authors and dates, an eval
// recorded for the first version, and an edit left in the working tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { gitRepo, type TestRepo } from '../support/git-repo.js';
import { classifierFiles, promptYaml } from '../support/workspace.js';

let server: ModelServer;
let repo: TestRepo;
const commits: string[] = [];
const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel' };

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => aigov(args, { cwd: repo.dir, env: { ...repo.env, ...env } });
const json = async (args: string[]) => {
  const r = await run([...args, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  server = await startModelServer({ answer: (req) => ANSWERS[/(\w+)$/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other' });
  repo = gitRepo(classifierFiles({ baseURL: server.openaiBaseURL }));
  repo.write('.gitignore', '.aigov/\n');
  const pin = await run(['pin']);
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  // 1: version 1, evaluated; the eval is recorded in the run log for its hash.
  commits.push(repo.commit('add the invoice prompt', { date: '2026-03-01T09:00:00+01:00', author: 'Ann Author', email: 'ann@example.com' }));
  const ev = await run(['eval']);
  if (ev.exitCode !== 0) throw new Error(`eval failed: ${ev.stdout}${ev.stderr}`);
  // 2: version 2, reworded.
  repo.write('prompts/inv.yaml', promptYaml('inv', { version: 2, user: 'Bill: {{text}}' }));
  commits.push(repo.commit('reword the user message', { date: '2026-03-02T10:00:00Z', author: 'Bea Builder', email: 'bea@example.com' }));
  // 3: only a description: the same content, so no new version.
  repo.write('prompts/inv.yaml', `${promptYaml('inv', { version: 2, user: 'Bill: {{text}}' })}description: Classify an invoice.\n`);
  commits.push(repo.commit('describe it', { date: '2026-03-03T10:00:00Z' }));
  // 4: the content changes again under the same version number.
  repo.write('prompts/inv.yaml', promptYaml('inv', { version: 2, user: 'Invoice text: {{text}}' }).replace('temperature: 0', 'temperature: 0.3'));
  commits.push(repo.commit('tweak without a bump', { date: '2026-03-04T10:00:00Z', author: 'Cy Careless', email: 'cy@example.com' }));
  // The working tree: version 3, not committed, with hostile text in a message.
  repo.write('prompts/inv.yaml', promptYaml('inv', { version: 3, user: 'Invoice text: {{text}} \\u001b[2J\\u202e' }));
});
afterAll(async () => {
  repo?.cleanup();
  await server?.close();
});

describe('aigov prompt show', () => {
  it('ID: the working tree, rendered, with untrusted text made safe', async () => {
    const r = await run(['prompt', 'show', 'inv']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^prompt inv, version 3, at the working tree\n/);
    expect(r.stdout).toContain('model       fast = openai:gpt-4o-mini, pinned openai:gpt-4o-mini');
    expect(r.stdout).toContain('params      {"temperature":0}');
    expect(r.stdout).toContain('output      text, confidence none');
    expect(r.stdout).toContain('vars        text (string, required)');
    expect(r.stdout).toContain('[system]\nOne word.\n\n[user]\nInvoice text: {{text}} ␛[2J⟨U+202E⟩');
    expect(r.stdout).not.toMatch(/\u001b|\u202e/);
  });

  it('ID@VERSION: the commit where that version was current, with its author and date', async () => {
    const one = await json(['prompt', 'show', 'inv@1']);
    expect(one).toMatchObject({ id: 'inv', at: { kind: 'commit', commit: commits[0], author: 'Ann Author', date: '2026-03-01T09:00:00+01:00' }, prompt: { version: 1 }, notes: [] });
    expect(one.prompt.messages[1].content).toBe('Invoice: {{text}}');
    // Version 2 changed under the same number: the last content of it, and a note that says so.
    const two = await json(['prompt', 'show', 'inv@2']);
    expect(two.at.commit).toBe(commits[3]);
    expect(two.prompt.params).toEqual({ temperature: 0.3 });
    expect(two.notes).toEqual([`version 2 had 2 different contents in git (changed without a version bump); this is the last, from ${commits[3].slice(0, 7)}`]);
    const text = await run(['prompt', 'show', 'inv@2']);
    expect(text.stdout).toContain('committed   2026-03-04T10:00:00+00:00 by Cy Careless');
    expect(text.stdout).toContain('note: version 2 had 2 different contents');
    // Not committed yet: the working tree, said so.
    expect(await json(['prompt', 'show', 'inv@3'])).toMatchObject({ at: { kind: 'worktree' }, notes: ['version 3 is not committed yet: this is the working tree'] });
  });

  it('ID@REF: the prompt at any ref, with the model pin of that commit', async () => {
    const head = await json(['prompt', 'show', 'inv@HEAD~2']);
    expect(head).toMatchObject({ at: { kind: 'commit', ref: 'HEAD~2', commit: commits[1] }, prompt: { version: 2, messages: [{}, { content: 'Bill: {{text}}' }] } });
    expect(head.model).toEqual({ name: 'fast', requested: 'openai:gpt-4o-mini', resolved: expect.stringMatching(/^openai:gpt-4o-mini/) });
    expect((await json(['prompt', 'show', `inv@${commits[0].slice(0, 10)}`])).prompt.version).toBe(1);
    // Digits that are no version of the prompt but name a commit (an abbreviated id can be all digits) are that commit.
    repo.git('tag', '20260301', commits[0]);
    expect(await json(['prompt', 'show', 'inv@20260301'])).toMatchObject({ at: { kind: 'commit', ref: '20260301', commit: commits[0] }, prompt: { version: 1 } });
    repo.git('tag', '-d', '20260301');
    expect((await run(['prompt', 'show', 'inv@main'])).stdout).toMatch(/^prompt inv, version 2, at main \(/);
  });

  it('refuses an unknown version, ref or prompt (exit 2), saying what there is', async () => {
    const version = await run(['prompt', 'show', 'inv@9']);
    expect(version.exitCode).toBe(2);
    expect(version.stderr).toContain('E_UNKNOWN_VERSION: prompt "inv" has no version 9 in git or in the working tree');
    expect(version.stderr).toContain('versions in git: 1, 2');
    const ref = await run(['prompt', 'show', 'inv@no-such-branch']);
    expect(ref.exitCode).toBe(2);
    expect(ref.stderr).toContain('E_UNKNOWN_REF: "no-such-branch" is not a commit in this repository');
    const id = await run(['prompt', 'show', 'invv']);
    expect(id.exitCode).toBe(2);
    expect(id.stderr).toContain('E_UNKNOWN_PROMPT: no prompt "invv" in the working tree');
    expect(id.stderr).toContain('inv');
    expect((await run(['prompt', 'show', '@main'])).exitCode).toBe(2);
  });
});

describe('aigov prompt diff', () => {
  it('defaults to the last commit against the working tree: messages as a line diff, params structurally; exit 0', async () => {
    const r = await run(['prompt', 'diff', 'inv']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`prompt inv: HEAD (${commits[3].slice(0, 7)}), version 2 → the working tree, version 3`);
    expect(r.stdout).toContain('  - Invoice text: {{text}}\n  + Invoice text: {{text}} ␛[2J⟨U+202E⟩');
    expect(r.stdout).toContain('  /temperature: 0.3 → 0');
    expect(r.stdout).toContain('model     unchanged: fast = openai:gpt-4o-mini');
    expect(r.stdout).toContain('output    unchanged');
    expect(r.stdout).not.toMatch(/\u001b|\u202e/);
  });

  it('between two versions, with --json; a content change at the same version is flagged', async () => {
    const d = await json(['prompt', 'diff', 'inv', '1', '2']);
    expect(d.a).toMatchObject({ version: 1, at: { commit: commits[0] } });
    expect(d.b).toMatchObject({ version: 2, at: { commit: commits[3] } });
    expect(d.diff).toMatchObject({ same: false, contentChanged: true, notBumped: false, model: { changed: false }, params: [{ path: '/temperature', kind: 'changed', from: 0, to: 0.3 }], output: [], vars: [] });
    expect(d.diff.messages.hunks[0].lines).toEqual(expect.arrayContaining(['-Invoice: {{text}}', '+Invoice text: {{text}}']));
    const same = await run(['prompt', 'diff', 'inv', commits[1], commits[3]]);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('warning: the content changed but the version is still 2: set version: 3');
  });

  it('exits 0 when nothing differs, and says so', async () => {
    const r = await run(['prompt', 'diff', 'inv', 'HEAD~2', 'HEAD~1']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('no change: the same content');
    expect(r.stdout).toContain('description: null → "Classify an invoice."');
  });
});

describe('aigov prompt history', () => {
  it('lists every version at its first commit, with author and date, flags the unbumped change, and shows the eval recorded for a hash', async () => {
    const h = await json(['prompt', 'history', 'inv']);
    expect(h.versions.map((v: { version: number; commit: string | null; author: string | null; date: string | null }) => [v.version, v.commit, v.author, v.date])).toEqual([
      [1, commits[0], 'Ann Author', '2026-03-01T09:00:00+01:00'],
      [2, commits[1], 'Bea Builder', '2026-03-02T10:00:00+00:00'],
      [2, commits[3], 'Cy Careless', '2026-03-04T10:00:00+00:00'],
      [3, null, null, null],
    ]);
    expect(h.versions.map((v: { flags: { code: string }[] }) => v.flags.map((f) => f.code))).toEqual([[], [], ['not_bumped'], []]);
    // The lock's hash of version 1 is the one the history shows.
    const lock = readFileSync(join(repo.dir, 'aigov.lock'), 'utf8');
    expect(lock).toContain(h.versions[0].sha256);
    expect(h.versions[0].evals).toEqual([{ suite: 'inv', model: expect.stringMatching(/^openai:gpt-4o-mini/), mode: 'live', shard: null, runs: 1, passedRuns: 1, last: { at: expect.any(String), passRate: 1, passed: true, cases: 2, commit: commits[0] } }]);
    expect(h.versions.slice(1).map((v: { evals: unknown[] }) => v.evals)).toEqual([[], [], []]);
    expect(h.notes).toEqual([]);

    const text = await run(['prompt', 'history', 'inv']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^prompt inv: 3 versions in git, and the working tree\n/);
    expect(text.stdout).toContain(`${commits[0].slice(0, 7)}`);
    expect(text.stdout).toContain('Ann Author <ann@example.com>');
    expect(text.stdout).toContain('inv: passed, 2/2 cases, openai:gpt-4o-mini');
    expect(text.stdout).toContain(`! version 2 (${commits[3].slice(0, 7)}): content changed without a version bump: version 2 already had content ${h.versions[1].sha256.slice(0, 12)} at ${commits[1].slice(0, 7)}`);
  });

  it('an unreachable run log is a note, not a failure; a missing one too, and none is created', async () => {
    const config = readFileSync(join(repo.dir, 'aigov.yaml'), 'utf8');
    try {
      repo.write('aigov.yaml', `${config}store: postgres://nobody@127.0.0.1:1/none\n`);
      const down = await json(['prompt', 'history', 'inv']);
      expect(down.versions).toHaveLength(4);
      expect(down.notes).toEqual([expect.stringMatching(/^the run log could not be (opened|read) .*: eval results are not shown$/)]);
      repo.write('aigov.yaml', `${config}store: sqlite:.aigov/elsewhere.db\n`);
      const none = await json(['prompt', 'history', 'inv']);
      expect(none.notes).toEqual(['no run log at .aigov/elsewhere.db yet: no eval results to show']);
      expect(() => readFileSync(join(repo.dir, '.aigov/elsewhere.db'))).toThrow();
    } finally {
      repo.write('aigov.yaml', config);
    }
  });

  it('outside a git repository it says so (exit 2)', async () => {
    const plain = gitRepo(classifierFiles());
    try {
      plain.remove('.git');
      const r = await aigov(['prompt', 'history', 'inv'], { cwd: plain.dir, env: plain.env });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/E_NOT_GIT_REPO: the workspace .* is not inside a git repository/);
      // The working tree needs no git.
      expect((await aigov(['prompt', 'show', 'inv'], { cwd: plain.dir, env: plain.env })).exitCode).toBe(0);
    } finally {
      plain.cleanup();
    }
  });

  it('a prompt that is invalid at a ref is refused with its errors, named with the ref', async () => {
    const r = gitRepo(classifierFiles());
    try {
      r.write('prompts/inv.yaml', promptYaml('inv', { user: 'Invoice: {{txt}}' }));
      r.commit('broken');
      r.write('prompts/inv.yaml', promptYaml('inv'));
      const shown = await aigov(['prompt', 'show', 'inv@main'], { cwd: r.dir, env: r.env });
      expect(shown.exitCode).toBe(2);
      expect(shown.stderr).toMatch(/main:prompts\/inv\.yaml:9:\d+ error messages\[1\]\.content: unknown variable "txt"/);
      // History still lists it: the hash is of the schema-valid content, as the lock's.
      const h = JSON.parse((await aigov(['prompt', 'history', 'inv', '--json'], { cwd: r.dir, env: r.env })).stdout);
      expect(h.versions).toHaveLength(2);
      r.write('prompts/inv.yaml', 'id: inv\nversion: [\n');
      r.commit('garbage');
      const g = JSON.parse((await aigov(['prompt', 'history', 'inv', '--json'], { cwd: r.dir, env: r.env })).stdout);
      expect(g.invalid).toEqual([{ commit: expect.any(String), author: 'Ann Author', date: expect.any(String), problems: [expect.stringMatching(/^[0-9a-f]{7}:prompts\/inv\.yaml:\d+:\d+ error invalid YAML/)] }]);
    } finally {
      r.cleanup();
    }
  });
});
