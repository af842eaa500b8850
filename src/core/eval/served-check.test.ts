import { describe, expect, it } from 'vitest';
import { returnedIds, tallyMismatches } from './served-check.js';

const a = (model: string, expected: string | null, returned: string | null | undefined) => ({ model, expected, returned });

describe('tallyMismatches', () => {
  it.each([
    ['all answers from the served model', [a('fast', 'gpt-x-1', 'gpt-x-1'), a('fast', 'gpt-x-1', 'gpt-x-1')], []],
    ['the API reports no model: nothing to compare', [a('fast', 'gpt-x-1', null), a('fast', 'gpt-x-1', undefined), a('fast', 'gpt-x-1', '')], []],
    ['the lock holds no claim: nothing to compare', [a('fast', null, 'llama')], []],
    [
      'another model, counted per id',
      [a('fast', 'gpt-x-1', 'llama-3.1-8b'), a('fast', 'gpt-x-1', 'gpt-x-1'), a('fast', 'gpt-x-1', 'llama-3.1-8b'), a('fast', 'gpt-x-1', 'gpt-x-2')],
      [
        { model: 'fast', expected: 'gpt-x-1', returned: 'gpt-x-2', answers: 1 },
        { model: 'fast', expected: 'gpt-x-1', returned: 'llama-3.1-8b', answers: 2 },
      ],
    ],
    ['a judge model apart from the suite model', [a('judge', 'claude-1', 'claude-2'), a('fast', 'gpt-x-1', 'gpt-x-1')], [{ model: 'judge', expected: 'claude-1', returned: 'claude-2', answers: 1 }]],
  ])('%s', (_n, answers, expected) => expect(tallyMismatches(answers)).toEqual(expected));
});

describe('returnedIds', () => {
  it('lists each reported id once, sorted, leaving out answers without one', () => {
    expect(returnedIds([{ returned: 'b' }, { returned: null }, { returned: 'a' }, { returned: 'b' }])).toEqual(['a', 'b']);
  });
});
