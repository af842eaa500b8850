import { describe, expect, it } from 'vitest';
import { positiveInt } from './parse-args.js';

describe('positiveInt', () => {
  it.each<[string, Parameters<typeof positiveInt>[1], number]>([
    ['1', {}, 1],
    ['100', { max: 100 }, 100],
    ['0', { allowZero: true }, 0],
    ['0', true, 0],
    ['007', {}, 7],
  ])('accepts %s', (text, opts, n) => expect(positiveInt(text, opts)).toBe(n));

  it.each<[string, Parameters<typeof positiveInt>[1], string]>([
    ['1e9', {}, 'expected a whole number above 0, got "1e9"'],
    ['0x10', {}, 'got "0x10"'],
    [' 5', {}, 'got " 5"'],
    ['5.0', {}, 'got "5.0"'],
    ['-1', { allowZero: true }, 'expected a whole number, got "-1"'],
    ['0', {}, 'above 0'],
    ['', {}, 'got ""'],
    ['101', { max: 100 }, 'expected a whole number above 0, at most 100, got "101"'],
    ['99999999999999999999', {}, 'got "99999999999999999999"'],
  ])('refuses %j', (text, opts, message) => expect(() => positiveInt(text, opts)).toThrow(message));
});
