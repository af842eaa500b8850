import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editYaml, YamlEditError, type YamlEdit } from './yaml-edit.js';

const SUITE = `# yaml-language-server: $schema=../schemas/suite.json
suite: inv   # the suite
prompt: inv

cases:
  # a flow case
  - { id: a, vars: { text: power }, expect: wrong }
  - { id: b, vars: { text: flight } }
  - id: c
    vars: { text: chairs }
    # expected category
    expect: furniture  # was a guess
  - id: d
    vars:
      text: desk
    assert:
      - { type: contains, value: x }
`;

describe('editYaml: one value changes, every other byte stays', () => {
  it.each<[string, string, YamlEdit[], string]>([
    ['replaces a value in a flow mapping, which stays one', SUITE, [{ path: ['cases', 0, 'expect'], value: 'utilities' }], SUITE.replace('expect: wrong }', 'expect: utilities }')],
    ['adds a key to a flow mapping', SUITE, [{ path: ['cases', 1, 'expect'], value: 'travel' }], SUITE.replace('{ text: flight } }', '{ text: flight }, expect: travel }')],
    ['replaces a block value, keeping the comments around it', SUITE, [{ path: ['cases', 2, 'expect'], value: 'other' }], SUITE.replace('expect: furniture  # was', 'expect: other  # was')],
    ['adds a key to a block mapping after its last pair', SUITE, [{ path: ['cases', 3, 'expect'], value: 'office' }], SUITE.replace('value: x }\n', 'value: x }\n    expect: office\n')],
    ['sets a top-level scalar, keeping its comment', SUITE, [{ path: ['suite'], value: 'inv2' }], SUITE.replace('suite: inv   #', 'suite: inv2   #')],
    ['adds a top-level key at the end', 'a: 1\nb: 2\n', [{ path: ['c'], value: 3 }], 'a: 1\nb: 2\nc: 3\n'],
    ['adds a top-level key to a file without a final newline', 'a: 1\nb: 2 # two', [{ path: ['c'], value: 3 }], 'a: 1\nb: 2 # two\nc: 3\n'],
    ['sets tier in an automation file', 'id: x\n# raised after review\ntier: 1 # 1 inform only\nprompt: x\n', [{ path: ['tier'], value: 2 }], 'id: x\n# raised after review\ntier: 2 # 1 inform only\nprompt: x\n'],
    ['adds a nested key to a flow mapping value', 'confidence: { threshold: 0.8 }\n', [{ path: ['confidence', 'threshold'], value: 0.91 }], 'confidence: { threshold: 0.91 }\n'],
    ['creates a missing parent mapping', 'id: x\ntier: 1\n', [{ path: ['confidence', 'threshold'], value: 0.9 }], 'id: x\ntier: 1\nconfidence:\n  threshold: 0.9\n'],
    ['adds a key into an empty flow mapping', 'vars: {}\n', [{ path: ['vars', 'text'], value: 'a' }], 'vars: { text: a }\n'],
    ['a JSON object into a flow case stays flow', '- { id: a, expect: x }\n', [{ path: [0, 'expect'], value: { category: 'travel', amount: 1.5, tags: ['a', 'b c'] } }], '- { id: a, expect: { category: travel, amount: 1.5, tags: [a, b c] } }\n'],
    ['a JSON object into a block case is a block', '- id: a\n  expect: x\n', [{ path: [0, 'expect'], value: { category: 'travel', n: 1 } }], '- id: a\n  expect:\n    category: travel\n    n: 1\n'],
    ['a block value replaced by a scalar', 'expect:\n  a: 1\n  b: 2\nnext: 1\n', [{ path: ['expect'], value: 'x' }], 'expect: x\nnext: 1\n'],
    ['a block value replaced by a block, at its own indentation', 'k:\n    a: 1\n    b: 2\nnext: 1\n', [{ path: ['k'], value: { c: 3, d: 4 } }], 'k:\n    c: 3\n    d: 4\nnext: 1\n'],
    ['a comment between key and value stays', 'k: # note\n    a: 1\nnext: 1\n', [{ path: ['k'], value: { c: 3, d: [1] } }], 'k: # note\n    c: 3\n    d:\n      - 1\nnext: 1\n'],
    ['a flow value stays flow when replaced by a collection', 'vars: { a: 1 }  # c\n', [{ path: ['vars'], value: { b: 2 } }], 'vars: { b: 2 }  # c\n'],
    ['a multi-line text as a block literal', '- id: a\n  expect: x\n', [{ path: [0, 'expect'], value: 'Dear Ann,\nyour invoice is paid.' }], '- id: a\n  expect: |-\n    Dear Ann,\n    your invoice is paid.\n'],
    ['a multi-line text in a flow mapping is quoted', '- { id: a }\n', [{ path: [0, 'expect'], value: 'two\nlines' }], '- { id: a, expect: "two\\nlines" }\n'],
    ['a block scalar as the last value', '- id: a\n  note: |\n    l1\n    l2\n- id: b\n', [{ path: [0, 'expect'], value: 'x' }], '- id: a\n  note: |\n    l1\n    l2\n  expect: x\n- id: b\n'],
    ['a block scalar replaced', 'a: |\n  l1\n  l2\nb: 1\n', [{ path: ['a'], value: 'x' }], 'a: x\nb: 1\n'],
    ['strings that would read as something else are quoted', 'a: 1\n', [{ path: ['b'], value: 'true' }, { path: ['c'], value: '42' }, { path: ['d'], value: 'a: b' }, { path: ['e'], value: '# x' }, { path: ['f'], value: '' }], 'a: 1\nb: "true"\nc: "42"\nd: "a: b"\ne: "# x"\nf: ""\n'],
    ['the same in flow style', '{ a: 1 }\n', [{ path: ['b'], value: 'true' }, { path: ['c'], value: 'x, y' }, { path: ['d'], value: null }, { path: ['e'], value: false }], '{ a: 1, b: "true", c: "x, y", d: null, e: false }\n'],
    ['CRLF line ends are kept', 'a: 1\r\nb: 2\r\n', [{ path: ['b'], value: { x: 1, y: 2 } }, { path: ['c'], value: 3 }], 'a: 1\r\nb:\r\n  x: 1\r\n  y: 2\r\nc: 3\r\n'],
    ['replaces an item of a block list', 'l:\n  - a  # first\n  - b\n', [{ path: ['l', 0], value: 'z' }], 'l:\n  - z  # first\n  - b\n'],
    ['replaces an item of a flow list', 'l: [a, b]\n', [{ path: ['l', 1], value: 'z' }], 'l: [a, z]\n'],
    ['an alias as the value is replaced, the anchor is left', 'base: &b x\nk: *b\n', [{ path: ['k'], value: 'y' }], 'base: &b x\nk: y\n'],
    ['a key with an empty value', 'a:\nb: 1\n', [{ path: ['a'], value: 2 }], 'a: 2\nb: 1\n'],
    ['a quoted key', '"a b": 1\n', [{ path: ['a b'], value: 2 }], '"a b": 2\n'],
    ['several edits in one file', SUITE, [{ path: ['cases', 0, 'expect'], value: 'u' }, { path: ['cases', 1, 'expect'], value: 't' }], SUITE.replace('expect: wrong }', 'expect: u }').replace('{ text: flight } }', '{ text: flight }, expect: t }')],
  ])('%s', (_name, text, edits, want) => {
    const out = editYaml(text, edits);
    expect(out).toBe(want);
    // The data is what the edits say, and nothing else changed.
    const expected = parse(text) as Record<string, unknown>;
    for (const e of edits) {
      let node = expected as Record<string | number, unknown>;
      for (const seg of e.path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string | number, unknown>;
      node[e.path[e.path.length - 1]] = e.value;
    }
    expect(parse(out)).toEqual(expected);
  });
});

describe('editYaml: refuses what it cannot do in place', () => {
  it.each<[string, string, YamlEdit, string]>([
    ['through an alias', 'common: &c { a: 1 }\nk: *c\n', { path: ['k', 'a'], value: 2 }, 'k is an alias (*c): editing through it would change every place that uses it'],
    ['a list item that does not exist', 'l: [a]\n', { path: ['l', 3], value: 'x' }, 'l has no item 3 (it has 1)'],
    ['a key of a scalar', 'a: 1\n', { path: ['a', 'b'], value: 2 }, 'a is a single value, so it has no key "b"'],
    ['an index into a mapping', 'a: { b: 1 }\n', { path: ['a', 0], value: 2 }, 'a is a mapping, so it has no item 0'],
    ['invalid YAML', 'a: [\n', { path: ['a'], value: 1 }, 'the file is not valid YAML'],
    ['an undefined value', 'a: 1\n', { path: ['a'], value: undefined }, 'cannot write undefined into YAML'],
    ['a class instance', 'a: 1\n', { path: ['a'], value: new Date(0) }, 'only plain data'],
    ['an empty path', 'a: 1\n', { path: [], value: 1 }, 'an edit needs a path'],
  ])('%s', (_name, text, edit, message) => {
    expect(() => editYaml(text, [edit])).toThrow(YamlEditError);
    expect(() => editYaml(text, [edit])).toThrow(message);
  });
});

describe('editYaml: any plain value, in any layout, reads back as written', () => {
  const values: unknown[] = ['travel', 'two\nlines\n', '  padded ', 'it\'s "quoted"', 'a: b, c', '#', '-', '[x]', '{y}', '*z', '&a', '!tag', '%', '@', '`', 'null', '0x1F', '1e3', 'ü é 😀', '\t tab', '', 42, -0.5, true, null, [], {}, [1, 'a b', { c: [null] }], { 'k: v': 'x', nested: { list: ['l1\nl2'] } }];
  const layouts = [
    ['a flow case', '- { id: a, expect: x }\n'],
    ['a flow case without the key', '- { id: a }\n'],
    ['a block case', '- id: a\n  expect: x # c\n'],
    ['a block case without the key', '- id: a\n  vars: { t: 1 }\n'],
    ['a block case whose expect is a block', '- id: a\n  expect:\n    k: v\n- id: b\n'],
  ];
  it.each(layouts)('%s', (_name, text) => {
    for (const value of values) {
      const out = editYaml(text, [{ path: [0, 'expect'], value }]);
      expect((parse(out) as { expect: unknown }[])[0].expect, `${JSON.stringify(value)} in\n${out}`).toEqual(value);
    }
  });
});
