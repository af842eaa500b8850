import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AigovError } from '../errors.js';
import { gitRepo, type TestRepo } from '../../test/support/git-repo.js';
import { createGit, gitState } from './git.js';

let repos: TestRepo[] = [];
afterEach(() => {
  repos.forEach((r) => r.cleanup());
  repos = [];
});

function repo(files: Record<string, string> = {}): TestRepo {
  const r = gitRepo(files);
  repos.push(r);
  return r;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof AigovError ? `${err.code}/${err.exitCode}` : String(err);
  }
}

describe('createGit', () => {
  it('rev-parses refs to full commit ids and refuses unknown ones, option-like ones included', async () => {
    const r = repo({ 'a.txt': 'one' });
    const first = r.commit('one');
    r.write('a.txt', 'two');
    const second = r.commit('two');
    r.git('tag', 'v1', first);
    const git = createGit(r.dir, { env: r.env });
    expect(await git.revParse('HEAD')).toBe(second);
    expect(await git.revParse('main')).toBe(second);
    expect(await git.revParse('HEAD~1')).toBe(first);
    expect(await git.revParse('v1')).toBe(first);
    expect(await git.revParse(first.slice(0, 8))).toBe(first);
    expect(await git.head()).toBe(second);
    for (const bad of ['no-such-branch', '--all', '-h', '', 'HEAD\nmain', 'HEAD:a.txt']) expect(await codeOf(git.revParse(bad))).toBe('E_UNKNOWN_REF/2');
  });

  it('outside a repository, every question is E_NOT_GIT_REPO (exit 2), and evidence is just "no commit"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigov-nogit-'));
    try {
      const env = { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) };
      const git = createGit(dir, { env });
      expect(await codeOf(git.revParse('HEAD'))).toBe('E_NOT_GIT_REPO/2');
      expect(await codeOf(git.changedPaths('HEAD'))).toBe('E_NOT_GIT_REPO/2');
      expect(await codeOf(git.log(['x']))).toBe('E_NOT_GIT_REPO/2');
      expect(await gitState(dir, git)).toEqual({ commit: null, dirty: false });
      expect(await git.state(['.'])).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when git itself is missing', async () => {
    const r = repo();
    const git = createGit(r.dir, { env: { ...r.env, PATH: '/nonexistent' } });
    const err = await git.head().catch((e: AigovError) => e);
    expect(err).toBeInstanceOf(AigovError);
    expect((err as AigovError).code).toBe('E_NOT_GIT_REPO');
    expect((err as AigovError).message).toContain('git is not installed');
  });

  it('a repository without commits has no head, no log and an unknown HEAD', async () => {
    const r = repo({ 'a.txt': 'x' });
    const git = createGit(r.dir, { env: r.env });
    expect(await git.head()).toBeNull();
    expect(await git.log(['a.txt'])).toEqual([]);
    expect(await codeOf(git.revParse('HEAD'))).toBe('E_UNKNOWN_REF/2');
    expect(await gitState(r.dir, git)).toEqual({ commit: null, dirty: false });
  });

  it('shows files at a ref as bytes, null where the ref has none, relative to a workspace in a subfolder', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x0a, 0x41]);
    const r = repo({ 'ws/prompts/x.yaml': 'id: x\n', 'top.txt': 'top' });
    r.write('ws/bin.dat', bytes);
    const c = r.commit('one');
    r.write('ws/prompts/x.yaml', 'id: changed\n');
    const git = createGit(join(r.dir, 'ws'), { env: r.env });
    expect((await git.show('HEAD', 'prompts/x.yaml'))?.toString()).toBe('id: x\n');
    expect(await git.show(c, 'bin.dat')).toEqual(bytes);
    expect(await git.show('HEAD', 'prompts/none.yaml')).toBeNull();
    // A folder is not a file.
    expect(await git.show('HEAD', 'prompts')).toBeNull();
    // The repository's own top is outside the workspace folder: "top.txt" there is not ws/top.txt.
    expect(await git.show('HEAD', 'top.txt')).toBeNull();
    const many = await git.showMany('HEAD', ['bin.dat', 'nope', 'prompts/x.yaml', 'bad\nname']);
    expect(many.map((b) => b?.toString('hex') ?? null)).toEqual([bytes.toString('hex'), null, Buffer.from('id: x\n').toString('hex'), null]);
    expect(await codeOf(git.show('nope', 'prompts/x.yaml'))).toBe('E_UNKNOWN_REF/2');
    // Many commits in one process; anything but a full commit id is not asked for.
    r.write('ws/prompts/x.yaml', 'id: two\n');
    const c2 = r.commit('two');
    const each = await git.showCommits([
      { commit: c2, path: 'prompts/x.yaml' },
      { commit: c, path: 'prompts/x.yaml' },
      { commit: 'HEAD', path: 'prompts/x.yaml' },
      { commit: c, path: 'nope.yaml' },
    ]);
    expect(each.map((b) => b?.toString() ?? null)).toEqual(['id: two\n', 'id: x\n', null, null]);
  });

  it('lists files at a ref with their sizes, relative to the workspace folder', async () => {
    const r = repo({ 'ws/aigov.yaml': 'v', 'ws/prompts/a.yaml': 'aaa', 'ws/prompts/deep/b.yaml': 'b', 'other/c.yaml': 'c' });
    symlinkSync('a.yaml', join(r.dir, 'ws/prompts/link.yaml'));
    r.commit('one');
    const git = createGit(join(r.dir, 'ws'), { env: r.env });
    expect(await git.listFiles('HEAD', ['aigov.yaml', 'prompts', 'evals'])).toEqual([
      { path: 'aigov.yaml', size: 1, symlink: false },
      { path: 'prompts/a.yaml', size: 3, symlink: false },
      { path: 'prompts/deep/b.yaml', size: 1, symlink: false },
      { path: 'prompts/link.yaml', size: 6, symlink: true },
    ]);
  });

  it('changed paths: edits, deletions, both sides of a rename and untracked files, not ignored ones', async () => {
    const r = repo({ 'ws/a.yaml': 'a', 'ws/b.yaml': 'b\n'.repeat(50), 'ws/c.yaml': 'c', 'ws/.gitignore': 'ignored.yaml\n', 'elsewhere.txt': 'e' });
    r.commit('one');
    r.write('ws/a.yaml', 'a2');
    r.git('mv', 'ws/b.yaml', 'ws/renamed.yaml');
    r.remove('ws/c.yaml');
    r.write('ws/new.yaml', 'n');
    r.write('ws/ignored.yaml', 'i');
    r.write('elsewhere.txt', 'changed outside the workspace');
    const git = createGit(join(r.dir, 'ws'), { env: r.env });
    expect((await git.changedPaths('HEAD')).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'new.yaml', 'renamed.yaml']);
  });

  it('logs the commits of a path, newest first, with author, email, strict ISO date and subject', async () => {
    const r = repo({ 'p.yaml': '1' });
    const c1 = r.commit('first', { date: '2026-02-01T09:00:00+01:00', author: 'Bea', email: 'bea@example.com' });
    r.write('other.txt', 'x');
    r.commit('unrelated');
    r.write('p.yaml', '2');
    const c3 = r.commit('second: with a colon', { date: '2026-02-03T10:30:00Z' });
    const git = createGit(r.dir, { env: r.env });
    expect(await git.log(['p.yaml'])).toEqual([
      { commit: c3, author: 'Ann Author', email: 'ann@example.com', date: '2026-02-03T10:30:00+00:00', subject: 'second: with a colon' },
      { commit: c1, author: 'Bea', email: 'bea@example.com', date: '2026-02-01T09:00:00+01:00', subject: 'first' },
    ]);
  });

  it('status lists changes relative to the workspace folder; gitState calls such a tree dirty', async () => {
    const r = repo({ 'ws/aigov.yaml': 'v', 'ws/prompts/a.yaml': 'a', 'notes.txt': 'n' });
    const c = r.commit('one');
    const git = createGit(join(r.dir, 'ws'), { env: r.env });
    expect(await git.status()).toEqual([]);
    expect(await gitState(join(r.dir, 'ws'), git)).toEqual({ commit: c, dirty: false });
    // A change outside the workspace's files does not make its results dirty.
    r.write('notes.txt', 'changed');
    r.write('ws/scratch.txt', 'x');
    expect(await gitState(join(r.dir, 'ws'), git)).toEqual({ commit: c, dirty: false });
    r.write('ws/prompts/a.yaml', 'edited');
    r.write('ws/prompts/new.yaml', 'n');
    expect(await git.status(['prompts'])).toEqual([
      { code: ' M', path: 'prompts/a.yaml' },
      { code: '??', path: 'prompts/new.yaml' },
    ]);
    expect(await gitState(join(r.dir, 'ws'), git)).toEqual({ commit: c, dirty: true });
  });

  it('state asks one git process for HEAD and whether the paths differ from it: staged, renamed, deleted and untracked files all count', async () => {
    const r = repo({ 'ws/aigov.yaml': 'v', 'ws/evals/a.yaml': 'a', 'notes.txt': 'n' });
    const git = createGit(join(r.dir, 'ws'), { env: r.env });
    expect(await git.state(['aigov.yaml', 'evals'])).toEqual({ commit: null, changed: true });
    const c = r.commit('one');
    expect(await git.state(['aigov.yaml', 'evals'])).toEqual({ commit: c, changed: false });
    r.git('mv', 'ws/evals/a.yaml', 'ws/evals/b.yaml');
    expect(await git.state(['evals'])).toEqual({ commit: c, changed: true });
    r.git('mv', 'ws/evals/b.yaml', 'ws/evals/a.yaml');
    r.remove('ws/aigov.yaml');
    expect(await git.state(['aigov.yaml'])).toEqual({ commit: c, changed: true });
    expect(await git.state(['evals', 'no-such-folder'])).toEqual({ commit: c, changed: false });
    r.git('checkout', '-q', '--detach', c);
    expect(await git.state(['evals'])).toEqual({ commit: c, changed: false });
  });

  it('knows a shallow clone', async () => {
    const r = repo({ 'a.txt': '1' });
    r.commit('one');
    r.write('a.txt', '2');
    r.commit('two');
    const clone = mkdtempSync(join(tmpdir(), 'aigov-shallow-'));
    try {
      r.git('clone', '-q', '--depth', '1', `file://${r.dir}`, clone);
      expect(await createGit(clone, { env: r.env }).shallow()).toBe(true);
      expect(await createGit(r.dir, { env: r.env }).shallow()).toBe(false);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
