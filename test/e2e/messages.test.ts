// Messages that used to mislead a new user, as the built binary prints them.
import { afterEach, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { aigov } from '../support/cli.js';
import { automationYaml, classifierFiles, tempWorkspace } from '../support/workspace.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});
function workspace(files: Record<string, string> = {}) {
  const w = tempWorkspace({ ...classifierFiles(), ...files });
  cleanup.push(w.cleanup);
  return w;
}

describe('messages', () => {
  it('--changed-since outside a git repository says so (exit 2), not "not a commit"', async () => {
    const w = workspace();
    // Git must not find a repository above the temporary folder either.
    const r = await aigov(['eval', '--changed-since', 'main', '--unlocked'], { cwd: w.root, env: { GIT_CEILING_DIRECTORIES: dirname(w.root) } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--changed-since main: the workspace');
    expect(r.stderr).toContain('is not inside a git repository');
    expect(r.stderr).not.toContain('not a commit');
  });

  it('tier: expected 1, 2 or 3', async () => {
    const w = workspace({ 'automations/inv.yaml': automationYaml('inv', 4, 'inv') });
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('automations/inv.yaml:4:7 error tier: expected 1, 2 or 3, got 4');
    expect(r.stderr).not.toContain('Invalid input');
  });

  it('case vars given as a list: vars is a mapping of name to value', async () => {
    const w = workspace({ 'evals/inv.yaml': 'suite: inv\nprompt: inv\ncases:\n  - id: a\n    vars:\n      - text: power\n    expect: utilities\n' });
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('evals/inv.yaml:6:7 error cases[0].vars: vars is a mapping of variable name to value, e.g. vars: { text: "..." }; got a list');
  });
});
