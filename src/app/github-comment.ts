// Keeps one comment on a pull request up to date through the GitHub REST API:
// lists the PR's comments page by page until one starts with the marker, then
// updates it, or creates it where there is none. Never a second comment: a new
// one is made only after every page was read and none was aigov's.
import { readFileSync } from 'node:fs';
import { GitHubError, UsageError, type GitHubErrorCode } from '../errors.js';
import { commentBody, findMarkedComment, sameBody, type IssueComment } from '../core/github/comment-body.js';
import { parseRepository, pullRequestNumber } from '../core/github/event.js';
import { nextPageUrl } from '../core/github/link-header.js';
import type { Fetch } from '../providers/http-fetch.js';

export interface PullRequest {
  /** https://api.github.com, or a GitHub Enterprise Server's https://HOST/api/v3. */
  apiUrl: string;
  owner: string;
  repo: string;
  number: number;
}

export interface CommentOptions {
  pr: PullRequest;
  token: string;
  /** The report; the marker goes in front of it. */
  text: string;
  /** `<!-- name -->`, from commentMarker. */
  marker: string;
  fetch: Fetch;
  /** Before the first retry of a GET or PATCH that met a 5xx or a network failure; doubled for the second. */
  retryDelayMs?: number;
  timeoutMs?: number;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

const API_VERSION = '2022-11-28';
const RETRIES = 2;

/** The pull request and the token that GitHub Actions describe in the environment. */
export function pullRequestFromEnv(env: NodeJS.ProcessEnv): { pr: PullRequest; token: string } {
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) throw contextError('no token: GITHUB_TOKEN is not set', 'pass one, e.g. env GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} with permissions pull-requests: write');
  const repository = parseRepository(env.GITHUB_REPOSITORY);
  if (!repository) throw contextError(env.GITHUB_REPOSITORY ? `GITHUB_REPOSITORY is "${env.GITHUB_REPOSITORY}", not owner/name` : 'GITHUB_REPOSITORY is not set', 'GitHub Actions sets it; elsewhere set it to owner/name');
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(apiUrl)) throw contextError(`GITHUB_API_URL is "${env.GITHUB_API_URL}", not an http(s) URL`);
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath) throw contextError('GITHUB_EVENT_PATH is not set: no event to read the pull request from', 'run it in a workflow triggered by pull_request');
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (err) {
    throw contextError(`the event at GITHUB_EVENT_PATH (${eventPath}) cannot be read as JSON: ${(err as Error).message}`);
  }
  const number = pullRequestNumber(event);
  if (number === undefined) throw contextError(`the event at GITHUB_EVENT_PATH is not about a pull request (GITHUB_EVENT_NAME ${env.GITHUB_EVENT_NAME || 'unset'})`, 'comment only on pull_request or pull_request_target events');
  return { pr: { apiUrl, ...repository, number }, token };
}

function contextError(message: string, hint?: string): UsageError {
  return new UsageError(message, { code: 'E_GITHUB_CONTEXT', hint });
}

/** Creates the marked comment, or updates the one there is; a body that is already there is left alone. */
export async function upsertComment(opts: CommentOptions): Promise<CommentResult> {
  const api = new GitHubApi(opts);
  const body = commentBody(opts.text, opts.marker);
  const existing = await findExisting(api, opts.pr, opts.marker);
  if (existing && sameBody(existing.body, body)) return { action: 'unchanged', id: existing.id, url: existing.html_url ?? '' };
  if (existing) {
    const updated = asComment(await api.send('PATCH', `/repos/${path(opts.pr)}/issues/comments/${existing.id}`, { body }, `update comment ${existing.id}`), 'the updated comment');
    return { action: 'updated', id: updated.id, url: updated.html_url ?? '' };
  }
  // Not retried: a POST whose answer was lost may have made the comment, and a retry would make a second.
  const created = asComment(await api.send('POST', `/repos/${path(opts.pr)}/issues/${opts.pr.number}/comments`, { body }, 'create the comment'), 'the new comment');
  return { action: 'created', id: created.id, url: created.html_url ?? '' };
}

async function findExisting(api: GitHubApi, pr: PullRequest, marker: string): Promise<IssueComment | undefined> {
  let url: string | undefined = `${pr.apiUrl}/repos/${path(pr)}/issues/${pr.number}/comments?per_page=100`;
  const seen = new Set<string>();
  while (url) {
    // The token goes only to the API it was given for, whatever a Link header says.
    if (new URL(url).origin !== new URL(pr.apiUrl).origin) throw apiError('E_GITHUB_API', `the GitHub API's next page (${url}) is not on ${pr.apiUrl}; not following it with the token`);
    if (seen.has(url)) throw apiError('E_GITHUB_API', `the GitHub API's pages of comments loop back to ${url}`);
    seen.add(url);
    const page = await api.get(url, `list the comments of pull request #${pr.number}`);
    if (!Array.isArray(page.json) || !page.json.every(isComment)) throw apiError('E_GITHUB_API', `the GitHub API answered the list of comments with something that is not one (${preview(page.text)})`);
    const found = findMarkedComment(page.json, marker);
    if (found) return found;
    url = nextPageUrl(page.link);
  }
  return undefined;
}

interface Answer {
  json: unknown;
  text: string;
  link: string | null;
}

class GitHubApi {
  readonly #opts: CommentOptions;
  constructor(opts: CommentOptions) {
    this.#opts = opts;
  }

  get(url: string, what: string): Promise<Answer> {
    return this.#request('GET', url, undefined, what, RETRIES);
  }

  send(method: 'POST' | 'PATCH', path: string, body: unknown, what: string): Promise<unknown> {
    return this.#request(method, `${this.#opts.pr.apiUrl}${path}`, JSON.stringify(body), what, method === 'PATCH' ? RETRIES : 0).then((a) => a.json);
  }

  async #request(method: string, url: string, body: string | undefined, what: string, retries: number): Promise<Answer> {
    const delay = this.#opts.retryDelayMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(method, url, body, what);
      } catch (err) {
        const again = err instanceof GitHubError && (err.code === 'E_GITHUB_NETWORK' || (err.status ?? 0) >= 500);
        if (!again || attempt >= retries) throw err;
        await new Promise((r) => setTimeout(r, delay * 2 ** attempt));
      }
    }
  }

  async #once(method: string, url: string, body: string | undefined, what: string): Promise<Answer> {
    const timeoutMs = this.#opts.timeoutMs ?? 30_000;
    let res: Response;
    let text: string;
    try {
      res = await this.#opts.fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.#opts.token}`,
          'x-github-api-version': API_VERSION,
          'user-agent': 'aigov',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : causeOf(err);
      throw apiError('E_GITHUB_NETWORK', `could not ${what}: the GitHub API at ${this.#opts.pr.apiUrl} could not be reached (${reason})`, { cause: err });
    }
    if (!res.ok) throw statusError(res, text, what, this.#opts.pr);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw apiError('E_GITHUB_API', `could not ${what}: the GitHub API answered ${res.status} with a body that is not JSON (${preview(text)})`, { status: res.status });
    }
    return { json, text, link: res.headers.get('link') };
  }
}

/** What a refusal means, in the words of what the user can do about it. */
function statusError(res: Response, text: string, what: string, pr: PullRequest): GitHubError {
  const status = res.status;
  const said = githubMessage(text);
  const head = `could not ${what}: GitHub answered ${status}${said ? ` (${said})` : ''}`;
  const remaining = res.headers.get('x-ratelimit-remaining');
  const retryAfter = res.headers.get('retry-after');
  if ((status === 403 || status === 429) && (remaining === '0' || retryAfter !== null || /rate limit/i.test(said))) {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const when = retryAfter !== null ? `retry after ${retryAfter} s` : remaining === '0' && reset > 0 ? `the limit resets at ${new Date(reset * 1000).toISOString()}` : 'retry later';
    return apiError('E_GITHUB_RATE_LIMIT', `${head}: the API rate limit is used up; ${when}`, { status, hint: 'the report is in the job summary and the comment file all the same' });
  }
  if (status === 401) return apiError('E_GITHUB_AUTH', `${head}: the token was refused`, { status, hint: 'pass a valid token (GITHUB_TOKEN): missing, expired or revoked' });
  if (status === 403) return apiError('E_GITHUB_FORBIDDEN', `${head}: the token may not comment on ${pr.owner}/${pr.repo}`, { status, hint: 'give the job `permissions: pull-requests: write`; on a pull request from a fork GITHUB_TOKEN is read-only' });
  if (status === 404) return apiError('E_GITHUB_NOT_FOUND', `${head}: no pull request #${pr.number} in ${pr.owner}/${pr.repo} that the token can see`, { status, hint: 'check GITHUB_REPOSITORY and the event; a token without access to a private repository gets 404' });
  return apiError('E_GITHUB_API', head, { status });
}

function apiError(code: GitHubErrorCode, message: string, opts: { status?: number; hint?: string; cause?: unknown } = {}): GitHubError {
  return new GitHubError(code, message, opts);
}

/** GitHub's `{"message": …}`, on one line and short. */
function githubMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string') return oneLine(m, 200);
  } catch {
    // not JSON: say nothing rather than echo a page of HTML
  }
  return '';
}

function isComment(x: unknown): x is IssueComment {
  return typeof x === 'object' && x !== null && Number.isSafeInteger((x as IssueComment).id);
}

function asComment(json: unknown, what: string): IssueComment {
  if (!isComment(json)) throw apiError('E_GITHUB_API', `the GitHub API answered with ${what} in a shape it does not document (${preview(JSON.stringify(json) ?? '')})`);
  return json;
}

const path = (pr: PullRequest): string => `${encodeURIComponent(pr.owner)}/${encodeURIComponent(pr.repo)}`;
const preview = (text: string): string => oneLine(text, 80) || 'empty';
const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
