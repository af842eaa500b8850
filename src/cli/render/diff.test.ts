import { describe, expect, it } from 'vitest';
import { renderDiff } from './diff.js';

const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const OFF = '\x1b[0m';
const text = { color: false, outputType: 'text' } as const;
const json = { color: false, outputType: 'json' } as const;

describe('renderDiff: text', () => {
  it.each([
    ['one word changed', 'travel', 'utilities', '  [-travel-]{+utilities+}'],
    ['a word inside a sentence', 'The total is 81 EUR', 'The total is 82 EUR', '  The total is [-81-]{+82+} EUR'],
    ['a word added', 'Dear Ann', 'Dear Ann Smith', '  Dear Ann{+ Smith+}'],
    ['surrounding whitespace is ignored', ' travel ', 'travel\n', '  (no differences after trimming whitespace)'],
    ['a non-string expected is shown as text', 42, '43', '  [-42-]{+43+}'],
  ])('%s', (_n, expected, actual, out) => {
    expect(renderDiff(expected, actual, text)).toBe(out);
  });

  it('colours removed words red and added words green', () => {
    expect(renderDiff('is travel', 'is utilities', { ...text, color: true })).toBe(`  is ${RED}travel${OFF}${GREEN}utilities${OFF}`);
  });

  it('shows only the changed lines of multi-line text, with a little context', () => {
    const expected = ['Dear Ann,', 'your invoice', 'INV-7', 'is paid.', 'a', 'b', 'c', 'Regards'].join('\n');
    const actual = ['Dear Ann,', 'your invoice', 'INV-8', 'is paid.', 'a', 'b', 'c', 'Best'].join('\n');
    expect(renderDiff(expected, actual, text)).toBe(['    your invoice', '  - INV-7', '  + INV-8', '    is paid.', '  …', '    c', '  - Regards', '  + Best'].join('\n'));
  });

  it('colours whole changed lines', () => {
    expect(renderDiff('a\nb', 'a\nc', { ...text, color: true })).toBe(['    a', `  ${RED}- b${OFF}`, `  ${GREEN}+ c${OFF}`].join('\n'));
  });
});

describe('renderDiff: JSON', () => {
  it.each([
    ['a changed value', { category: 'travel', amount: 1 }, '{"category":"utilities","amount":1}', '  /category: "travel" → "utilities"'],
    ['added, removed and changed, sorted by path', { vendor: 'ACME', tags: ['a', 'b'], b: 1 }, '{"tags":["a","b","x"],"b":2}', ['  /b: 1 → 2', '  + /tags/2: "x"', '  - /vendor: "ACME"'].join('\n')],
    ['indexes sort as numbers', { l: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }, '{"l":[0,0,1,0,0,0,0,0,0,0,0,9]}', ['  /l/2: 0 → 1', '  /l/11: 0 → 9'].join('\n')],
    ['a nested path with escaped keys', { 'a/b': { 'c~d': true } }, '{"a/b":{"c~d":false}}', '  /a~1b/c~0d: true → false'],
    ['a change of kind', { items: [1] }, '{"items":{"0":1}}', '  /items: [1] → {"0":1}'],
    ['a different root', [1], '{"a":1}', '  (root): [1] → {"a":1}'],
    ['null against a missing key is a change', { a: null }, '{}', '  - /a: null'],
    ['an expected document written as a string', '{"a":1}', '{"a":2}', '  /a: 1 → 2'],
    ['an already parsed actual', { a: 1 }, { a: 1, b: [true] }, '  + /b: [true]'],
    ['no differences', { a: [1, { b: 2 }] }, '{"a":[1,{"b":2}]}', '  (no differences)'],
    ['long values are cut short', { t: 'x'.repeat(100) }, '{"t":"y"}', `  /t: "${'x'.repeat(58)}… → "y"`],
  ])('%s', (_n, expected, actual, out) => {
    expect(renderDiff(expected, actual, json)).toBe(out);
  });

  it('colours the old value red and the new one green, and whole added or removed lines', () => {
    expect(renderDiff({ a: 1, b: 2 }, '{"a":3,"c":4}', { ...json, color: true })).toBe(
      [`  /a: ${RED}1${OFF} → ${GREEN}3${OFF}`, `  ${RED}- /b: 2${OFF}`, `  ${GREEN}+ /c: 4${OFF}`].join('\n'),
    );
  });

  it('stops after many changes and says how many more', () => {
    const expected = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]));
    const lines = renderDiff(expected, '{}', json).split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[0]).toBe('  - /k00: 0');
    expect(lines[50]).toBe('  … and 10 more changes');
  });

  it('falls back to a text diff, and says so, when the output is not JSON', () => {
    expect(renderDiff('travel', 'Sure! travel', json)).toBe(['  output is not valid JSON; showing a text diff', '  {+Sure! +}travel'].join('\n'));
  });

  it('shows an expected object as indented JSON in the fallback', () => {
    expect(renderDiff({ a: 1 }, 'Sure! {"a": 1}', json)).toBe(
      ['  output is not valid JSON; showing a text diff', '  - {', '  -   "a": 1', '  - }', '  + Sure! {"a": 1}'].join('\n'),
    );
  });

  it('never ends with a newline', () => {
    for (const out of [renderDiff('a\nb\n', 'a\nc\n', text), renderDiff({ a: 1 }, '{"a":2}', json), renderDiff('x', 'y', text)]) expect(out.endsWith('\n')).toBe(false);
  });
});
