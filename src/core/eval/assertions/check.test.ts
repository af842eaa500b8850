import { describe, expect, it } from 'vitest';
import { ASSERTION_TYPES, checkAssertion, expectToAssertion } from './index.js';

describe('ASSERTION_TYPES', () => {
  it('holds every type and the not- form of every deterministic one, but not of judge', () => {
    const base = ['equals', 'contains', 'icontains', 'starts-with', 'regex', 'is-json', 'json', 'schema', 'similar', 'max-latency-ms', 'max-cost', 'max-tokens'];
    expect([...ASSERTION_TYPES].sort()).toEqual([...base, 'judge', ...base.map((t) => `not-${t}`)].sort());
  });
});

describe('checkAssertion', () => {
  it.each([
    [{ type: 'equals', value: 'travel' }],
    [{ type: 'equals', value: { a: [1] } }],
    [{ type: 'equals', value: null }],
    [{ type: 'not-contains', value: 'sorry' }],
    [{ type: 'contains', value: 2024 }],
    [{ type: 'regex', value: '^[a-z]+$' }],
    [{ type: 'regex', value: '^a', flags: 'im' }],
    [{ type: 'is-json' }],
    [{ type: 'json', path: '/category', equals: 'travel' }],
    [{ type: 'json', path: '', equals: [] }],
    [{ type: 'schema' }],
    [{ type: 'similar', value: 'travel' }],
    [{ type: 'similar', value: 'travel', threshold: 0.5 }],
    [{ type: 'max-latency-ms', value: 2000 }],
    [{ type: 'max-cost', value: 0.01 }],
    [{ type: 'not-max-tokens', value: 100 }],
    [{ type: 'judge', rubric: 'Polite.', model: 'careful-writer' }],
  ])('%j is valid', (spec) => {
    expect(checkAssertion(spec)).toEqual([]);
  });

  it.each([
    ['unknown type, with a hint', { type: 'equls', value: 'x' }, [{ path: ['type'], message: 'unknown assertion type "equls"', hint: 'did you mean "equals"?' }]],
    ['unknown not- type, with a hint', { type: 'not-contans', value: 'x' }, [{ path: ['type'], message: 'unknown assertion type "not-contans"', hint: 'did you mean "not-contains"?' }]],
    ['unknown type, nothing close', { type: 'sentiment' }, [{ path: ['type'], message: 'unknown assertion type "sentiment"', hint: undefined }]],
    ['not-judge', { type: 'not-judge', rubric: 'r', model: 'm' }, [{ path: ['type'], message: 'unknown assertion type "not-judge"', hint: '"judge" is graded by a model and cannot be negated; write the opposite into its rubric' }]],
    ['missing type', { value: 'x' }, [{ path: ['type'], message: 'required: the assertion type', hint: expect.stringContaining('equals, contains') }]],
    ['type not a string', { type: 3 }, [{ path: ['type'], message: 'expected a string, received number' }]],
    ['not a mapping', 'equals', [{ path: [], message: 'expected an assertion: a mapping with a "type"', hint: expect.any(String) }]],
    ['missing value', { type: 'contains' }, [{ path: ['value'], message: 'required: expected a string' }]],
    ['missing value of equals', { type: 'equals' }, [{ path: ['value'], message: 'required' }]],
    ['missing value of a limit', { type: 'max-latency-ms' }, [{ path: ['value'], message: 'required: expected number' }]],
    ['missing judge arguments', { type: 'judge' }, [{ path: ['rubric'], message: 'required: expected string' }, { path: ['model'], message: 'required: expected string' }]],
    ['missing json arguments', { type: 'json' }, [{ path: ['path'], message: 'required: expected string' }, { path: ['equals'], message: 'required' }]],
    ['invalid regex', { type: 'regex', value: '([a-z' }, [{ path: ['value'], message: expect.stringMatching(/^invalid regular expression: \/\(\[a-z\/: /) }]],
    ['invalid regex flags', { type: 'regex', value: 'a', flags: 'q' }, [{ path: ['flags'], message: expect.stringMatching(/^invalid regular expression: Invalid flags/) }]],
    ['wrong type: contains a list', { type: 'contains', value: ['a'] }, [{ path: ['value'], message: 'expected a string' }]],
    ['wrong type: regex a number', { type: 'regex', value: 5 }, [{ path: ['value'], message: 'expected a regular expression (a string)' }]],
    ['wrong type: latency a string', { type: 'max-latency-ms', value: '2s' }, [{ path: ['value'], message: 'expected number, received string' }]],
    ['wrong type: negative cost', { type: 'max-cost', value: -1 }, [{ path: ['value'], message: 'expected a number >= 0' }]],
    ['wrong type: fractional tokens', { type: 'max-tokens', value: 1.5 }, [{ path: ['value'], message: 'expected a whole number of tokens' }]],
    ['wrong type: threshold out of range', { type: 'similar', value: 'x', threshold: 2 }, [{ path: ['threshold'], message: expect.stringMatching(/<=1/) }]],
    ['wrong type: json path not a pointer', { type: 'json', path: 'category', equals: 'x' }, [{ path: ['path'], message: 'expected a JSON pointer such as /category or /items/0/name' }]],
    ['empty rubric', { type: 'judge', rubric: '', model: 'm' }, [{ path: ['rubric'], message: 'expected a rubric: what a good answer does' }]],
    ['unknown key, with a hint', { type: 'similar', value: 'x', treshold: 0.5 }, [{ path: ['treshold'], message: 'unknown key "treshold"', hint: 'did you mean "threshold"?' }]],
    ['unknown key, nothing close', { type: 'is-json', strict: true }, [{ path: ['strict'], message: 'unknown key "strict"', hint: 'this assertion takes no arguments' }]],
    ['unknown key on a not- form', { type: 'not-contains', value: 'x', values: ['y'] }, [{ path: ['values'], message: 'unknown key "values"', hint: 'did you mean "value"?' }]],
  ])('%s', (_n, spec, issues) => {
    expect(checkAssertion(spec)).toEqual(issues);
  });
});

describe('expectToAssertion', () => {
  it.each([
    ['text', 'utilities', 'text', { type: 'equals', value: 'utilities' }],
    ['text, a YAML number', 42, 'text', { type: 'equals', value: '42' }],
    ['text, a YAML boolean', true, 'text', { type: 'equals', value: 'true' }],
    ['json, an object', { category: 'travel' }, 'json', { type: 'equals', value: { category: 'travel' } }],
    ['json, a number stays a number', 42, 'json', { type: 'equals', value: 42 }],
  ] as const)('%s', (_n, value, outputType, spec) => {
    expect(expectToAssertion(value, outputType)).toEqual(spec);
    expect(checkAssertion(expectToAssertion(value, outputType))).toEqual([]);
  });
});
