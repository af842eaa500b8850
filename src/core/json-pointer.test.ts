import { describe, expect, it } from 'vitest';
import { formatPointer, getPointer, isPointer, parsePointer, setPointer } from './json-pointer.js';

const doc = { a: { b: [10, { c: 'x' }] }, 'm/n': 1, 'k~l': 2, '': 3, nil: null };

describe('getPointer', () => {
  it.each([
    ['', { found: true, value: doc }],
    ['/a/b/0', { found: true, value: 10 }],
    ['/a/b/1/c', { found: true, value: 'x' }],
    ['/m~1n', { found: true, value: 1 }],
    ['/k~0l', { found: true, value: 2 }],
    ['/', { found: true, value: 3 }],
    ['/nil', { found: true, value: null }],
    ['/a/b/2', { found: false }],
    ['/a/b/-', { found: false }],
    ['/a/b/01', { found: false }],
    ['/a/x', { found: false }],
    ['/nil/x', { found: false }],
    ['/a/b/0/x', { found: false }],
    ['/toString', { found: false }],
  ])('%s', (pointer, expected) => {
    expect(getPointer(doc, pointer)).toEqual(expected);
  });
});

describe('pointer syntax', () => {
  it.each([
    ['', true],
    ['/a', true],
    ['/a~0b~1c', true],
    ['a', false],
    ['/a~2', false],
    ['/a~', false],
  ])('isPointer(%j) is %s', (pointer, ok) => {
    expect(isPointer(pointer)).toBe(ok);
  });

  it('refuses a pointer without a leading slash', () => {
    expect(() => parsePointer('category')).toThrow(/must be empty or start with "\/"/);
  });

  it('formats and parses back', () => {
    const tokens = ['a/b', 'c~d', 0, ''];
    expect(formatPointer(tokens)).toBe('/a~1b/c~0d/0/');
    expect(parsePointer(formatPointer(tokens))).toEqual(['a/b', 'c~d', '0', '']);
  });
});

describe('setPointer', () => {
  it.each([
    ['replaces a value', { a: 1, b: 2 }, '/a', 9, { a: 9, b: 2 }],
    ['replaces inside an array', { a: [1, 2] }, '/a/1', 9, { a: [1, 9] }],
    ['creates missing objects', { a: 1 }, '/b/c', 9, { a: 1, b: { c: 9 } }],
    ['replaces the root', { a: 1 }, '', [1], [1]],
  ])('%s', (_n, input, pointer, value, expected) => {
    const before = structuredClone(input);
    expect(setPointer(input, pointer, value)).toEqual(expected);
    expect(input).toEqual(before);
  });
});
