// JSON assertions: the output parses, and a value inside it (by JSON pointer) is what was expected.
import * as z from 'zod';
import { getPointer, isPointer, setPointer } from '../../json-pointer.js';
import { schemaOnce, type AssertionType } from './types.js';
import { jsonEqual, parseOutput } from './json-value.js';
import { show, verdict } from './show.js';

const noArgs = schemaOnce(() => z.strictObject({ type: z.string() }));

export const isJson: AssertionType<ReturnType<typeof noArgs>> = {
  get schema() {
    return noArgs();
  },
  deterministic: true,
  evaluate(output) {
    const parsed = parseOutput(output);
    return parsed.ok ? verdict(true, 'output is JSON') : verdict(false, parsed.reason);
  },
};

const jsonSpec = schemaOnce(() =>
  z.strictObject({
    type: z.string(),
    path: z.string().refine(isPointer, 'expected a JSON pointer such as /category or /items/0/name'),
    equals: z.unknown(),
  }),
);

export const json: AssertionType<ReturnType<typeof jsonSpec>> = {
  get schema() {
    return jsonSpec();
  },
  deterministic: true,
  evaluate(output, { path, equals }) {
    const parsed = parseOutput(output);
    if (!parsed.ok) return verdict(false, parsed.reason);
    const at = path === '' ? 'the output' : path;
    const got = getPointer(parsed.value, path);
    // `expected` is the whole document with the one value put right, so the diff points at the path.
    const expected = setPointer(parsed.value, path, equals);
    if (!got.found) return verdict(false, `${at} is missing, expected ${show(equals)}`, expected);
    return jsonEqual(got.value, equals)
      ? verdict(true, `${at} equals ${show(equals)}`)
      : verdict(false, `${at} is ${show(got.value)}, expected ${show(equals)}`, expected);
  },
};
