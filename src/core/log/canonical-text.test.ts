import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { canonicalText, canonicalize } from './canonical-text.js';

describe('canonicalText', () => {
  const odd: unknown[] = [
    null, true, false, 0, -0, 1.5, -1e-7, 1e21, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, '', 'plain',
    'quote " backslash \\ slash /', 'tab\tnew\nline\u0000', 'ünïcödé ✓ 😀', '\u2028\u2029', '\ud800 lone', '\x7f del',
    [], [1, undefined, null, [2, [3]]], {}, { b: 1, a: 2, A: 3, _: 4, '10': 5, '9': 6, 'é': 7, '': 8 },
    { skip: undefined, keep: null, f: () => 1, nested: { z: [{ y: 1, x: undefined }], a: 'b' } },
    [() => 1, Symbol('s')], new Date(0), undefined, () => 1,
  ];
  it.each(odd.map((v) => [canonicalJson(v), v]))('spells %s as canonicalJson does', (_spelled, value) => {
    expect(canonicalText(value)).toBe(canonicalJson(value));
  });

  it('agrees with canonicalJson on generated documents', () => {
    let state = 42;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const chars = ['a', 'Z', '"', '\\', '\n', 'é', '😀', '\u0001', ' ', '~', '\ud83d'];
    const text = () => Array.from({ length: rand(6) }, () => chars[rand(chars.length)]).join('');
    const gen = (depth: number): unknown => {
      switch (rand(depth > 3 ? 4 : 7)) {
        case 0: return text();
        case 1: return rand(1000) / (rand(7) + 1) - 100;
        case 2: return rand(2) === 0;
        case 3: return rand(5) === 0 ? undefined : null;
        case 4: return Array.from({ length: rand(4) }, () => gen(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rand(5) }, () => [text(), gen(depth + 1)]));
      }
    };
    for (let i = 0; i < 2000; i++) {
      const doc = gen(0);
      expect(canonicalText(doc)).toBe(canonicalJson(doc));
    }
  });
});

describe('canonicalize', () => {
  it.each<[string, unknown, boolean]>([
    ['plain JSON', { b: [1, 'x', null, { c: true }], a: -1.5 }, true],
    ['an undefined property', { a: undefined }, false],
    ['an undefined array item', [1, undefined], false],
    ['NaN', { a: Number.NaN }, false],
    ['minus zero', { a: -0 }, false],
    ['a function', { a: () => 1 }, false],
    ['a Date', { a: new Date(0) }, false],
    ['a class instance', { a: new (class Point { x = 1 })() }, false],
    ['an object without prototype', Object.assign(Object.create(null), { a: 1 }), true],
  ])('knows whether %s survives a JSON round trip', (_what, value, exact) => {
    const result = canonicalize(value);
    expect(result).toEqual({ text: canonicalJson(value), exact });
    if (exact) expect(JSON.parse(result.text)).toEqual(value);
  });
});
