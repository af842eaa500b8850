import { describe, expect, it } from 'vitest';
import { commentBody, commentMarker, findMarkedComment, MAX_COMMENT_CHARS, sameBody } from './comment-body.js';

const M = '<!-- aigov-eval -->';

describe('commentMarker', () => {
  it.each([
    ['aigov-eval', M],
    ['aigov.eval_2', '<!-- aigov.eval_2 -->'],
    ['a--b', null],
    ['x-->y', null],
    ['', null],
    ['-lead', null],
    ['two words', null],
    ['x'.repeat(101), null],
  ])('%s', (name, want) => expect(commentMarker(name)).toBe(want));
});

describe('commentBody', () => {
  it.each([
    ['puts the marker on a line of its own, first', '## report\n', `${M}\n## report\n`],
    ['keeps one marker where the text has it already', `${M}\n## report\n`, `${M}\n## report\n`],
    ['turns CRLF into LF and trims the ends', '\r\n\r\n## report\r\nline\r\n\r\n', `${M}\n## report\nline\n`],
    ['an empty report is the marker alone', '', `${M}\n\n`],
  ])('%s', (_n, text, want) => expect(commentBody(text, M)).toBe(want));

  it('fits GitHub’s limit: cut at a line end, an open code block closed, a note saying where the rest is', () => {
    const lines = ['## report', '```diff', ...Array.from({ length: 40 }, (_, i) => `- line ${i} ${'x'.repeat(20)}`), '```', 'tail'];
    const body = commentBody(lines.join('\n'), M, 400);
    expect(body.length).toBeLessThanOrEqual(400);
    expect(body.startsWith(`${M}\n## report\n\`\`\`diff\n- line 0 `)).toBe(true);
    expect(body).not.toContain('tail');
    // Every kept line is whole, and the fence is closed before the note.
    const kept = body.split('\n');
    expect(kept.filter((l) => l.startsWith('- line')).every((l) => /^- line \d+ x{20}$/.test(l))).toBe(true);
    expect(body).toMatch(/\n```\n\n_The report was cut here to fit a GitHub comment; the whole report is in the job summary\._\n$/);
  });

  it('leaves a report at the limit whole, and cuts one character over it', () => {
    const fill = (n: number) => 'y'.repeat(n - M.length - 2);
    expect(commentBody(fill(MAX_COMMENT_CHARS), M).length).toBe(MAX_COMMENT_CHARS);
    const over = commentBody(`${fill(MAX_COMMENT_CHARS - 10)}\nmore text!`, M);
    expect(over.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    // A single line longer than the room is cut inside it: there is no line end to cut at.
    expect(over.endsWith('_The report was cut here to fit a GitHub comment; the whole report is in the job summary._\n')).toBe(true);
    expect(over.includes('more text')).toBe(false);
  });
});

describe('findMarkedComment', () => {
  const c = (id: number, body: string | null) => ({ id, body });
  it.each([
    ['none among plain comments', [c(1, 'LGTM'), c(2, null)], undefined],
    ['the one that starts with the marker', [c(1, 'LGTM'), c(2, `${M}\nreport`)], 2],
    ['the oldest of two', [c(3, `${M}\nold`), c(4, `${M}\nnew`)], 3],
    ['not one that only quotes it', [c(5, `> ${M}\n> report\nwhy?`), c(6, `see ${M}`)], undefined],
    ['not another marker', [c(7, '<!-- aigov-eval-docs -->\nreport')], undefined],
    ['one with a byte-order mark before it', [c(8, `\uFEFF${M}\nreport`)], 8],
  ])('%s', (_n, comments, id) => expect(findMarkedComment(comments, M)?.id).toBe(id));
});

describe('sameBody', () => {
  it.each([
    ['equal', 'a\nb\n', 'a\nb\n', true],
    ['equal but for CRLF', 'a\r\nb\r\n', 'a\nb\n', true],
    ['different', 'a\n', 'b\n', false],
    ['no body', null, 'a\n', false],
  ])('%s', (_n, existing, body, want) => expect(sameBody(existing, body)).toBe(want));
});
