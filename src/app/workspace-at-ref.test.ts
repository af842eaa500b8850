import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { formatProblem } from '../errors.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { gitRepo, type TestRepo } from '../../test/support/git-repo.js';
import { classifierFiles, promptYaml } from '../../test/support/workspace.js';
import { createGit } from './git.js';
import { readWorkspace } from './read-workspace.js';
import { readLockAt, readWorkspaceAt } from './workspace-at-ref.js';

let repos: TestRepo[] = [];
afterEach(() => {
  repos.forEach((r) => r.cleanup());
  repos = [];
});

/** A repository whose workspace sits in `ws/`, one commit of the classifier workspace. */
function repo(): TestRepo & { root: string } {
  const files = Object.fromEntries(Object.entries(classifierFiles()).map(([p, t]) => [`ws/${p}`, t]));
  const r = gitRepo(files);
  repos.push(r);
  r.commit('base');
  return { ...r, root: join(r.dir, 'ws') };
}

const LOCK = `lockfileVersion: 1
models:
  fast: { requested: openai:gpt-4o-mini, resolved: openai:gpt-4o-mini-2024-07-18, pinnedAt: 2026-01-01T00:00:00Z, pinnedBy: a@example.com }
prompts: {}
`;

describe('readWorkspaceAt', () => {
  it('builds the workspace at a ref exactly as the working tree would from the same files', async () => {
    const r = repo();
    const before = readWorkspace(r.root);
    r.write('ws/prompts/inv.yaml', promptYaml('inv', { version: 2, user: 'Bill: {{text}}' }));
    r.write('ws/evals/extra.yaml', 'suite: extra\nprompt: inv\ncases: [{ id: a, vars: { text: a }, expect: a }]\n');
    const { ws, commit } = await readWorkspaceAt(r.root, 'HEAD', { git: createGit(r.root, { env: r.env }) });
    expect(commit).toBe(r.git('rev-parse', 'HEAD').trim());
    expect(ws.root).toBe(r.root);
    expect(ws.problems).toEqual(before.problems);
    expect([...ws.prompts.keys()]).toEqual(['inv']);
    expect([...ws.suites.keys()]).toEqual(['inv']);
    expect(ws.prompts.get('inv')!.value).toEqual(before.prompts.get('inv')!.value);
    expect(promptHash(ws.prompts.get('inv')!.value)).toBe(promptHash(before.prompts.get('inv')!.value));
    expect(ws.suites.get('inv')!.value).toEqual(before.suites.get('inv')!.value);
    expect(ws.config!.value).toEqual(before.config!.value);
    // The working tree moved on.
    expect(readWorkspace(r.root).prompts.get('inv')!.value.version).toBe(2);
  });

  it('validates the base like any workspace: the same problems at the same lines, named with the ref', async () => {
    const r = repo();
    r.write('ws/prompts/inv.yaml', promptYaml('inv', { user: 'Invoice: {{txt}}' }));
    r.write('ws/evals/bad.yaml', 'suite: bad\nprompt: nope\ncases: [{ id: a, expect: a }]\n');
    r.write('ws/automations/broken.yaml', 'id: broken\n  name: : x\n');
    r.commit('broken');
    const working = readWorkspace(r.root).problems.map(formatProblem);
    r.write('ws/prompts/inv.yaml', promptYaml('inv'));
    r.remove('ws/evals/bad.yaml');
    r.remove('ws/automations/broken.yaml');
    const { ws } = await readWorkspaceAt(r.root, 'main', { git: createGit(r.root, { env: r.env }) });
    expect(working.length).toBeGreaterThanOrEqual(3);
    expect(ws.problems.map(formatProblem)).toEqual(working.map((line) => `main:${line}`));
    expect(ws.problems.map(formatProblem)).toContainEqual(expect.stringMatching(/^main:prompts\/inv\.yaml:9:\d+ error messages\[1\]\.content: unknown variable "txt"/));
  });

  it('applies the size and UTF-8 checks to the bytes from git', async () => {
    const r = repo();
    r.write('ws/prompts/latin1.yaml', Buffer.from('id: latin1\ndescription: caf\xe9\n', 'latin1'));
    r.write('ws/prompts/huge.yaml', `id: huge\ndescription: "${'x'.repeat(5 * 1024 * 1024)}"\n`);
    r.commit('bad bytes');
    const { ws } = await readWorkspaceAt(r.root, 'HEAD', { git: createGit(r.root, { env: r.env }) });
    const lines = ws.problems.map(formatProblem);
    expect(lines).toContain('HEAD:prompts/latin1.yaml:2:17 error not UTF-8 text (save the file as UTF-8)');
    expect(lines).toContain('HEAD:prompts/huge.yaml error file is 5.0 MB; the limit is 5 MB');
  });

  it('reads only what the working tree reader reads: YAML files directly in the folders', async () => {
    const r = repo();
    r.write('ws/prompts/nested/inv2.yaml', promptYaml('inv2'));
    r.write('ws/prompts/.hidden.yaml', 'garbage: [');
    r.write('ws/prompts/notes.md', '# notes');
    r.commit('extras');
    const { ws } = await readWorkspaceAt(r.root, 'HEAD', { git: createGit(r.root, { env: r.env }) });
    expect(ws.problems).toEqual([]);
    expect([...ws.prompts.keys()]).toEqual(['inv']);
  });

  it('says when the ref has no workspace, and refuses an unknown ref', async () => {
    const r = repo();
    const first = r.git('rev-parse', 'HEAD').trim();
    const git = createGit(r.root, { env: r.env });
    r.write('ws/later.txt', 'x');
    r.commit('later');
    // A branch whose only commit holds nothing.
    const emptyTree = r.git('hash-object', '-t', 'tree', '/dev/null').trim();
    r.git('branch', 'empty', r.git('-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit-tree', emptyTree, '-m', 'nothing').trim());
    const { ws } = await readWorkspaceAt(r.root, 'empty', { git });
    expect(ws.problems.map(formatProblem)).toEqual(['empty:aigov.yaml error no aigov.yaml at this ref: the workspace did not exist there']);
    expect((await readWorkspaceAt(r.root, first, { git })).ws.problems).toEqual([]);
    await expect(readWorkspaceAt(r.root, 'no-such-ref', { git })).rejects.toMatchObject({ code: 'E_UNKNOWN_REF' });
  });
});

describe('readLockAt', () => {
  it('parses the lock at a ref with the lock schema; absent and garbage locks are told apart', async () => {
    const r = repo();
    const git = createGit(r.root, { env: r.env });
    expect(await readLockAt(r.root, 'HEAD', { git })).toEqual({ present: false, problems: [] });
    r.write('ws/aigov.lock', LOCK);
    r.commit('lock');
    const ok = await readLockAt(r.root, 'HEAD', { git });
    expect(ok.problems).toEqual([]);
    expect(ok.lock?.models.fast.resolved).toBe('openai:gpt-4o-mini-2024-07-18');
    // Defaults come from the schema, as for the working tree's lock.
    r.write('ws/aigov.lock', 'lockfileVersion: 1\n');
    r.commit('bare lock');
    expect((await readLockAt(r.root, 'HEAD', { git })).lock).toEqual({ lockfileVersion: 1, models: {}, prompts: {} });
    r.write('ws/aigov.lock', `<<<<<<< HEAD\n${LOCK}=======\n${LOCK}>>>>>>> other\n`);
    r.commit('conflict');
    const bad = await readLockAt(r.root, 'HEAD', { git });
    expect(bad.present).toBe(true);
    expect(bad.lock).toBeUndefined();
    expect(bad.problems.length).toBeGreaterThan(0);
    expect(bad.problems.every((p) => p.file === 'HEAD:aigov.lock' && p.severity === 'error')).toBe(true);
    r.write('ws/aigov.lock', 'lockfileVersion: 7\nmodels: {}\n');
    r.commit('future');
    expect((await readLockAt(r.root, 'HEAD', { git })).problems.map(formatProblem)).toEqual([expect.stringMatching(/^HEAD:aigov\.lock:1:18 error lockfileVersion:/)]);
  });
});
