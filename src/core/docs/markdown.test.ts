import { describe, expect, it } from 'vitest';
import { anchor, code, inline, paragraphs, table } from './markdown.js';

describe('inline: text from a file never becomes markup', () => {
  it.each<[string, string, string]>([
    ['plain text', 'Books invoices', 'Books invoices'],
    ['a leading # (heading)', '# Heading', '\\# Heading'],
    ['a trailing # (closing sequence)', 'Parser #', 'Parser \\#'],
    ['a pipe (new table cell)', 'a | b', 'a \\| b'],
    ['HTML', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['an HTML comment', '<!-- x -->', '&lt;!-- x --&gt;'],
    ['an entity stays literal', 'AT&T &amp;', 'AT&amp;T &amp;amp;'],
    ['a link', '[click](http://x)', '\\[click\\](http://x)'],
    ['an image', '![x](y)', '!\\[x\\](y)'],
    ['emphasis', '*bold* and __strong__', '\\*bold\\* and \\_\\_strong\\_\\_'],
    ['snake_case stays readable', 'invoice_classifier', 'invoice_classifier'],
    ['a leading underscore', '_private', '\\_private'],
    ['code', 'run `rm -rf`', 'run \\`rm -rf\\`'],
    ['a backslash', 'C:\\temp', 'C:\\\\temp'],
    ['math', '$x$ and $$y$$', '\\$x\\$ and \\$\\$y\\$\\$'],
    ['strikethrough', '~~gone~~', '\\~\\~gone\\~\\~'],
    ['a list item', '- item', '\\- item'],
    ['a plus list item', '+ item', '\\+ item'],
    ['an ordered list item', '1. first', '1\\. first'],
    ['an ordered list with )', '12) first', '12\\) first'],
    ['a setext underline', '===', '\\==='],
    ['a blockquote', '> quoted', '&gt; quoted'],
    ['a thematic break', '---', '\\---'],
    ['newlines and indentation collapse to one line', '  a\n\n    b\r\n\tc  ', 'a b c'],
    ['a dash inside a line is text', 'well-known - fine', 'well-known - fine'],
  ])('%s', (_name, input, want) => {
    expect(inline(input)).toBe(want);
  });
});

describe('paragraphs', () => {
  it.each<[string, string, string]>([
    ['blank lines separate paragraphs', 'one\nline\n\n  two\n', 'one line\n\ntwo'],
    ['CRLF blank lines too', 'one\r\n\r\ntwo', 'one\n\ntwo'],
    ['each paragraph start is a line start', 'a\n\n# not a heading\n\n- not a list', 'a\n\n\\# not a heading\n\n\\- not a list'],
    ['an author code span stays code, literally', 'reverts with `aigov revert RUN` in time', 'reverts with `aigov revert RUN` in time'],
    ['markup inside a code span stays literal there', 'see `<b>|</b>` and <b>', 'see `<b>|</b>` and &lt;b&gt;'],
    ['a double-backtick span holding a backtick', 'use ``a`b`` now', 'use ``a`b`` now'],
    ['an unclosed backtick is text', 'a ` b', 'a \\` b'],
    ['an unmatched run before a matched pair', 'x ` y ``z`` w', 'x \\` y ``z`` w'],
    ['text after a span is mid-line: a dash there is text', '`x` - y', '`x` - y'],
    ['a span at the start, then markup', '`x` <i>', '`x` &lt;i&gt;'],
    ['nothing but whitespace', ' \n\n ', ''],
  ])('%s', (_name, input, want) => {
    expect(paragraphs(input)).toBe(want);
  });
});

describe('code', () => {
  it.each<[string, string, boolean, string]>([
    ['plain', 'node scripts/x.mjs', false, '`node scripts/x.mjs`'],
    ['holding a backtick', 'a`b', false, '``a`b``'],
    ['starting with a backtick', '`a', false, '`` `a ``'],
    ['a pipe in a table cell', 'a|b', true, '`a\\|b`'],
    ['a pipe outside a table', 'a|b', false, '`a|b`'],
    ['a newline', 'a\nb', false, '`a b`'],
  ])('%s', (_name, input, inTable, want) => {
    expect(code(input, { inTable })).toBe(want);
  });
});

describe('table and anchor', () => {
  it('writes a GitHub table', () => {
    expect(table(['A', 'B'], [['1', '2']])).toBe('| A | B |\n| --- | --- |\n| 1 | 2 |');
  });
  it.each<[string, string]>([
    ['1. What it does', '#1-what-it-does'],
    ['3. What it decides autonomously, and what with human review', '#3-what-it-decides-autonomously-and-what-with-human-review'],
    ['At a glance', '#at-a-glance'],
  ])('%s', (heading, want) => {
    expect(anchor(heading)).toBe(want);
  });
});
