// The GitHub Action (action.yml) run step by step as the runner runs it, in a
// checkout of a pull request made from a real origin repository, with the
// project's own aigov installed the way `npm ci` installs it (node_modules/.bin/aigov,
// a link to the built bin/aigov.js, which the action finds by default),
// a model server and a GitHub API on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { startGitHubApi, type GitHubApiServer } from '../support/github-api.js';
import { ACTION_PATH, runAction, type ActionResult } from '../support/action-runner.js';
import { aigov, BIN } from '../support/cli.js';
import { gitRepo, type TestRepo } from '../support/git-repo.js';
import { automationYaml, configYaml } from '../support/workspace.js';

const TOKEN = 'ghs_test_token';
const MARKER = '<!-- aigov-eval -->';
const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel', hotel: 'travel', laptop: 'software', water: 'utilities' };

/**
 * The model: the right category, except that a system prompt asking for the
 * trip's purpose answers travel invoices with "business" (two cases break), and
 * one that allows any case capitalises "Software" (an output that changes, and
 * still passes its icontains assertion).
 */
function answer(system: string, text: string): string {
  const right = ANSWERS[text] ?? 'other';
  if (/purpose of the trip/.test(system) && right === 'travel') return 'business';
  if (/any case/.test(system) && right === 'software') return 'Software';
  return right;
}

let model: ModelServer;
let api: GitHubApiServer;
beforeAll(async () => {
  model = await startModelServer({ answer: (req) => answer(req.messages[0].content, /Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? '') });
});
afterAll(() => model.close());
let cleanup: (() => void)[] = [];
afterEach(async () => {
  await api?.close();
  cleanup.forEach((c) => c());
  cleanup = [];
});

const prompt = (system: string, version: number) => `id: inv
version: ${version}
model: fast
params: { temperature: 0 }
messages:
  - role: system
    content: "${system}"
  - role: user
    content: "Invoice: {{text}}"
vars:
  text: { type: string }
`;

const SUITE = `suite: inv
prompt: inv
cases:
  - { id: power, vars: { text: power }, expect: utilities }
  - { id: flight, vars: { text: flight }, expect: travel }
  - { id: hotel, vars: { text: hotel }, expect: travel }
  - id: laptop
    vars: { text: laptop }
    assert:
      - { type: icontains, value: software }
  - { id: water, vars: { text: water }, expect: utilities }
`;

const GOVERNANCE =
  'evals: [inv]\ngovernance:\n  purpose: Files invoices.\n  data: Invoice text.\n  decisions: { autonomous: Nothing., humanReview: Every run. }\n' +
  '  testing: The inv suite.\n  monitoring: The dashboard.\n  overrideProcess: A clerk overrides.\n  limitations: One category.\n';

interface Project {
  work: TestRepo;
  /** The bare repository the checkouts are cloned from: GitHub's side. */
  origin: string;
  /** Commits what the work tree holds on `branch` and pushes it. */
  push(branch: string, message: string): void;
}

async function ok(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const r = await aigov(args, { cwd, env });
  if (r.exitCode !== 0) throw new Error(`aigov ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
}

/** main: a pinned workspace (with its governance pages where `docs`), pushed to origin. */
async function project(opts: { docs: boolean }): Promise<Project> {
  const work = gitRepo({
    '.gitignore': '.aigov/\nnode_modules/\n',
    'aigov.yaml': configYaml(model.openaiBaseURL),
    'prompts/inv.yaml': prompt('One word.', 1),
    'evals/inv.yaml': SUITE,
    'automations/inv.yaml': automationYaml('inv', 1, 'inv', GOVERNANCE),
  });
  cleanup.push(work.cleanup);
  await ok(['pin'], work.dir, work.env);
  if (opts.docs) await ok(['docs'], work.dir, work.env);
  work.commit('workspace');
  const origin = mkdtempSync(join(tmpdir(), 'aigov-origin-'));
  cleanup.push(() => rmSync(origin, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '--bare', origin], { env: work.env });
  work.git('remote', 'add', 'origin', origin);
  work.git('push', '-q', 'origin', 'main');
  return {
    work,
    origin,
    push(branch, message) {
      if (work.git('branch', '--show-current').trim() !== branch) work.git('checkout', '-q', '-B', branch);
      work.commit(message);
      work.git('push', '-q', '-f', 'origin', branch);
    },
  };
}

/** A prompt edit on the pull-request branch, bumped, pinned and documented as a careful author does. */
async function edit(p: Project, branch: string, system: string, version: number, message: string): Promise<void> {
  if (p.work.git('branch', '--show-current').trim() !== branch) p.work.git('checkout', '-q', '-B', branch);
  p.work.write('prompts/inv.yaml', prompt(system, version));
  await ok(['pin'], p.work.dir, p.work.env);
  if (existsSync(join(p.work.dir, 'docs/automations'))) await ok(['docs'], p.work.dir, p.work.env);
  p.push(branch, message);
}

/** What actions/checkout and `npm ci` leave: a clone at the branch, aigov in node_modules/.bin. */
function checkout(p: Project, branch: string, opts: { shallow?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-checkout-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const how = opts.shallow ? ['--depth', '1', '--single-branch'] : [];
  execFileSync('git', ['clone', '-q', ...how, '--branch', branch, `file://${p.origin}`, dir], { env: p.work.env });
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(BIN, join(dir, 'node_modules/.bin/aigov'));
  return dir;
}

/** The job's environment on a runner: no GITHUB_* of the process that runs the tests. */
function jobEnv(p: Project, dir: string, event: { name: string; base?: string; head?: string; payload: object }): Record<string, string | undefined> {
  const inherited = Object.fromEntries(Object.entries(p.work.env).filter(([k]) => !/^(GITHUB_|RUNNER_|ACTIONS_)/.test(k)));
  const runnerTemp = mkdtempSync(join(tmpdir(), 'aigov-runner-temp-'));
  cleanup.push(() => rmSync(runnerTemp, { recursive: true, force: true }));
  const eventPath = join(runnerTemp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  return {
    ...inherited,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'octo-org/invoices',
    GITHUB_API_URL: api.url,
    GITHUB_BASE_REF: event.base ?? '',
    GITHUB_HEAD_REF: event.head ?? '',
    RUNNER_TEMP: runnerTemp,
    TEST_OPENAI_KEY: 'sk-test',
  };
}

const pullRequest = (head: string) => ({ name: 'pull_request', base: 'main', head, payload: { action: 'synchronize', number: 7, pull_request: { number: 7, base: { ref: 'main' }, head: { ref: head } } } });

const step = (r: ActionResult, id: string) => r.steps.find((s) => s.id === id);
const body = (r: ActionResult) => readFileSync(r.outputs['comment-file'], 'utf8');

// Each test runs the action once or twice: a dozen aigov processes on a loaded machine.
describe('the GitHub Action', { timeout: 180_000 }, () => {
  it('fails a pull request whose prompt edit breaks two cases, naming both, and creates the one comment; a fix updates that comment and passes', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7], pageSize: 2 });
    api.seed(7, 'Please also check the hotel invoices.');
    const p = await project({ docs: true });
    await edit(p, 'prompt-edit', 'One word. For travel, name the purpose of the trip.', 2, 'ask for the purpose of trips');

    const dir = checkout(p, 'prompt-edit');
    const broken = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, dir, pullRequest('prompt-edit')) });
    expect(broken.exitCode, broken.log).toBe(1);
    expect(broken.steps[0].outputs.aigov).toBe(join(dir, 'node_modules/.bin/aigov'));
    expect(broken.steps.map((s) => [s.id, s.exitCode])).toEqual([['checks', 0], ['eval', 0], ['body', 0], ['comment', 0], ['result', 1]]);
    expect(broken.outputs).toMatchObject({ 'exit-code': '1', baseline: 'origin/main', 'comment-error': '' });
    // The cases that got worse are annotated at their lines in the suite file.
    expect(step(broken, 'eval')!.stdout).toMatch(/^::error file=evals\/inv\.yaml,line=5,title=worse against origin\/main%3A inv\/flight::at origin\/main: pass "travel"%0Anow: fail "business"$/m);
    expect(step(broken, 'eval')!.stdout).toMatch(/^::error file=evals\/inv\.yaml,line=6,title=worse against origin\/main%3A inv\/hotel::/m);
    const first = body(broken);
    // The comparison names both cases that got worse, and every check passed.
    expect(first).toMatch(/flight/);
    expect(first).toMatch(/hotel/);
    expect(first).toContain('- ✅ `aigov validate`\n- ✅ `aigov pin --check`\n- ✅ `aigov docs --check`\n');
    // The job summary is the comment; the comment is the body with the marker.
    expect(broken.summary).toContain(first);
    const posted = api.comments(7).filter((c) => c.body.startsWith(MARKER));
    expect(posted).toHaveLength(1);
    expect(posted[0].body).toBe(`${MARKER}\n${first.trim()}\n`);
    expect(broken.outputs['comment-url']).toBe(posted[0].html_url);
    expect(api.requests.map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`)).toEqual(['GET /repos/octo-org/invoices/issues/7/comments', 'POST /repos/octo-org/invoices/issues/7/comments']);
    expect(api.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    console.log(`--- the pull-request comment of a breaking prompt edit ---\n${posted[0].body}--- end of the comment ---`);

    // The author rewords instead: every case passes, one output changed.
    await edit(p, 'prompt-edit', 'One word, any case.', 3, 'reword: one word, any case');
    api.requests.length = 0;
    const fixed = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, checkout(p, 'prompt-edit'), pullRequest('prompt-edit')) });
    expect(fixed.exitCode, fixed.log).toBe(0);
    expect(fixed.outputs['exit-code']).toBe('0');
    const second = body(fixed);
    expect(second).toMatch(/laptop/);
    expect(second).not.toMatch(/flight|hotel/);
    const after = api.comments(7);
    expect(after).toHaveLength(2);
    expect(after.filter((c) => c.body.startsWith(MARKER)).map((c) => c.id)).toEqual([posted[0].id]);
    expect(after[1].body).toBe(`${MARKER}\n${second.trim()}\n`);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect(fixed.outputs['comment-url']).toBe(posted[0].html_url);
  });

  it('keeps the gate’s exit code when the comment cannot be posted (a fork’s read-only token), and says so', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7] });
    const p = await project({ docs: true });
    await edit(p, 'reword', 'One word, any case.', 2, 'reword');
    api.fail({ status: 403, method: 'POST' });
    const r = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, checkout(p, 'reword'), pullRequest('reword')) });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', 'comment-error': 'E_GITHUB_FORBIDDEN', 'comment-url': '' });
    expect(step(r, 'comment')!.stdout).toMatch(/^::warning title=aigov: the pull-request comment was not posted::E_GITHUB_FORBIDDEN: could not create the comment: GitHub answered 403 \(Resource not accessible by integration\): the token may not comment on octo-org\/invoices \(hint: give the job `permissions: pull-requests: write`; on a pull request from a fork GITHUB_TOKEN is read-only\)$/m);
    expect(r.summary).toMatch(/> \[!WARNING\]\n> The pull-request comment was not posted: E_GITHUB_FORBIDDEN: /);
    expect(api.comments(7)).toEqual([]);
    expect(body(r)).toContain('## aigov eval');
  });

  it('on a push runs a plain eval, posts nothing, and ends with its exit code', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7] });
    const p = await project({ docs: true });
    await edit(p, 'prompt-edit', 'One word. For travel, name the purpose of the trip.', 2, 'ask for the purpose of trips');
    const push = { name: 'push', payload: { ref: 'refs/heads/prompt-edit', after: p.work.git('rev-parse', 'HEAD').trim() } };
    // Run as a command given in the input, as a project without node_modules/.bin would.
    const r = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN, aigov: `node ${BIN}` }, env: jobEnv(p, checkout(p, 'prompt-edit'), push) });
    expect(r.exitCode, r.log).toBe(1);
    expect(step(r, 'checks')!.outputs.aigov).toBe(`node ${BIN}`);
    expect(r.outputs).toMatchObject({ 'exit-code': '1', baseline: '', 'comment-url': '', 'comment-error': '' });
    expect(step(r, 'eval')!.stdout).toContain('::group::aigov eval --format github -o ');
    expect(step(r, 'eval')!.stdout).toMatch(/^::error file=evals\/inv\.yaml,line=5,title=deviation%3A inv\/flight::/m);
    expect(body(r)).toContain('## aigov eval: ❌ deviations');
    expect(body(r)).toMatch(/fail: inv\/flight/);
    expect(step(r, 'comment')!.stdout).toContain('not a pull request (push): no comment to post');
    expect(api.requests).toEqual([]);
  });

  it('fails on a prompt edited without a version bump though the eval passes, skips the pages where there are none, and fetches the base into a shallow checkout', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7] });
    const p = await project({ docs: false });
    p.work.git('checkout', '-q', '-b', 'no-bump');
    p.work.write('prompts/inv.yaml', prompt('Answer with one word.', 1));
    p.push('no-bump', 'reword without a bump');
    const dir = checkout(p, 'no-bump', { shallow: true });
    expect(() => execFileSync('git', ['rev-parse', '--verify', '--quiet', 'origin/main'], { cwd: dir, env: p.work.env })).toThrow();
    const r = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, dir, pullRequest('no-bump')) });
    expect(r.exitCode, r.log).toBe(1);
    expect(step(r, 'eval')!.stdout).toContain('origin/main is not in the checkout: fetching it');
    expect(readFileSync(join(r.outputs['comment-file'], '..', 'eval.code'), 'utf8').trim()).toBe('0');
    const text = body(r);
    expect(text).toContain('- ✅ `aigov validate`\n- ❌ `aigov pin --check` (exit 1)\n- ➖ governance pages: not checked (no docs/automations; `aigov docs` writes them)\n');
    expect(text).toMatch(/<details><summary><code>aigov pin --check<\/code>: exit 1<\/summary>\n\n~~~~text\ndrift prompts\/inv.yaml: prompt "inv" changed since it was locked at version 1 without a version bump[^\n]*\n~~~~\n\n<\/details>/);
    expect(api.comments(7)).toHaveLength(1);
  });

  it('runs no eval on a workspace that does not validate, and the comment shows why, with the line', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7] });
    const p = await project({ docs: false });
    p.work.git('checkout', '-q', '-b', 'typo');
    p.work.write('prompts/inv.yaml', prompt('One word.', 2).replace('{{text}}', '{{txet}}'));
    p.push('typo', 'a typo in the template');
    const r = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, checkout(p, 'typo'), pullRequest('typo')) });
    expect(r.exitCode, r.log).toBe(2);
    expect(r.outputs['exit-code']).toBe('2');
    expect(step(r, 'eval')!.stdout).toBe('aigov eval: not run, the workspace does not validate');
    const text = body(r);
    expect(text).toMatch(/^## aigov eval: ❌ not run\n/);
    expect(text).toContain('- ❌ `aigov validate` (exit 2)\n');
    expect(text).toMatch(/<summary><code>aigov validate<\/code>: exit 2<\/summary>\n\n~~~~text\n[\s\S]*prompts\/inv\.yaml:\d+:\d+ error [^\n]*unknown variable "txet"/);
    expect(api.comments(7)[0].body).toBe(`${MARKER}\n${text.trim()}\n`);
  });

  it('stops at once, naming the fix, where the project has not installed aigov', async () => {
    api = await startGitHubApi({ token: TOKEN, pulls: [7] });
    const p = await project({ docs: false });
    const dir = checkout(p, 'main');
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    const r = await runAction({ actionPath: ACTION_PATH, inputs: { token: TOKEN }, env: jobEnv(p, dir, pullRequest('main')) });
    expect(r.exitCode).toBe(2);
    expect(r.steps.map((s) => s.id)).toEqual(['checks']);
    expect(r.steps[0].stdout).toMatch(/^::error title=aigov is not installed::no node_modules\/.bin\/aigov in \S+ or above it: add aigov to the project's devDependencies and run npm ci before this action, or set the aigov input$/m);
    expect(api.requests).toEqual([]);
  });
});
