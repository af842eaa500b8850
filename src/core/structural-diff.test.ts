import { describe, expect, it } from 'vitest';
import { structuralDiff } from './structural-diff.js';

describe('structuralDiff', () => {
  it.each([
    ['equal values', { t: 0, x: [1, { y: 'a' }] }, { x: [1, { y: 'a' }], t: 0 }, []],
    ['a changed scalar', { temperature: 0 }, { temperature: 0.2 }, [{ path: '/temperature', kind: 'changed', from: 0, to: 0.2 }]],
    ['added and removed keys, sorted', { b: 1, a: 1 }, { c: 2, a: 1 }, [{ path: '/b', kind: 'removed', from: 1 }, { path: '/c', kind: 'added', to: 2 }]],
    ['nested, with list items by position', { s: { req: ['a', 'b'] } }, { s: { req: ['a', 'c', 'd'] } }, [
      { path: '/s/req/1', kind: 'changed', from: 'b', to: 'c' },
      { path: '/s/req/2', kind: 'added', to: 'd' },
    ]],
    ['a mapping turned into a scalar', { schema: { type: 'object' } }, { schema: 'none' }, [{ path: '/schema', kind: 'changed', from: { type: 'object' }, to: 'none' }]],
    ['keys that need escaping', { 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 }, [
      { path: '/a~1b', kind: 'changed', from: 1, to: 2 },
      { path: '/c~0d', kind: 'changed', from: 1, to: 2 },
    ]],
    ['an absent side is empty', undefined, { max_tokens: 5 }, [{ path: '/max_tokens', kind: 'added', to: 5 }]],
    ['the value itself', 1, 2, [{ path: '', kind: 'changed', from: 1, to: 2 }]],
    ['null is a value, not an absence', { x: null }, { x: 0 }, [{ path: '/x', kind: 'changed', from: null, to: 0 }]],
  ])('%s', (_, a, b, want) => {
    expect(structuralDiff(a, b)).toEqual(want);
  });
});
