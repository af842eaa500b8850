// A GitHub REST API for tests: a real HTTP server on 127.0.0.1 that speaks the
// three endpoints of a pull request's comments as GitHub documents them (list
// with a Link header per page, create, update), checks the token, and fails on
// demand the way GitHub does (401, 403, 404, rate limits, 5xx).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface ApiRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, where there is one. */
  body?: unknown;
}

export interface ApiFault {
  status: number;
  headers?: Record<string, string>;
  /** Default: GitHub's JSON for the status. */
  body?: string;
  /** Which requests it hits (default every one). */
  method?: string;
}

export interface GitHubApiServer {
  /** http://127.0.0.1:PORT, what GITHUB_API_URL holds. */
  url: string;
  requests: ApiRequest[];
  /** The comments of an issue or pull request, oldest first. */
  comments(number: number): StoredComment[];
  /** Adds a comment as someone else would have posted it. */
  seed(number: number, body: string, login?: string): StoredComment;
  /** The next `times` (default 1) matching requests fail that way. */
  fail(fault: ApiFault, times?: number): void;
  close(): Promise<void>;
}

export interface GitHubApiOptions {
  owner?: string;
  repo?: string;
  /** The only token accepted (as `Bearer TOKEN` or `token TOKEN`). */
  token?: string;
  /** Pull requests (and issues) that exist; others are 404. */
  pulls?: number[];
  /** Comments per page, whatever `per_page` asks for beyond it (GitHub's own cap is 100). */
  pageSize?: number;
  /** The login new comments are posted as. */
  login?: string;
}

const MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  422: 'Validation Failed',
  429: 'You have exceeded a secondary rate limit',
  500: 'Server Error',
  502: 'Bad Gateway',
};

export async function startGitHubApi(opts: GitHubApiOptions = {}): Promise<GitHubApiServer> {
  const owner = opts.owner ?? 'octo-org';
  const repo = opts.repo ?? 'invoices';
  const token = opts.token ?? 'ghs_test_token';
  const pulls = new Set(opts.pulls ?? [7]);
  const pageSize = opts.pageSize ?? 100;
  const byIssue = new Map<number, StoredComment[]>();
  const requests: ApiRequest[] = [];
  const faults: (ApiFault & { left: number })[] = [];
  let nextId = 1000;
  let url = '';
  let clock = Date.UTC(2026, 0, 5, 9, 0, 0);

  const list = (n: number): StoredComment[] => {
    if (!byIssue.has(n)) byIssue.set(n, []);
    return byIssue.get(n)!;
  };
  const add = (n: number, body: string, login: string): StoredComment => {
    const id = nextId++;
    const at = new Date((clock += 60_000)).toISOString();
    const c: StoredComment = { id, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' }, html_url: `https://github.com/${owner}/${repo}/pull/${n}#issuecomment-${id}`, created_at: at, updated_at: at };
    list(n).push(c);
    return c;
  };

  const send = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(typeof json === 'string' ? json : JSON.stringify(json));
  };
  const error = (res: ServerResponse, status: number, headers?: Record<string, string>): void =>
    send(res, status, { message: MESSAGES[status] ?? 'Error', documentation_url: 'https://docs.github.com/rest', status: String(status) }, headers);

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, { message: 'Problems parsing JSON' });
    }
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });

    const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === req.method));
    if (fault) {
      fault.left--;
      if (fault.body !== undefined) {
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
        return res.end(fault.body);
      }
      return error(res, fault.status, fault.headers);
    }

    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) return error(res, 401);
    if (!req.headers['user-agent']) return send(res, 403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' });

    const u = new URL(req.url ?? '/', url);
    const prefix = `/repos/${owner}/${repo}/issues/`;
    if (!u.pathname.startsWith(prefix)) return error(res, 404);
    const rest = u.pathname.slice(prefix.length);
    const listMatch = /^(\d+)\/comments$/.exec(rest);
    const oneMatch = /^comments\/(\d+)$/.exec(rest);

    if (listMatch && (req.method === 'GET' || req.method === 'POST')) {
      const n = Number(listMatch[1]);
      if (!pulls.has(n)) return error(res, 404);
      if (req.method === 'POST') {
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || !text) return error(res, 422);
        if (text.length > 65_536) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] });
        return send(res, 201, add(n, text, opts.login ?? 'github-actions[bot]'), { location: `${url}${prefix}comments/${nextId - 1}` });
      }
      const perPage = Math.min(Number(u.searchParams.get('per_page') ?? 30) || 30, 100, pageSize);
      const page = Math.max(1, Number(u.searchParams.get('page') ?? 1) || 1);
      const all = list(n);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const at = (p: number) => {
        const q = new URLSearchParams(u.searchParams);
        q.set('per_page', String(perPage));
        q.set('page', String(p));
        return `<${url}${u.pathname}?${q}>`;
      };
      const links: string[] = [];
      if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
      if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
      return send(res, 200, all.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
    }

    if (oneMatch && req.method === 'PATCH') {
      const id = Number(oneMatch[1]);
      const found = [...byIssue.values()].flat().find((c) => c.id === id);
      if (!found) return error(res, 404);
      const text = (body as { body?: unknown } | undefined)?.body;
      if (typeof text !== 'string' || !text) return error(res, 422);
      found.body = text;
      found.updated_at = new Date((clock += 60_000)).toISOString();
      return send(res, 200, found);
    }
    return error(res, 404);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    comments: (n) => list(n),
    seed: (n, body, login = 'reviewer') => add(n, body, login),
    fail: (fault, times = 1) => void faults.push({ ...fault, left: times }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
