// `schema`: the output validates against the prompt's output JSON Schema. The validator
// is imported on first use, so runs without a schema assertion never load it.
import * as z from 'zod';
import type { ValidateFunction } from 'ajv';
import { schemaOnce, type AssertionType } from './types.js';
import { parseOutput } from './json-value.js';
import { verdict } from './show.js';

const MAX_ERRORS = 3;
const noArgs = schemaOnce(() => z.strictObject({ type: z.string() }));

// One compiled validator per schema object: a suite checks many cases against the same schema.
const compiled = new WeakMap<object, Promise<ValidateFunction>>();

export const schema: AssertionType<ReturnType<typeof noArgs>> = {
  get schema() {
    return noArgs();
  },
  deterministic: true,
  async evaluate(output, _spec, ctx) {
    // Thrown, not failed: validation refuses a missing or broken schema, so reaching here is a bug, and `not-schema` must not pass on it.
    if (!ctx.schema) throw new Error('the prompt declares no output schema to check against');
    const validate = await validatorFor(ctx.schema);
    const parsed = parseOutput(output);
    if (!parsed.ok) return verdict(false, parsed.reason);
    if (validate(parsed.value)) return verdict(true, 'output matches the output schema');
    const errors = (validate.errors ?? []).slice(0, MAX_ERRORS).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    const more = (validate.errors?.length ?? 0) > MAX_ERRORS ? '; …' : '';
    return verdict(false, `output does not match the output schema: ${errors.join('; ')}${more}`);
  },
};

function validatorFor(jsonSchema: Record<string, unknown>): Promise<ValidateFunction> {
  let v = compiled.get(jsonSchema);
  if (!v) {
    v = compile(jsonSchema);
    compiled.set(jsonSchema, v);
  }
  return v;
}

async function compile(jsonSchema: Record<string, unknown>): Promise<ValidateFunction> {
  const draft = typeof jsonSchema.$schema === 'string' ? jsonSchema.$schema : '';
  // ajv is CommonJS: Node's loader gives its named exports, a bundler only `default`.
  // `default` is module.exports in both, and it carries the class as a property.
  const Ajv = draft.includes('2020-12')
    ? (await import('ajv/dist/2020.js')).default.Ajv2020
    : draft.includes('2019-09')
      ? (await import('ajv/dist/2019.js')).default.Ajv2019
      : (await import('ajv')).default.Ajv;
  // Not strict: prompt authors annotate schemas freely. No logger: core code prints nothing.
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  try {
    return ajv.compile(jsonSchema);
  } catch (err) {
    throw new Error(`the prompt's output schema is not a valid JSON Schema: ${(err as Error).message}`);
  }
}
