import { describe, expect, it } from 'vitest';
import { AigovError } from '../errors.js';
import { parsePlace, parsePromptSpec } from './prompt-at.js';

describe('parsePromptSpec', () => {
  it.each([
    ['invoice_classifier', { id: 'invoice_classifier', place: { kind: 'worktree' } }],
    ['inv@3', { id: 'inv', place: { kind: 'version', version: 3, text: '3' } }],
    ['inv@main', { id: 'inv', place: { kind: 'ref', ref: 'main' } }],
    ['inv@origin/main', { id: 'inv', place: { kind: 'ref', ref: 'origin/main' } }],
    ['inv@HEAD~2', { id: 'inv', place: { kind: 'ref', ref: 'HEAD~2' } }],
    // Only the first "@" splits: git's own "@{1}" stays part of the ref.
    ['inv@HEAD@{1}', { id: 'inv', place: { kind: 'ref', ref: 'HEAD@{1}' } }],
    ['inv@v1.2', { id: 'inv', place: { kind: 'ref', ref: 'v1.2' } }],
  ])('%s', (spec, want) => {
    expect(parsePromptSpec(spec)).toEqual(want);
  });

  it.each(['@main', 'inv@', 'inv@0'])('refuses %s (exit 2)', (spec) => {
    expect(() => parsePromptSpec(spec)).toThrow(AigovError);
    try {
      parsePromptSpec(spec);
    } catch (err) {
      expect((err as AigovError).exitCode).toBe(2);
    }
  });
});

describe('parsePlace', () => {
  it('digits are a version, anything else a ref', () => {
    expect(parsePlace('12')).toEqual({ kind: 'version', version: 12, text: '12' });
    expect(parsePlace('1a2b3c4')).toEqual({ kind: 'ref', ref: '1a2b3c4' });
    // Too long for a version: a commit id of digits only.
    expect(parsePlace('99999999999999999999')).toEqual({ kind: 'ref', ref: '99999999999999999999' });
    expect(() => parsePlace('000')).toThrow(AigovError);
  });
});
