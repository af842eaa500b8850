// What a GitHub Actions event (the JSON at GITHUB_EVENT_PATH) says about the
// pull request it belongs to. Pure.

/**
 * The pull request's number: `pull_request` and `pull_request_target` carry
 * it as `pull_request.number` (and `number`); an `issue_comment` on a pull
 * request as `issue.number` with `issue.pull_request` set. Undefined for a
 * push, a schedule or a comment on a plain issue.
 */
export function pullRequestNumber(event: unknown): number | undefined {
  if (!isObject(event)) return undefined;
  const pr = event.pull_request;
  if (isObject(pr) && isNumber(pr.number)) return pr.number;
  const issue = event.issue;
  if (isObject(issue) && isObject(issue.pull_request) && isNumber(issue.number)) return issue.number;
  return undefined;
}

/** `owner/name`, as GITHUB_REPOSITORY holds it; null when it is not that shape. */
export function parseRepository(value: string | undefined): { owner: string; repo: string } | null {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(value ?? '');
  if (!m || m[2] === '.' || m[2] === '..') return null;
  return { owner: m[1], repo: m[2] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
