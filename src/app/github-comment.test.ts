// The PR comment through the real HTTP client against a GitHub API on 127.0.0.1.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHubApi, type GitHubApiServer } from '../../test/support/github-api.js';
import { commentMarker } from '../core/github/comment-body.js';
import { AigovError, GitHubError } from '../errors.js';
import { createFetch } from '../providers/http-fetch.js';
import { pullRequestFromEnv, upsertComment, type CommentOptions } from './github-comment.js';

const MARKER = commentMarker('aigov-eval')!;
const TOKEN = 'ghs_test_token';
const fetch = createFetch({ connections: 1 });
let api: GitHubApiServer;
beforeEach(async () => {
  api = await startGitHubApi({ pageSize: 2, pulls: [7] });
});
afterEach(() => api.close());

const options = (over: Partial<CommentOptions> = {}): CommentOptions => ({
  pr: { apiUrl: api.url, owner: 'octo-org', repo: 'invoices', number: 7 },
  token: TOKEN,
  text: '## aigov eval: ✅ passed\n',
  marker: MARKER,
  fetch,
  retryDelayMs: 0,
  ...over,
});

const calls = () => api.requests.map((r) => `${r.method} ${r.url}`);
const marked = () => api.comments(7).filter((c) => c.body.startsWith(MARKER));

describe('upsertComment', () => {
  it('creates the comment after reading every page and finding no marked one, with the token and the marker', async () => {
    api.seed(7, 'Looks good to me');
    api.seed(7, 'Can we rerun the eval?');
    api.seed(7, `> ${MARKER}\n> quoted from an old report`);
    const r = await upsertComment(options());
    expect(calls()).toEqual([
      'GET /repos/octo-org/invoices/issues/7/comments?per_page=100',
      'GET /repos/octo-org/invoices/issues/7/comments?per_page=2&page=2',
      'POST /repos/octo-org/invoices/issues/7/comments',
    ]);
    for (const req of api.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.headers.accept).toBe('application/vnd.github+json');
      expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    }
    expect(api.requests[2].headers['content-type']).toBe('application/json');
    expect(api.requests[2].body).toEqual({ body: `${MARKER}\n## aigov eval: ✅ passed\n` });
    const made = api.comments(7)[3];
    expect(r).toEqual({ action: 'created', id: made.id, url: made.html_url });
    expect(marked()).toHaveLength(1);
  });

  it('updates the oldest marked comment, found on a later page, and reads no page after it', async () => {
    api.seed(7, 'first');
    api.seed(7, 'second');
    const ours = api.seed(7, `${MARKER}\n## old report`, 'github-actions[bot]');
    api.seed(7, `${MARKER}\n## a copy someone posted`);
    api.seed(7, 'fifth');
    const r = await upsertComment(options({ text: '## new report' }));
    expect(calls()).toEqual([
      'GET /repos/octo-org/invoices/issues/7/comments?per_page=100',
      'GET /repos/octo-org/invoices/issues/7/comments?per_page=2&page=2',
      `PATCH /repos/octo-org/invoices/issues/comments/${ours.id}`,
    ]);
    expect(api.requests[2].body).toEqual({ body: `${MARKER}\n## new report\n` });
    expect(r).toEqual({ action: 'updated', id: ours.id, url: ours.html_url });
    expect(api.comments(7)).toHaveLength(5);
    expect(api.comments(7)[3].body).toBe(`${MARKER}\n## a copy someone posted`);
  });

  it('run after run keeps one comment: created, left alone when the report is the same, updated when it changed', async () => {
    const first = await upsertComment(options({ text: 'report 1' }));
    const again = await upsertComment(options({ text: 'report 1\r\n' }));
    const next = await upsertComment(options({ text: 'report 2' }));
    expect([first.action, again.action, next.action]).toEqual(['created', 'unchanged', 'updated']);
    expect(new Set([first.id, again.id, next.id]).size).toBe(1);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'GET', 'PATCH']);
    expect(api.comments(7).map((c) => c.body)).toEqual([`${MARKER}\nreport 2\n`]);
  });

  it('cuts a report over GitHub’s limit so that GitHub takes it', async () => {
    const huge = Array.from({ length: 4000 }, (_, i) => `| case-${i} | ❌ | ${'x'.repeat(20)} |`).join('\n');
    const r = await upsertComment(options({ text: huge }));
    expect(r.action).toBe('created');
    const body = api.comments(7)[0].body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/cut here to fit a GitHub comment/);
  });

  it.each<[string, Parameters<GitHubApiServer['fail']>[0] | null, Partial<CommentOptions>, string, RegExp]>([
    ['a wrong token', null, { token: 'ghs_wrong' }, 'E_GITHUB_AUTH', /GitHub answered 401 \(Bad credentials\): the token was refused/],
    ['a read-only token (a fork’s pull request)', { status: 403, method: 'POST' }, {}, 'E_GITHUB_FORBIDDEN', /could not create the comment: GitHub answered 403 \(Resource not accessible by integration\): the token may not comment on octo-org\/invoices/],
    ['a pull request that does not exist', null, { pr: { apiUrl: '', owner: 'octo-org', repo: 'invoices', number: 8 } }, 'E_GITHUB_NOT_FOUND', /list the comments of pull request #8: GitHub answered 404 \(Not Found\): no pull request #8 in octo-org\/invoices/],
    ['the primary rate limit', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767603600' }, body: '{"message":"API rate limit exceeded for installation ID 1."}' }, {}, 'E_GITHUB_RATE_LIMIT', /API rate limit exceeded.*the limit resets at 2026-01-05T09:00:00\.000Z/],
    ['a secondary rate limit', { status: 429, headers: { 'retry-after': '60' } }, {}, 'E_GITHUB_RATE_LIMIT', /secondary rate limit\): the API rate limit is used up; retry after 60 s/],
    ['a 5xx on every try', { status: 502 }, {}, 'E_GITHUB_API', /GitHub answered 502 \(Bad Gateway\)/],
    ['a page that is not JSON', { status: 200, body: '<html>maintenance</html>' }, {}, 'E_GITHUB_API', /a body that is not JSON \(<html>maintenance<\/html>\)/],
  ])('%s: a GitHubError with a stable code, exit 3, and no comment made', async (_n, fault, over, code, message) => {
    if (fault) api.fail(fault, 10);
    const opts = options(over);
    if (over.pr) opts.pr = { ...over.pr, apiUrl: api.url };
    const err = await upsertComment(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({ code, exitCode: 3 });
    expect((err as Error).message).toMatch(message);
    expect(api.comments(7)).toHaveLength(0);
  });

  it('retries a GET through two 5xx answers, and never a POST', async () => {
    api.fail({ status: 502, method: 'GET' }, 2);
    await upsertComment(options());
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'POST']);
    api.requests.length = 0;
    api.fail({ status: 500, method: 'PATCH' }, 1);
    expect((await upsertComment(options({ text: 'changed' }))).action).toBe('updated');
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'PATCH']);
    api.requests.length = 0;
    api.comments(7).length = 0;
    api.fail({ status: 502, method: 'POST' }, 1);
    await expect(upsertComment(options())).rejects.toMatchObject({ code: 'E_GITHUB_API', status: 502 });
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('does not follow a next page to another host with the token', async () => {
    const elsewhere = await startGitHubApi();
    try {
      api.fail({ status: 200, method: 'GET', body: '[]', headers: { link: `<${elsewhere.url}/repos/octo-org/invoices/issues/7/comments?page=2>; rel="next"` } });
      const err = await upsertComment(options()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_GITHUB_API' });
      expect((err as Error).message).toMatch(/next page .* is not on http:\/\/127\.0\.0\.1:\d+; not following it with the token/);
      expect(elsewhere.requests).toEqual([]);
      expect(api.requests.map((r) => r.method)).toEqual(['GET']);
    } finally {
      await elsewhere.close();
    }
  });

  it('names an API it cannot reach', async () => {
    const gone = await startGitHubApi();
    const apiUrl = gone.url;
    await gone.close();
    const err = await upsertComment({ ...options(), pr: { apiUrl, owner: 'octo-org', repo: 'invoices', number: 7 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_GITHUB_NETWORK', exitCode: 3 });
    expect((err as Error).message).toMatch(new RegExp(`could not list the comments of pull request #7: the GitHub API at ${apiUrl} could not be reached \\(ECONNREFUSED\\)`));
  });
});

describe('pullRequestFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-event-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const event = (name: string, json: string): string => {
    const file = join(dir, name);
    writeFileSync(file, json);
    return file;
  };
  const pr = event('pr.json', JSON.stringify({ action: 'opened', number: 12, pull_request: { number: 12 } }));
  const push = event('push.json', JSON.stringify({ ref: 'refs/heads/main' }));
  const broken = event('broken.json', '{ "pull_request": ');
  const base = { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'octo-org/invoices', GITHUB_EVENT_PATH: pr, GITHUB_EVENT_NAME: 'pull_request' };

  it('reads the repository, the API and the pull request number; GitHub.com by default', () => {
    expect(pullRequestFromEnv(base)).toEqual({ pr: { apiUrl: 'https://api.github.com', owner: 'octo-org', repo: 'invoices', number: 12 }, token: TOKEN });
    expect(pullRequestFromEnv({ ...base, GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }).pr.apiUrl).toBe('https://ghe.example.com/api/v3');
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['no token', { GITHUB_TOKEN: '' }, /no token: GITHUB_TOKEN is not set/],
    ['no repository', { GITHUB_REPOSITORY: undefined }, /GITHUB_REPOSITORY is not set/],
    ['a repository that is no owner/name', { GITHUB_REPOSITORY: 'invoices' }, /GITHUB_REPOSITORY is "invoices", not owner\/name/],
    ['an API URL that is none', { GITHUB_API_URL: 'api.github.com' }, /GITHUB_API_URL is "api.github.com", not an http\(s\) URL/],
    ['no event', { GITHUB_EVENT_PATH: undefined }, /GITHUB_EVENT_PATH is not set/],
    ['an event that is not JSON', { GITHUB_EVENT_PATH: broken }, /cannot be read as JSON/],
    ['an event file that is not there', { GITHUB_EVENT_PATH: join(dir, 'none.json') }, /cannot be read as JSON: ENOENT/],
    ['a push', { GITHUB_EVENT_PATH: push, GITHUB_EVENT_NAME: 'push' }, /not about a pull request \(GITHUB_EVENT_NAME push\)/],
  ])('%s: E_GITHUB_CONTEXT, exit 2', (_n, over, message) => {
    let err: unknown;
    try {
      pullRequestFromEnv({ ...base, ...over });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AigovError);
    expect(err).toMatchObject({ code: 'E_GITHUB_CONTEXT', exitCode: 2 });
    expect((err as Error).message).toMatch(message);
  });
});
