// The one pull-request comment aigov keeps up to date: its hidden marker, the
// body as posted, and which of a PR's comments is the one to update. Pure.

/** GitHub refuses a comment body over 65536 characters. */
export const MAX_COMMENT_CHARS = 65_536;

const MARKER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The HTML comment that marks aigov's comment, invisible in the rendered PR.
 * The name is plain so it cannot end the HTML comment early (`-->`) or hold a
 * second one; several jobs (a workspace each) keep one comment each by name.
 */
export function commentMarker(name: string): string | null {
  if (!MARKER_NAME.test(name) || name.includes('--') || name.length > 100) return null;
  return `<!-- ${name} -->`;
}

/**
 * The body as posted: the marker on its own first line, then the text, cut to
 * GitHub's limit at a line end with a note saying so. A text that already
 * starts with the marker keeps it once.
 */
export function commentBody(text: string, marker: string, limit = MAX_COMMENT_CHARS): string {
  const unix = text.replace(/\r\n/g, '\n');
  const rest = (unix.startsWith(marker) ? unix.slice(marker.length) : unix).replace(/^\n+/, '').replace(/\s+$/, '');
  const whole = `${marker}\n${rest}\n`;
  if (whole.length <= limit) return whole;
  return cut(rest, marker, limit);
}

const CUT_NOTE = '\n\n_The report was cut here to fit a GitHub comment; the whole report is in the job summary._\n';

function cut(rest: string, marker: string, limit: number): string {
  // Room for the marker, its line end, the note and a fence that may need closing.
  const room = limit - marker.length - 1 - CUT_NOTE.length - 4;
  if (room <= 0) throw new RangeError(`a comment limit of ${limit} characters leaves no room for the report`);
  let kept = rest.slice(0, room);
  const lastLine = kept.lastIndexOf('\n');
  if (lastLine > 0) kept = kept.slice(0, lastLine);
  // A code block left open would swallow the note.
  const fences = kept.split('\n').filter((line) => /^\s*(```|~~~)/.test(line)).length;
  if (fences % 2 === 1) kept += '\n```';
  return `${marker}\n${kept}${CUT_NOTE}`;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
}

/**
 * The comment to update: the oldest whose body starts with the marker. A body
 * that only contains it (someone quoting the comment, or mentioning the marker)
 * is not aigov's.
 */
export function findMarkedComment<T extends IssueComment>(comments: readonly T[], marker: string): T | undefined {
  return comments.find((c) => typeof c.body === 'string' && c.body.replace(/^\uFEFF/, '').startsWith(marker));
}

/** Whether posting `body` over the comment would change nothing a reader sees. */
export function sameBody(existing: string | null | undefined, body: string): boolean {
  return typeof existing === 'string' && existing.replace(/\r\n/g, '\n') === body;
}
