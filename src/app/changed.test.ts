import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem, type Problem } from '../errors.js';
import { gitRepo, type TestRepo } from '../../test/support/git-repo.js';
import { classifierFiles, promptYaml } from '../../test/support/workspace.js';
import { changedSuites } from './changed.js';
import { createGit } from './git.js';
import { readWorkspace } from './read-workspace.js';

let repos: TestRepo[] = [];
afterEach(() => {
  repos.forEach((r) => r.cleanup());
  repos = [];
});

const lock = (resolved: string, judge = 'openai:gpt-4o-2024-08-06'): string => `lockfileVersion: 1
models:
  fast: { requested: openai:gpt-4o-mini, resolved: ${resolved}, pinnedAt: 2026-01-01T00:00:00Z, pinnedBy: a@example.com }
  judge: { requested: openai:gpt-4o, resolved: ${judge}, pinnedAt: 2026-01-01T00:00:00Z, pinnedBy: a@example.com }
prompts: {}
`;

/** Three suites: `inv` and `inv2` on their own prompts, `graded` on inv2's prompt with a judge. */
function repo(): TestRepo {
  const base = classifierFiles();
  const r = gitRepo({
    ...base,
    'aigov.yaml': base['aigov.yaml'].replace('  fast: openai:gpt-4o-mini\n', '  fast: openai:gpt-4o-mini\n  judge: openai:gpt-4o\n'),
    'aigov.lock': lock('openai:gpt-4o-mini-2024-07-18'),
    'prompts/inv2.yaml': promptYaml('inv2'),
    'evals/inv2.yaml': base['evals/inv.yaml'].replace('suite: inv', 'suite: inv2').replace('prompt: inv', 'prompt: inv2'),
    'evals/graded.yaml': 'suite: graded\nprompt: inv2\ncases:\n  - id: a\n    vars: { text: a }\n    assert: [{ type: judge, rubric: fine, model: judge }]\n',
  });
  repos.push(r);
  r.commit('base');
  return r;
}

async function changed(r: TestRepo, ref = 'HEAD', problems: Problem[] = []): Promise<string[]> {
  const ws = readWorkspace(r.dir);
  expect(ws.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return changedSuites(ws, ref, { git: createGit(r.dir, { env: r.env }), onProblem: (p) => problems.push(p) });
}

describe('changedSuites', () => {
  it('names the suites whose suite file, prompt file, model pin or judge pin changed', async () => {
    const r = repo();
    expect(await changed(r)).toEqual([]);
    r.write('evals/inv.yaml', `${classifierFiles()['evals/inv.yaml']}# touched\n`);
    expect(await changed(r)).toEqual(['inv']);
    r.git('checkout', '-q', '--', '.');
    r.write('prompts/inv2.yaml', promptYaml('inv2', { version: 2 }));
    expect(await changed(r)).toEqual(['graded', 'inv2']);
    r.git('checkout', '-q', '--', '.');
    r.write('aigov.lock', lock('openai:gpt-4o-mini-2024-07-18', 'openai:gpt-4o-2024-11-20'));
    expect(await changed(r)).toEqual(['graded']);
    r.write('aigov.lock', lock('openai:gpt-4o-mini-2025-01-01'));
    expect(await changed(r)).toEqual(['graded', 'inv', 'inv2']);
  });

  it('counts an untracked suite, and compares with any ref, not only HEAD', async () => {
    const r = repo();
    const base = r.git('rev-parse', 'HEAD').trim();
    r.write('evals/new.yaml', 'suite: new\nprompt: inv\ncases: [{ id: a, vars: { text: a }, expect: a }]\n');
    expect(await changed(r)).toEqual(['new']);
    r.commit('new suite');
    expect(await changed(r)).toEqual([]);
    expect(await changed(r, base)).toEqual(['new']);
    expect(await changed(r, 'HEAD~1')).toEqual(['new']);
  });

  it('reads the lock at the ref with the lock parser: a garbage lock there is a warning naming the ref, and every suite runs', async () => {
    const r = repo();
    r.write('aigov.lock', `<<<<<<< ours\n${lock('openai:gpt-4o-mini-2024-07-18')}=======\n>>>>>>> theirs\n`);
    r.commit('a conflict committed by mistake');
    r.write('aigov.lock', lock('openai:gpt-4o-mini-2024-07-18'));
    const problems: Problem[] = [];
    expect(await changed(r, 'HEAD', problems)).toEqual(['graded', 'inv', 'inv2']);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.severity).toBe('warning');
      expect(formatProblem(p)).toMatch(/^HEAD:aigov\.lock:\d+:\d+ warning .*\(the lock at HEAD is taken as pinning nothing\)$/);
    }
  });

  it('a ref without a lock pins nothing, silently', async () => {
    const r = repo();
    r.remove('aigov.lock');
    r.commit('no lock');
    r.write('aigov.lock', lock('openai:gpt-4o-mini-2024-07-18'));
    const problems: Problem[] = [];
    expect(await changed(r, 'HEAD', problems)).toEqual(['graded', 'inv', 'inv2']);
    expect(problems).toEqual([]);
  });

  it('names the flag in its errors: unknown ref, no repository', async () => {
    const r = repo();
    await expect(changed(r, 'no-such-ref')).rejects.toMatchObject({ code: 'E_UNKNOWN_REF', exitCode: 2, message: '--changed-since: "no-such-ref" is not a commit in this repository' });
    r.remove('.git');
    await expect(changed(r, 'main')).rejects.toMatchObject({ code: 'E_NOT_GIT_REPO', exitCode: 2, message: expect.stringMatching(/^--changed-since main: the workspace .* is not inside a git repository$/) });
  });
});
