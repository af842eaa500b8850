// Markdown for values read from files. A governance answer or a name is text,
// never markup: it must not open a heading, a list, a link, an HTML tag, math
// or a new table cell. Pure and deterministic.

const ALWAYS = new Set(['\\', '`', '*', '[', ']', '|', '#', '~', '$']);
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const WORD = /[\p{L}\p{N}]/u;

/** One line of text: whitespace collapsed, every character that could be markup escaped. */
export function inline(text: string): string {
  return escapeText(text.replace(/\s+/g, ' ').trim(), true);
}

function escapeText(s: string, atLineStart: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (ENTITIES[c]) out += ENTITIES[c];
    else if (ALWAYS.has(c)) out += `\\${c}`;
    // snake_case stays readable: an underscore inside a word never starts emphasis.
    else if (c === '_' && !(WORD.test(s[i - 1] ?? '') && WORD.test(s[i + 1] ?? ''))) out += '\\_';
    else out += c;
  }
  if (!atLineStart) return out;
  // What would start a block at the start of a line: a list item, a setext underline, an ordered list.
  if (/^[-+=]/.test(out)) out = `\\${out}`;
  return out.replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Text that may hold paragraphs: each one escaped as a line of its own, blank
 * lines kept between them. Code spans the author wrote (`aigov revert RUN`) stay
 * code: their content is shown literally, so they cannot carry markup either.
 */
export function paragraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(withCodeSpans)
    .filter(Boolean)
    .join('\n\n');
}

/** CommonMark's rule: a run of n backticks opens a span that the next run of exactly n closes. */
function withCodeSpans(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  const runs = [...s.matchAll(/`+/g)];
  let out = '';
  let plain = 0;
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i];
    const j = runs.findIndex((r, k) => k > i && r[0].length === open[0].length);
    if (j < 0) continue;
    const end = runs[j].index! + runs[j][0].length;
    out += escapeText(s.slice(plain, open.index), plain === 0) + s.slice(open.index, end);
    plain = end;
    i = j;
  }
  return out + escapeText(s.slice(plain), plain === 0);
}

/** A code span that holds any text: a fence longer than any run of backticks inside it. */
export function code(text: string, opts: { inTable?: boolean } = {}): string {
  const s = text.replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  // GitHub splits table cells on a bare `|` even inside a code span.
  const body = opts.inTable ? s.replace(/\|/g, '\\|') : s;
  return `${fence}${pad}${body}${pad}${fence}`;
}

export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [tableRow(header), tableRow(header.map(() => '---')), ...rows.map(tableRow)].join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return `#${heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-')}`;
}
