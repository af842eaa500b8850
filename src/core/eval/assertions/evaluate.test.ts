import { describe, expect, it } from 'vitest';
import { InternalError, ProviderError } from '../../../errors.js';
import { evaluateAssertion, type AssertionContext } from './index.js';

const base: AssertionContext = { outputType: 'text', latencyMs: 800, costUsd: 0.002, tokens: { input: 50, output: 10 }, model: 'gpt-4o-mini-2024-07-18' };
const json: Partial<AssertionContext> = { outputType: 'json' };
const invoiceSchema = {
  type: 'object',
  required: ['category', 'amount'],
  properties: { category: { enum: ['travel', 'utilities'] }, amount: { type: 'number' } },
};

type Row = [name: string, output: string, spec: Record<string, unknown>, ctx: Partial<AssertionContext>, pass: boolean, reason: RegExp];

// Every deterministic row is also run in its `not-` form, which must give the opposite result.
const rows: Row[] = [
  ['equals: same text after trimming', '  travel\n', { type: 'equals', value: 'travel' }, {}, true, /output equals "travel"/],
  ['equals: other text', 'utilities', { type: 'equals', value: 'travel' }, {}, false, /"utilities" differs from expected "travel"/],
  ['equals: case matters', 'Travel', { type: 'equals', value: 'travel' }, {}, false, /differs/],
  ['equals: a YAML number is text', '42', { type: 'equals', value: 42 }, {}, true, /equals "42"/],
  ['equals: null expects empty output', ' \n', { type: 'equals', value: null }, {}, true, /equals ""/],
  ['equals: JSON, key order does not matter', '{"b":[1,2],"a":{"x":null}}', { type: 'equals', value: { a: { x: null }, b: [1, 2] } }, json, true, /equals/],
  ['equals: JSON, array order matters', '{"b":[2,1]}', { type: 'equals', value: { b: [1, 2] } }, json, false, /differs from expected/],
  ['equals: JSON, extra key', '{"a":1,"b":2}', { type: 'equals', value: { a: 1 } }, json, false, /differs/],
  ['equals: JSON scalar', '"travel"', { type: 'equals', value: 'travel' }, json, true, /equals/],
  ['equals: JSON written as a quoted string', '{"a": 1}', { type: 'equals', value: '{"a":1}' }, json, true, /equals/],
  ['equals: JSON number vs string', '1', { type: 'equals', value: '2' }, json, false, /differs/],
  ['equals: object value on a text prompt compares JSON', '[1, 2]', { type: 'equals', value: [1, 2] }, {}, true, /equals/],
  ['equals: output not JSON', 'Sure! {"a":1}', { type: 'equals', value: { a: 1 } }, json, false, /output is not JSON: /],
  ['equals: output in a code fence', '```json\n{"a":1}\n```', { type: 'equals', value: { a: 1 } }, json, false, /wrapped in a ``` code fence/],
  ['contains: yes', 'I am sorry, no.', { type: 'contains', value: 'sorry' }, {}, true, /output contains "sorry"/],
  ['contains: no', 'Fine.', { type: 'contains', value: 'sorry' }, {}, false, /does not contain "sorry"/],
  ['contains: case matters', 'SORRY', { type: 'contains', value: 'sorry' }, {}, false, /does not contain/],
  ['contains: a number value', 'total 2024', { type: 'contains', value: 2024 }, {}, true, /contains "2024"/],
  ['icontains: ignores case', 'SORRY', { type: 'icontains', value: 'Sorry' }, {}, true, /contains "Sorry" \(ignoring case\)/],
  ['icontains: no', 'fine', { type: 'icontains', value: 'sorry' }, {}, false, /does not contain/],
  ['starts-with: yes, after leading whitespace', '\n Dear Ann,', { type: 'starts-with', value: 'Dear' }, {}, true, /starts with "Dear"/],
  ['starts-with: no', 'Hi Ann', { type: 'starts-with', value: 'Dear' }, {}, false, /does not start with "Dear"/],
  ['regex: matches a trimmed output', 'travel\n', { type: 'regex', value: '^[a-z]+$' }, {}, true, /matches \/\^\[a-z\]\+\$\//],
  ['regex: no match', 'Travel', { type: 'regex', value: '^[a-z]+$' }, {}, false, /does not match/],
  ['regex: with flags', 'Travel', { type: 'regex', value: '^[a-z]+$', flags: 'i' }, {}, true, /\/i$/],
  ['is-json: yes', ' {"a": [1]} ', { type: 'is-json' }, {}, true, /output is JSON/],
  ['is-json: no', '{a: 1}', { type: 'is-json' }, {}, false, /output is not JSON: /],
  ['json: value at the pointer', '{"invoice":{"category":"travel"}}', { type: 'json', path: '/invoice/category', equals: 'travel' }, json, true, /\/invoice\/category equals "travel"/],
  ['json: deep value', '{"tags":["a",{"b":1}]}', { type: 'json', path: '/tags/1', equals: { b: 1 } }, json, true, /equals/],
  ['json: other value', '{"category":"utilities"}', { type: 'json', path: '/category', equals: 'travel' }, json, false, /\/category is "utilities", expected "travel"/],
  ['json: missing path', '{"vendor":"ACME"}', { type: 'json', path: '/category', equals: 'travel' }, json, false, /\/category is missing/],
  ['json: whole document', '[1]', { type: 'json', path: '', equals: [1] }, json, true, /the output equals/],
  ['json: output not JSON', 'travel', { type: 'json', path: '/category', equals: 'travel' }, json, false, /output is not JSON/],
  ['schema: valid', '{"category":"travel","amount":12.5}', { type: 'schema' }, { schema: invoiceSchema }, true, /matches the output schema/],
  ['schema: invalid, first errors named', '{"category":"food","amount":"12"}', { type: 'schema' }, { schema: invoiceSchema }, false, /^output does not match the output schema: (?=.*\/amount must be number)(?=.*\/category must be equal to one of the allowed values)/],
  ['schema: missing property', '{"category":"travel"}', { type: 'schema' }, { schema: invoiceSchema }, false, /\/ must have required property 'amount'/],
  ['schema: draft 2020-12', '[1,"x"]', { type: 'schema' }, { schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'number' }], items: false } }, false, /must NOT have more than 1 items/],
  ['schema: output not JSON', 'travel', { type: 'schema' }, { schema: invoiceSchema }, false, /output is not JSON/],
  ['similar: near enough', 'The invoice is for travel.', { type: 'similar', value: 'The invoice is for travel' }, {}, true, /similarity 0\.96\d* >= 0\.8 to/],
  ['similar: too far', 'utilities', { type: 'similar', value: 'travel' }, {}, false, /similarity 0\.\d+ < 0\.8 to "travel"/],
  ['similar: own threshold', 'kitten', { type: 'similar', value: 'sitting', threshold: 0.5 }, {}, true, /similarity 0\.571 >= 0\.5/],
  ['max-latency-ms: within', 'x', { type: 'max-latency-ms', value: 800 }, {}, true, /latency 800 ms is within 800 ms/],
  ['max-latency-ms: over', 'x', { type: 'max-latency-ms', value: 500 }, {}, false, /latency 800 ms exceeds 500 ms/],
  ['max-cost: within', 'x', { type: 'max-cost', value: 0.01 }, {}, true, /cost \$0\.002 is within \$0\.01/],
  ['max-cost: over', 'x', { type: 'max-cost', value: 0.001 }, {}, false, /cost \$0\.002 exceeds \$0\.001/],
  ['max-tokens: within', 'x', { type: 'max-tokens', value: 60 }, {}, true, /60 tokens \(50 in, 10 out\) is within 60/],
  ['max-tokens: over', 'x', { type: 'max-tokens', value: 59 }, {}, false, /60 tokens .* exceeds 59/],
];

describe('evaluateAssertion', () => {
  it.each(rows)('%s', async (_n, output, spec, ctx, pass, reason) => {
    const r = await evaluateAssertion(output, spec as never, { ...base, ...ctx });
    expect(r).toMatchObject({ type: spec.type, pass });
    expect(r.reason).toMatch(reason);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
    if (pass) expect(r.expected).toBeUndefined();
  });

  it.each(rows)('not- form of: %s', async (_n, output, spec, ctx, pass, reason) => {
    const positive = await evaluateAssertion(output, spec as never, { ...base, ...ctx });
    const r = await evaluateAssertion(output, { ...spec, type: `not-${spec.type as string}` } as never, { ...base, ...ctx });
    expect(r).toMatchObject({ type: `not-${spec.type as string}`, pass: !pass });
    expect(r.reason).toMatch(reason);
    expect(r.score).toBeCloseTo(1 - positive.score, 10);
    expect(r.expected).toBeUndefined();
  });
});

describe('expected, for the diff', () => {
  it.each([
    ['equals text: the trimmed value', 'utilities', { type: 'equals', value: ' travel ' }, {}, 'travel'],
    ['equals JSON: the value', '{"a":2}', { type: 'equals', value: { a: 1 } }, json, { a: 1 }],
    ['equals JSON, output not JSON: the value', 'nope', { type: 'equals', value: { a: 1 } }, json, { a: 1 }],
    ['json: the document put right at the path', '{"category":"utilities","vendor":"ACME"}', { type: 'json', path: '/category', equals: 'travel' }, json, { category: 'travel', vendor: 'ACME' }],
    ['json, missing: the document with the path added', '{"vendor":"ACME"}', { type: 'json', path: '/meta/category', equals: 'travel' }, json, { vendor: 'ACME', meta: { category: 'travel' } }],
    ['similar: the value', 'utilities', { type: 'similar', value: 'travel' }, {}, 'travel'],
    ['contains: none', 'fine', { type: 'contains', value: 'sorry' }, {}, undefined],
  ])('%s', async (_n, output, spec, ctx, expected) => {
    const r = await evaluateAssertion(output, spec as never, { ...base, ...ctx });
    expect(r.pass).toBe(false);
    expect(r.expected).toEqual(expected);
  });
});

describe('what validation refuses is an internal error, in both forms, never a failed case', () => {
  it.each([
    ['max-cost without pricing', { type: 'max-cost', value: 1 }, { costUsd: null }, /^the "(not-)?max-cost" assertion threw: cost unknown: add pricing for gpt-4o-mini-2024-07-18 in aigov\.yaml$/],
    ['schema without a schema', { type: 'schema' }, {}, /^the "(not-)?schema" assertion threw: the prompt declares no output schema/],
    ['schema with a broken schema', { type: 'schema' }, { schema: { type: 'no-such-type' } }, /threw: the prompt's output schema is not a valid JSON Schema/],
  ])('%s', async (_n, spec, ctx, message) => {
    for (const type of [spec.type, `not-${spec.type}`]) {
      const r = evaluateAssertion('{}', { ...spec, type } as never, { ...base, ...(ctx as Partial<AssertionContext>) });
      await expect(r).rejects.toBeInstanceOf(InternalError);
      await expect(r).rejects.toThrow(message);
    }
  });

  it.each([
    ['an unknown type', { type: 'equls', value: 'x' }, /unknown assertion type "equls" reached evaluation/],
    ['a spec that does not validate', { type: 'regex', value: '(' }, /invalid "regex" assertion reached evaluation past validation: value: invalid regular expression/],
    ['a missing argument', { type: 'contains' }, /invalid "contains" assertion .*: value: required/],
  ])('%s', async (_n, spec, message) => {
    const r = evaluateAssertion('x', spec as never, base);
    await expect(r).rejects.toBeInstanceOf(InternalError);
    await expect(r).rejects.toThrow(message);
  });

  it('an assertion that throws by itself is a bug, with its type and the original error as cause', async () => {
    // A proxy output whose `trim` throws stands in for any bug inside an assertion.
    const output = { trim: () => { throw new TypeError('boom'); } } as unknown as string;
    const r = evaluateAssertion(output, { type: 'equals', value: 'x' } as never, base);
    await expect(r).rejects.toMatchObject({ code: 'E_INTERNAL', exitCode: 70, message: 'the "equals" assertion threw: TypeError: boom', cause: expect.any(TypeError) });
  });
});

describe('judge', () => {
  const spec = { type: 'judge', rubric: 'Polite and names the invoice number.', model: 'careful-writer' };

  it('asks the context with the rubric, the model and the output, and reports its grade', async () => {
    const asked: unknown[] = [];
    const judge: AssertionContext['judge'] = async (request) => {
      asked.push(request);
      return { pass: true, score: 0.9, reason: 'polite; names INV-7' };
    };
    const r = await evaluateAssertion('Dear Ann, about INV-7 …', spec, { ...base, judge });
    expect(asked).toEqual([{ rubric: spec.rubric, model: 'careful-writer', output: 'Dear Ann, about INV-7 …' }]);
    expect(r).toEqual({ type: 'judge', pass: true, score: 0.9, reason: 'judged by "careful-writer": polite; names INV-7' });
  });

  it.each([
    ['a failing grade', { pass: false, score: 0.2, reason: 'rude' }, { pass: false, score: 0.2 }],
    ['a score out of range is clamped', { pass: true, score: 7, reason: 'ok' }, { pass: true, score: 1 }],
    ['a missing score follows pass', { pass: false, score: Number.NaN, reason: 'no' }, { pass: false, score: 0 }],
  ])('%s', async (_n, grade, expected) => {
    const r = await evaluateAssertion('x', spec, { ...base, judge: async () => grade });
    expect(r).toMatchObject(expected);
  });

  it('is a bug where no judge may be called', async () => {
    await expect(evaluateAssertion('x', spec, base)).rejects.toThrow(/no judge model may be called here/);
  });

  it('lets a provider failure of the judge through as it is: the case is an error, not a failed case', async () => {
    const failure = new ProviderError('rate_limit', '429 rate limited');
    await expect(evaluateAssertion('x', spec, { ...base, judge: async () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  it('turns a judge that throws anything else into an internal error', async () => {
    const r = evaluateAssertion('x', spec, { ...base, judge: async () => Promise.reject(new Error('boom')) });
    await expect(r).rejects.toBeInstanceOf(InternalError);
    await expect(r).rejects.toThrow('the "judge" assertion threw: the judge "careful-writer" could not grade the output: boom');
  });
});
