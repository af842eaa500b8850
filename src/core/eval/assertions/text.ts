// Text assertions. Outputs are compared after trimming surrounding whitespace where
// position matters (equals, starts-with, regex): models often add a trailing newline.
import * as z from 'zod';
import { schemaOnce, type AssertionType } from './types.js';
import { jsonEqual, parseOutput } from './json-value.js';
import { show, verdict } from './show.js';

/** A YAML scalar read as text: `value: 2024` means the text "2024". */
export const textArg = schemaOnce(() => z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string' }).transform(String));

const textSpec = schemaOnce(() => z.strictObject({ type: z.string(), value: textArg() }));

const equalsSpec = schemaOnce(() => z.strictObject({ type: z.string(), value: z.unknown() }));

export const equals: AssertionType<ReturnType<typeof equalsSpec>> = {
  get schema() {
    return equalsSpec();
  },
  deterministic: true,
  evaluate(output, spec, ctx) {
    const structural = ctx.outputType === 'json' || (spec.value !== null && typeof spec.value === 'object');
    return structural ? equalsJson(output, spec.value) : equalsText(output, spec.value);
  },
};

function equalsText(output: string, value: unknown) {
  // An empty `value:` in YAML is null: it expects an empty output.
  const expected = value === null ? '' : String(value).trim();
  const actual = output.trim();
  return actual === expected ? verdict(true, `output equals ${show(expected)}`) : verdict(false, `output ${show(actual)} differs from expected ${show(expected)}`, expected);
}

function equalsJson(output: string, value: unknown) {
  const parsed = parseOutput(output);
  if (!parsed.ok) return verdict(false, parsed.reason, value);
  if (jsonEqual(parsed.value, value)) return verdict(true, `output equals ${show(value)}`);
  // `expect: '{"a": 1}'` written as a quoted string still means the JSON document.
  if (typeof value === 'string') {
    const reparsed = parseOutput(value);
    if (reparsed.ok && jsonEqual(parsed.value, reparsed.value)) return verdict(true, `output equals ${show(reparsed.value)}`);
  }
  return verdict(false, `output ${show(parsed.value)} differs from expected ${show(value)}`, value);
}

export const contains: AssertionType<ReturnType<typeof textSpec>> = {
  get schema() {
    return textSpec();
  },
  deterministic: true,
  evaluate: (output, { value }) =>
    verdict(output.includes(value), `output ${output.includes(value) ? 'contains' : 'does not contain'} ${show(value)}`),
};

export const icontains: AssertionType<ReturnType<typeof textSpec>> = {
  get schema() {
    return textSpec();
  },
  deterministic: true,
  evaluate(output, { value }) {
    const found = output.toLowerCase().includes(value.toLowerCase());
    return verdict(found, `output ${found ? 'contains' : 'does not contain'} ${show(value)} (ignoring case)`);
  },
};

export const startsWith: AssertionType<ReturnType<typeof textSpec>> = {
  get schema() {
    return textSpec();
  },
  deterministic: true,
  evaluate(output, { value }) {
    const found = output.trimStart().startsWith(value);
    return verdict(found, `output ${found ? 'starts' : 'does not start'} with ${show(value)}`);
  },
};

const regexSpec = schemaOnce(() =>
  z
    .strictObject({ type: z.string(), value: z.string({ error: 'expected a regular expression (a string)' }), flags: z.string().optional() })
    .superRefine((spec, ctx) => {
      try {
        new RegExp(spec.value, spec.flags);
      } catch (err) {
        const where = spec.flags !== undefined && !/^[dgimsuvy]*$/.test(spec.flags) ? 'flags' : 'value';
        ctx.addIssue({ code: 'custom', path: [where], message: `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}` });
      }
    }),
);

export const regex: AssertionType<ReturnType<typeof regexSpec>> = {
  get schema() {
    return regexSpec();
  },
  deterministic: true,
  evaluate(output, { value, flags }) {
    const re = new RegExp(value, flags);
    const found = re.test(output.trim());
    return verdict(found, `output ${found ? 'matches' : 'does not match'} /${value}/${flags ?? ''}`);
  },
};
