// `aigov github comment` through the built binary against a GitHub API on 127.0.0.1.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aigov } from '../support/cli.js';
import { startGitHubApi, type GitHubApiServer } from '../support/github-api.js';

const dir = mkdtempSync(join(tmpdir(), 'aigov-gh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const event = file('event.json', JSON.stringify({ number: 7, pull_request: { number: 7 } }));
const report = file('comment.md', '## aigov eval: ✅ all suites pass\n');

let api: GitHubApiServer;
beforeEach(async () => {
  api = await startGitHubApi({ token: 'ghs_cli', pulls: [7] });
});
afterEach(() => api.close());
const env = (over: Record<string, string | undefined> = {}) => ({ GITHUB_TOKEN: 'ghs_cli', GITHUB_REPOSITORY: 'octo-org/invoices', GITHUB_EVENT_PATH: event, GITHUB_API_URL: api.url, ...over });

describe('aigov github comment', () => {
  it('creates the comment, then leaves it alone, printing its URL; --json says which', async () => {
    const first = await aigov(['github', 'comment', '--body', report], { cwd: dir, env: env() });
    expect(first.exitCode, first.stderr).toBe(0);
    const [c] = api.comments(7);
    expect(first.stdout).toBe(c.html_url);
    expect(first.stderr).toBe('created the comment on octo-org/invoices#7');
    expect(c.body).toBe('<!-- aigov-eval -->\n## aigov eval: ✅ all suites pass\n');
    const again = await aigov(['github', 'comment', '--body', report, '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(again.stdout)).toEqual({ action: 'unchanged', id: c.id, url: c.html_url });
    const other = await aigov(['github', 'comment', '--body', report, '--marker', 'aigov-eval.billing', '--json'], { cwd: dir, env: env() });
    expect(JSON.parse(other.stdout).action).toBe('created');
    expect(api.comments(7).map((x) => x.body.split('\n')[0])).toEqual(['<!-- aigov-eval -->', '<!-- aigov-eval.billing -->']);
  });

  it.each<[string, number, string, Record<string, string | undefined>]>([
    ['a refused token', 3, 'E_GITHUB_AUTH', { GITHUB_TOKEN: 'ghs_revoked' }],
    ['no token', 2, 'E_GITHUB_CONTEXT', { GITHUB_TOKEN: undefined }],
    ['an event that is no pull request', 2, 'E_GITHUB_CONTEXT', { GITHUB_EVENT_PATH: file('push.json', '{"ref":"refs/heads/main"}') }],
  ])('%s: exit %i with %s as JSON, and no comment', async (_n, exitCode, code, over) => {
    const r = await aigov(['github', 'comment', '--body', report, '--json'], { cwd: dir, env: env(over) });
    expect(r.exitCode).toBe(exitCode);
    expect(JSON.parse(r.stdout).error.code).toBe(code);
    expect(api.comments(7)).toEqual([]);
  });

  it('names a body file that is not there', async () => {
    const r = await aigov(['github', 'comment', '--body', join(dir, 'missing.md')], { cwd: dir, env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error E_FILE_UNREADABLE: .*missing\.md: does not exist/);
    expect(api.requests).toEqual([]);
  });
});
